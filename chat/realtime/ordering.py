"""A room's new messages reach local sockets in commit order, with nothing skipped.

Sends of one room commit one after another and number themselves 1, 2, 3... (`Message.seq`,
under the room's row lock), but their broadcasts race: two web processes, or a request thread and
a socket, can each publish at once, and seq 8 can reach a process before seq 7. A client that
saw 8, dropped and resumed with `after=8` would never get 7. So, per room group, the hub passes
a new message on only when every earlier one has gone before it: a later one waits a moment for
its predecessor, and if that does not come (a publisher that died between its commit and its
broadcast, say), the missing messages are read from the database, where they must be since a
later one has committed.

Other events of the room (edits, reactions, typing) are not numbered; while a new message waits,
they wait behind it, so an edit never overtakes the message it edits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from chat import events
from chat.models import Message, Room
from chat.payloads import message_payload, with_related
from chat.realtime.database import in_socket_tenant
from tenants.db import on_database_thread
from tenants.models import Client

logger = logging.getLogger(__name__)

# How long a new message waits for an earlier one before the earlier one is read from the
# database. Broadcasts race by milliseconds; a publisher that died never sends at all.
GAP_WAIT_SECONDS = 0.3

Item = tuple[dict[str, Any], dict[str, Any]]  # (channel-layer message, ASGI websocket.send)
Deliver = Callable[[dict[str, Any], dict[str, Any]], Awaitable[None]]


class RoomFeed:
    """The database side of one room's order: where it stands, and what a gap held."""

    def __init__(self, tenant: Client, room_id: int) -> None:
        self.tenant = tenant
        self.room_id = room_id

    async def last_seq(self) -> int:
        def read() -> int:
            return int(Room.objects.filter(pk=self.room_id).values_list("last_seq", flat=True).first() or 0)

        return cast(int, await on_database_thread(in_socket_tenant)(self.tenant, read))

    async def between(self, first: int, last: int) -> list[dict[str, Any]]:
        """The `message.new` events of seq first..last, as the sender would have published them."""

        def read() -> list[dict[str, Any]]:
            messages = with_related(Message.objects.filter(room_id=self.room_id, seq__gte=first, seq__lte=last))
            group = events.room_group(self.tenant.pk, self.room_id)
            return [
                {
                    **events.fanout_message(
                        {"type": "message.new", "message": message_payload(m)}, room=m.room_id, message=m.pk, seq=m.seq
                    ),
                    "group": group,
                }
                for m in messages.order_by("seq")
            ]

        return cast(list[dict[str, Any]], await on_database_thread(in_socket_tenant)(self.tenant, read))


class RoomOrder:
    """The order state of one room group in one process. Everything runs on the event loop."""

    def __init__(self, feed: RoomFeed, deliver: Deliver) -> None:
        self.feed = feed
        self.deliver = deliver
        # The seq the next new message must have; None until read from the database.
        self.next_seq: int | None = None
        self.held: dict[int, Item] = {}
        self.deferred: list[Item] = []
        # The highest seq known to exist: of a held message, or of one an event is about.
        self.wanted = 0
        self._gap: asyncio.Task[None] | None = None
        # Deliveries of the receive loop and of the gap filler never interleave.
        self._lock = asyncio.Lock()

    @property
    def blocked(self) -> bool:
        return self.next_seq is None or bool(self.held) or bool(self.deferred)

    @property
    def missing(self) -> bool:
        """A message known to exist (held, or named by an event) has not gone out yet."""
        return self.next_seq is not None and self.wanted >= self.next_seq

    async def start(self) -> None:
        """Read where the room stands. Precondition: the process has joined the room's group,
        so every message committed after this read is broadcast to it."""
        last = await self.feed.last_seq()
        async with self._lock:
            self.next_seq = last + 1
            # Committed before the read, so the subscriber's catch-up (which reads the database
            # after this) sends them; passing them on too would double them.
            for seq in [s for s in self.held if s <= last]:
                del self.held[seq]
            await self._release()

    async def receive(self, message: dict[str, Any], frame: dict[str, Any]) -> None:
        async with self._lock:
            seq = message.get("seq")
            if not isinstance(seq, int):
                needs = message.get("needs")
                if isinstance(needs, int):
                    self.wanted = max(self.wanted, needs)
                if self.blocked or self.missing:
                    self.deferred.append((message, frame))
                    if self.next_seq is not None:
                        await self._release()
                else:
                    await self.deliver(message, frame)
                return
            self.wanted = max(self.wanted, seq)
            if self.next_seq is not None and seq < self.next_seq:
                # Already sent from the database (a gap filled), or committed before `start`
                # read, which the subscribers' catch-up covers.
                return
            self.held[seq] = (message, frame)
            if self.next_seq is not None:
                await self._release()

    async def _release(self) -> None:
        """Send what can go, in order. Precondition: `_lock` is held."""
        assert self.next_seq is not None
        while self.next_seq in self.held:
            await self.deliver(*self.held.pop(self.next_seq))
            self.next_seq += 1
        if self.held or self.missing:
            if self._gap is None or self._gap.done():
                self._gap = asyncio.ensure_future(self._fill_gap())
            return
        deferred, self.deferred = self.deferred, []
        for item in deferred:
            await self.deliver(*item)

    async def _fill_gap(self) -> None:
        """Wait a moment for the missing broadcasts; whatever is still missing then is read from
        the database and sent in its place (its late broadcast, if any, is then dropped as old)."""
        while True:
            await asyncio.sleep(GAP_WAIT_SECONDS)
            async with self._lock:
                if self.next_seq is None or not (self.held or self.missing) or self.next_seq in self.held:
                    return
                first, last = self.next_seq, (min(self.held) - 1) if self.held else self.wanted
            try:
                found = await self.feed.between(first, last)
            except Exception:
                logger.exception("chat ordering: could not read seq %s..%s of room %s", first, last, self.feed.room_id)
                continue
            async with self._lock:
                for message in found:
                    if message["seq"] != self.next_seq:
                        continue  # arrived meanwhile, or not yet reached
                    self.next_seq += 1
                    await self.deliver(message, {"type": "websocket.send", "text": message["text"]})
                if self.next_seq <= last and self.next_seq == first:
                    # Not in the database although a later one committed: impossible with the
                    # row lock, but never stall the room on it.
                    logger.warning("chat ordering: seq %s..%s of room %s missing", first, last, self.feed.room_id)
                    self.next_seq = last + 1
                await self._release()
                if not (self.held or self.missing):
                    return

    async def abandon(self) -> None:
        """Deliver everything held, as it is: for an order that could not start."""
        self.stop()
        async with self._lock:
            held, self.held = self.held, {}
            deferred, self.deferred = self.deferred, []
            for seq in sorted(held):
                await self.deliver(*held[seq])
            for item in deferred:
                await self.deliver(*item)

    def stop(self) -> None:
        if self._gap is not None:
            self._gap.cancel()
