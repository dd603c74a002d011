"""A socket's room subscriptions, and the seam between replaying history and streaming live.

Subscribing with `after` is where messages could be lost or doubled. The socket joins the room's
group first and buffers its live events, replays from the database in batches until it has caught
up, then flushes the buffer without the messages the replay already sent, and only then goes
live. Catch-up reads the database, so it works after days offline. The hub hands a room's new
messages over in commit order (chat.realtime.ordering), which within a room is id order, and the
catch-up reads them in id order, so from then on a `message.new` at or below the newest id the
socket was sent is a repeat.

Everything here runs on the socket's event loop and touches neither the socket nor the database
itself: it writes through an Output and reads through a ReplaySource, which tests replace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from chat import events
from chat.realtime.frames import FrameError
from chat.realtime.ratelimit import TokenBucket, typing_bucket

# Messages read per database call while catching up.
REPLAY_BATCH = 200
# Live events kept while a subscription catches up; beyond this, buffered `message.new` are
# dropped, which is safe: the replay keeps reading until it finds nothing newer.
MAX_BUFFERED = 5_000
MAX_SUBSCRIPTIONS = 500

Item = tuple[dict[str, Any], dict[str, Any]]  # (channel-layer message, ready ASGI frame)


@dataclass(frozen=True)
class Replayed:
    """One message read back from the database, already encoded as its frame."""

    id: int
    text: str


class Output(Protocol):
    """The socket side of a session."""

    async def send_text(self, text: str) -> None: ...

    async def send_shared(self, frame: dict[str, Any]) -> None:
        """A live event's frame, shared by all its recipients."""

    async def join_room(self, group: str, room: int) -> None:
        """Deliver the room group's events to `fanout` from now on (raises if it cannot)."""

    def leave(self, group: str) -> None: ...


class ReplaySource(Protocol):
    """The database side of catching up; each call checks that the person may read the room."""

    async def newest(self, room: int) -> int: ...

    async def new_since(self, room: int, after: int, limit: int) -> list[Replayed]:
        """`message.new` of the messages after `after`, oldest first."""

    async def changed(self, room: int, cursor: int, upto: int, since: datetime, limit: int) -> list[Replayed]:
        """`message.updated` of the messages in (cursor, upto] changed at or after `since`."""


@dataclass
class Subscription:
    room: int
    group: str
    live: bool = False
    buffer: list[Item] = field(default_factory=list)
    # The newest message id this socket has been sent for the room.
    last_id: int = 0
    typing: TokenBucket = field(default_factory=typing_bucket)

    def is_repeat(self, message: dict[str, Any]) -> bool:
        """True for a `message.new` the socket was sent already; else it counts as sent now."""
        if message.get("event") != "message.new":
            return False
        if message["message"] <= self.last_id:
            return True
        self.last_id = message["message"]
        return False


class Session:
    """The rooms one socket follows. Frames are handled one at a time, so one subscribe runs at
    a time; live events arrive between its awaits."""

    def __init__(self, *, tenant_id: int, output: Output, source: ReplaySource) -> None:
        self.tenant_id = tenant_id
        self.output = output
        self.source = source
        self.subscriptions: dict[int, Subscription] = {}
        self.by_group: dict[str, Subscription] = {}

    async def subscribe(self, room: int, *, after: int | None, since: datetime | None) -> int | None:
        """Follow `room`: replay what the client lacks, then stream. Returns the newest id the
        client has now, or None when access was lost meanwhile (`room.removed` went out)."""
        if room not in self.subscriptions and len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise FrameError("invalid", f"A socket follows at most {MAX_SUBSCRIPTIONS} rooms.")
        # Buffer first: whatever the room's group delivers from the join on is kept.
        self.drop(room)
        group = events.room_group(self.tenant_id, room)
        subscription = self.subscriptions[room] = self.by_group[group] = Subscription(room=room, group=group)
        try:
            await self.output.join_room(group, room)
            last_id = await self._catch_up(subscription, after, since)
            subscription.last_id = max(subscription.last_id, last_id)
        except BaseException:
            if self.subscriptions.get(room) is subscription:
                self.drop(room)
            raise
        if self.subscriptions.get(room) is not subscription:
            return None
        await self._go_live(subscription)
        return last_id

    def drop(self, room: int) -> None:
        """Nothing more of `room` reaches the socket from this instant on."""
        subscription = self.subscriptions.pop(room, None)
        if subscription is not None:
            self.by_group.pop(subscription.group, None)
            self.output.leave(subscription.group)

    def close(self) -> None:
        for room in list(self.subscriptions):
            self.drop(room)

    async def fanout(self, group: str, message: dict[str, Any], frame: dict[str, Any]) -> None:
        """A live event of `group`: streamed, buffered while its room catches up, or dropped
        as a repeat."""
        subscription = self.by_group.get(group)
        if subscription is None:  # the person's own and the presence groups
            await self.output.send_shared(frame)
        elif subscription.live:
            if not subscription.is_repeat(message):
                await self.output.send_shared(frame)
        else:
            buffer = subscription.buffer
            if len(buffer) >= MAX_BUFFERED:
                buffer[:] = [item for item in buffer if item[0].get("event") != "message.new"]
                del buffer[: max(0, len(buffer) - MAX_BUFFERED // 2)]
            buffer.append((message, frame))

    async def _catch_up(self, subscription: Subscription, after: int | None, since: datetime | None) -> int:
        """Replay what the client lacks; returns the newest id it has now. Stops early when the
        subscription was dropped meanwhile."""
        room = subscription.room
        if after is None:
            return await self.source.newest(room)
        if since is not None:
            cursor = 0
            while True:
                changed = await self.source.changed(room, cursor, after, since, REPLAY_BATCH)
                if self.subscriptions.get(room) is not subscription:
                    return after
                for item in changed:
                    await self.output.send_text(item.text)
                if len(changed) < REPLAY_BATCH:
                    break
                cursor = changed[-1].id
        cursor = after
        while True:
            batch = await self.source.new_since(room, cursor, REPLAY_BATCH)
            if self.subscriptions.get(room) is not subscription:
                return cursor
            for item in batch:
                await self.output.send_text(item.text)
                subscription.last_id = max(subscription.last_id, item.id)
            if batch:
                cursor = batch[-1].id
            if len(batch) < REPLAY_BATCH:
                return cursor

    async def _go_live(self, subscription: Subscription) -> None:
        """Flush what arrived during the replay, minus messages the replay sent, then stream.
        Nothing awaits between finding the buffer empty and going live."""
        while subscription.buffer:
            message, frame = subscription.buffer.pop(0)
            if not subscription.is_repeat(message):
                await self.output.send_shared(frame)
        subscription.live = True
