"""Chat fixtures: committed people and rooms per tenant, and sockets over the full ASGI stack.

Data is committed (no test transaction), because sockets and their database calls run outside
any test transaction; everything a factory made is removed after the test.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connection
from django_tenants.utils import schema_context

from accounts.actions import do_create_user
from accounts.models import User
from accounts.tokens import mint_tokens
from chat.actions import do_add_members, do_create_room
from chat.models import Room
from chat.presence import stop_presence
from chat.realtime.hub import stop_hub
from tenants.db import use_public_schema
from tests.conftest import PASSWORD, TenantInfo

T = TypeVar("T")


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


@pytest.fixture
def make_member(django_db_blocker: Any) -> Iterator[MakeMember]:
    """People who start in their tenant's default rooms (`general`), password PASSWORD."""
    made: list[tuple[str, int]] = []

    def make(tenant: TenantInfo, *, name: str = "", role: str = User.Role.MEMBER) -> Member:
        email = f"chat-{uuid.uuid4().hex[:10]}@{tenant.client.slug}.test"
        with django_db_blocker.unblock(), schema_context(tenant.schema):
            user = do_create_user(email=email, password=PASSWORD, name=name or email.split("@")[0], role=role)
            token = str(mint_tokens(user, tenant.client).access_token)
        made.append((tenant.schema, user.pk))
        return Member(user=user, tenant=tenant, token=token)

    yield make
    with django_db_blocker.unblock():
        for schema, pk in made:
            with schema_context(schema):
                User.objects.filter(pk=pk).delete()


@pytest.fixture
def make_room(django_db_blocker: Any) -> Iterator[MakeRoom]:
    """A room whose first member is its owner; the others join as members."""
    made: list[tuple[str, int]] = []

    def make(tenant: TenantInfo, *, members: list[Member], kind: str = Room.Kind.PUBLIC, name: str = "") -> Room:
        with django_db_blocker.unblock(), schema_context(tenant.schema):
            room = do_create_room(
                tenant=tenant.client, name=name or f"room {uuid.uuid4().hex[:8]}", creator=members[0].user, kind=kind
            )
            if members[1:]:
                do_add_members(tenant=tenant.client, room=room, users=[m.user for m in members[1:]])
        made.append((tenant.schema, room.pk))
        return room

    yield make
    with django_db_blocker.unblock():
        for schema, pk in made:
            with schema_context(schema):
                Room.objects.filter(pk=pk).delete()


@pytest.fixture
def run_async(django_db_blocker: Any) -> Callable[[Callable[[], Awaitable[T]]], T]:
    """Run an async scenario on a fresh event loop with the database open, then stop the
    loop's hub and presence tracker (they belong to that loop)."""

    def run(scenario: Callable[[], Awaitable[T]]) -> T:
        async def wrapped() -> T:
            try:
                return await asyncio.wait_for(scenario(), SCENARIO_TIMEOUT)
            except TimeoutError:
                for task in asyncio.all_tasks():
                    task.print_stack(limit=8)
                raise
            finally:
                await asyncio.wait_for(stop_hub(), 10)
                await asyncio.wait_for(stop_presence(), 10)

        with django_db_blocker.unblock():
            try:
                return async_to_sync(wrapped)()
            finally:
                # A fresh layer per loop: channels-redis' core layer remembers its receiving loop.
                channel_layers.backends.clear()
                if connection.connection is not None:
                    use_public_schema()

    return run


SCENARIO_TIMEOUT = 20
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
