"""One client's socket as the rest of the edge sees it: who it serves, the rooms it follows, its
way to the database, and its output. The consumer (chat.consumers) owns the ASGI loop; handlers
(chat.realtime.handlers) and the process's hub (chat.realtime.hub) talk to this.

Output goes out at once and in call order: frames of this socket through the ASGI `send`, live
events of the hub straight to daphne's connection when it allows (chat.realtime.wsdirect).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from channels.layers import get_channel_layer

from accounts.models import User
from chat import events, presence
from chat.realtime import ratelimit, wsdirect
from chat.realtime.database import Person, run_as
from chat.realtime.hub import AUTH_REVOKED, get_hub
from chat.realtime.ordering import RoomFeed
from chat.realtime.replay import DatabaseReplay
from chat.realtime.session import Session
from chat.realtime.shared_reads import shared_reads
from tenants.db import on_database_thread

logger = logging.getLogger(__name__)

T = TypeVar("T")

CLOSE_UNAUTHENTICATED = 4401
CLOSE_INTERNAL = 1011


async def publish(captured: list[events.Outgoing]) -> None:
    """Events of committed work to their groups, in order."""
    layer = get_channel_layer()
    if layer is None:
        return
    for group, message in captured:
        try:
            await layer.group_send(group, message)
        except Exception:
            # Committed: clients catch up from the database when they resubscribe.
            logger.exception("chat socket: could not send %s to %s", message.get("event"), group)


class ClientSocket:
    """A signed-in person's socket, from the handshake to its end."""

    def __init__(self, *, person: Person, send: Any) -> None:
        self.person = person
        self.tenant = person.tenant
        self.user_id = person.user_id
        self.socket_id = uuid.uuid4().hex
        self.session = Session(tenant_id=self.tenant.pk, output=self, source=DatabaseReplay(self.db, person))
        self.send_bucket = ratelimit.send_bucket()
        self.closed = False
        # The consumer's task while it waits for the client, cancelled by `close`.
        self.waiting: asyncio.Task[Any] | None = None
        self._send = send
        self._direct = wsdirect.for_send(send)
        self._own_groups: list[str] = []

    async def open(self) -> None:
        """Join the person's and the tenant's presence groups, count the socket as present and
        send who else is; closes with 1011 when Redis cannot be reached."""
        tenant_id = self.tenant.pk
        try:
            for group in (events.user_group_by_id(tenant_id, self.user_id), events.presence_group(tenant_id)):
                await get_hub().join(group, self)
                self._own_groups.append(group)
        except Exception:
            logger.exception("chat socket: could not join its groups")
            await self.close(CLOSE_INTERNAL)
            return
        tracker = presence.get_presence()

        async def snapshot() -> str:
            return events.encode({"type": "presence.snapshot", "users": await tracker.snapshot(tenant_id)})

        try:
            await tracker.set(tenant_id, self.user_id, self.socket_id, presence.ACTIVE)
            # Sockets opening together (a reconnect storm) share one read of who is present,
            # and its encoding; each read starts after its askers recorded their own presence.
            text = await shared_reads().read(("presence", tenant_id), snapshot)
        except Exception:
            # Presence is not worth a socket: closing it here made every client of a reconnect
            # storm come back again, later. The entry is kept locally and written by the
            # tracker's next refresh; until then the client knows only what is announced.
            logger.warning("chat socket: presence unavailable at open", exc_info=True)
            text = events.encode({"type": "presence.snapshot", "users": {}})
        await self.send_text(cast(str, text))

    async def release(self) -> None:
        """Leave every group and withdraw the socket's presence; runs however the socket ends."""
        self.session.close()
        for group in self._own_groups:
            self.leave(group)
        self._own_groups.clear()
        try:
            await presence.get_presence().remove(self.tenant.pk, self.user_id, self.socket_id)
        except Exception:  # the entry expires on its own within the TTL
            logger.warning("chat socket: could not withdraw presence", exc_info=True)

    async def close(self, code: int) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):
            await self._send({"type": "websocket.close", "code": code})
        if self.waiting is not None and self.waiting is not asyncio.current_task():
            self.waiting.cancel()

    # -- the database -----------------------------------------------------------------------

    async def db(self, work: Callable[[User], T]) -> T:
        """`work(user)` in the socket's tenant (chat.realtime.database.run_as), then the events
        it announced sent: committed by then."""
        result, captured = await on_database_thread(run_as)(self.person, work)
        await self.publish(captured)
        return result

    async def publish(self, captured: list[events.Outgoing]) -> None:
        await publish(captured)

    # -- output (chat.realtime.session.Output) ------------------------------------------------

    async def send_text(self, text: str) -> None:
        if not self.closed:
            await self._send({"type": "websocket.send", "text": text})

    async def send_frame(self, frame: dict[str, Any] | None) -> None:
        """Nothing goes out for None (an acknowledgement nobody asked for)."""
        if frame is not None:
            await self.send_text(events.encode(frame))

    async def send_shared(self, frame: dict[str, Any]) -> None:
        """A live event's frame, shared by all its recipients."""
        if self.closed:
            return
        direct = self._direct
        if direct is not None and type(frame) is wsdirect.FanoutFrame and direct.write(frame):
            return
        await self._send(frame)

    async def join_room(self, group: str, room: int) -> None:
        await get_hub().join(group, self, RoomFeed(self.tenant, room))

    def leave(self, group: str) -> None:
        get_hub().leave(group, self)

    # -- from the hub (chat.realtime.hub.HubSocket) ------------------------------------------

    async def hub_fanout(self, group: str, message: dict[str, Any], frame: dict[str, Any]) -> None:
        if not self.closed:
            await self.session.fanout(group, message, frame)

    async def hub_control(self, group: str, message: dict[str, Any]) -> None:
        room = message.get("room")
        if self.closed:
            return
        if message.get("type") == AUTH_REVOKED:
            await self.close(CLOSE_UNAUTHENTICATED)
        elif isinstance(room, int):
            frame: dict[str, Any] = {"type": "room.added" if message.get("granted") else "room.removed", "room": room}
            if message.get("by") is not None:  # who added or removed them (chat.events.room_access_changed)
                frame["by"] = message["by"]
            if not message.get("granted"):
                # Nothing more of this room reaches the socket from this instant on.
                self.session.drop(room)
            await self.send_frame(frame)
