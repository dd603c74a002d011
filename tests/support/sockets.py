"""Sockets over the full ASGI stack, and the committed people and rooms they are opened for."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from channels.testing import WebsocketCommunicator

from accounts.models import User
from chat.models import Room
from tests.support.tenants import TenantInfo


async def close_code(host: str, origin: str | None = None) -> int:
    """Open /ws/chat/ through the full ASGI stack and return the code it is closed with."""
    headers = [(b"host", host.encode())]
    headers.append((b"origin", (origin or f"http://{host}").encode()))
    from config.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    message = await communicator.receive_output(timeout=10)
    await communicator.wait()
    return int(message["code"])


@dataclass(frozen=True)
class Member:
    """A committed person of a tenant, with an access token of that tenant."""

    user: User
    tenant: TenantInfo
    token: str

    @property
    def pk(self) -> int:
        return int(self.user.pk)


class MakeMember(Protocol):
    def __call__(self, tenant: TenantInfo, *, name: str = "", role: str = User.Role.MEMBER) -> Member: ...


class MakeRoom(Protocol):
    def __call__(
        self, tenant: TenantInfo, *, members: list[Member], kind: str = Room.Kind.PUBLIC, name: str = ""
    ) -> Room: ...


IGNORED = frozenset({"presence"})


class Socket:
    """A client of /ws/chat/ that reads JSON frames; presence broadcasts of other people of the
    tenant are skipped unless asked for."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator

    async def send(self, frame: dict[str, Any]) -> None:
        await self.communicator.send_json_to(frame)

    async def send_text(self, text: str) -> None:
        await self.communicator.send_to(text_data=text)

    async def next(self, timeout: float = 5, ignore: frozenset[str] = IGNORED) -> dict[str, Any]:
        while True:
            output = await self.communicator.receive_output(timeout)
            assert output["type"] == "websocket.send", output
            frame: dict[str, Any] = json.loads(output["text"])
            if frame["type"] not in ignore:
                return frame

    async def expect(self, kind: str, timeout: float = 5, ignore: frozenset[str] = IGNORED) -> dict[str, Any]:
        frame = await self.next(timeout, ignore)
        assert frame["type"] == kind, frame
        return frame

    async def until(self, kind: str, timeout: float = 5) -> list[dict[str, Any]]:
        """Frames up to and including the first of type `kind`."""
        frames = [await self.next(timeout)]
        while frames[-1]["type"] != kind:
            frames.append(await self.next(timeout))
        return frames

    async def collect(self, duration: float = 0.5, ignore: frozenset[str] = IGNORED) -> list[dict[str, Any]]:
        """Every frame arriving within `duration` seconds."""
        frames = []
        # receive_output's timeout would cancel the application; receive_nothing does not.
        while not await self.communicator.receive_nothing(timeout=duration):
            output = await self.communicator.receive_output(1)
            assert output["type"] == "websocket.send", output
            frame = json.loads(output["text"])
            if frame["type"] not in ignore:
                frames.append(frame)
        return frames

    async def close_code(self, timeout: float = 5) -> int:
        """Skips frames until the server closes; returns the code."""
        while True:
            output = await self.communicator.receive_output(timeout)
            if output["type"] == "websocket.close":
                return int(output.get("code", 1000))

    async def subscribe(self, room: int, after: int | None = None, **extra: Any) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "subscribe", "room": room, **extra}
        if after is not None:
            frame["after"] = after
        await self.send(frame)
        return frame

    async def disconnect(self) -> None:
        await self.communicator.disconnect()


async def open_socket(
    tenant: TenantInfo,
    member: Member | None = None,
    *,
    token: str | None = None,
    origin: str | None = None,
    host: str | None = None,
) -> tuple[Socket, dict[str, Any]]:
    """Connect through config.asgi (tenant resolver, origin check, auth). Returns the socket
    and its first output: the `presence.snapshot` frame, or the close message."""
    from config.asgi import application

    host = host or tenant.host
    headers = [(b"host", host.encode()), (b"origin", (origin or f"http://{host}").encode())]
    bearer = token if token is not None else (member.token if member is not None else None)
    if bearer is not None:
        headers.append((b"authorization", f"Bearer {bearer}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    while True:
        output = await communicator.receive_output(10)
        if output["type"] != "websocket.send":
            return Socket(communicator), output
        frame = json.loads(output["text"])
        if frame["type"] not in IGNORED:
            return Socket(communicator), frame


async def live_in_room(tenant: TenantInfo, member: Member, room_id: int) -> Socket:
    """A socket of `member` subscribed to the room, past its replay: everything it receives
    from now on is live."""
    socket, _ = await open_socket(tenant, member)
    await socket.subscribe(room_id)
    await socket.expect("subscribed")
    return socket


SCENARIO_TIMEOUT = 20
