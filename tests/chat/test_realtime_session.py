"""The seam between replaying history and streaming live (chat.realtime.session), driven without a
socket or a database: a fake output records what the client would receive, and a fake room
stands in for the database, committing messages and broadcasting them while the replay reads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from chat import events
from chat.realtime import session as session_module
from chat.realtime.frames import FrameError
from chat.realtime.session import Replayed, Session

TENANT = 1
ROOM = 7
GROUP = events.room_group(TENANT, ROOM)


class Client:
    """What reaches the client, in order; live frames are marked as such."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.groups: list[str] = []

    async def send_text(self, text: str) -> None:
        self.received.append(("replay", json.loads(text)))

    async def send_shared(self, frame: dict[str, Any]) -> None:
        self.received.append(("live", json.loads(frame["text"])))

    async def join_room(self, group: str, room: int) -> None:
        self.groups.append(group)

    def leave(self, group: str) -> None:
        self.groups.remove(group)

    def message_ids(self) -> list[int]:
        return [frame["message"]["id"] for _, frame in self.received if frame["type"] == "message.new"]


def live_event(frame: dict[str, Any], message: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A channel-layer message and its shared frame, as the hub hands them over."""
    layer_message = {**events.fanout_message(frame, room=ROOM, message=message), "group": GROUP}
    return layer_message, {"type": "websocket.send", "text": layer_message["text"]}


class Room:
    """The room's stored messages. `during_read` runs inside each batch read, before the read
    returns: what it commits is seen by that read only if committed before `committed_first`."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = list(ids)
        self.reads = 0
        self.during_read: Callable[[int], Any] | None = None

    async def newest(self, room: int) -> int:
        return max(self.ids, default=0)

    async def new_since(self, room: int, after: int, limit: int) -> list[Replayed]:
        self.reads += 1
        found = [Replayed(i, events.encode(new_message(i))) for i in sorted(self.ids) if i > after][:limit]
        if self.during_read is not None:
            await self.during_read(self.reads)
        await asyncio.sleep(0)
        return found

    async def changed(self, room: int, cursor: int, upto: int, since: datetime, limit: int) -> list[Replayed]:
        return []


def new_message(message_id: int) -> dict[str, Any]:
    return {"type": "message.new", "message": {"id": message_id, "room": ROOM}}


@pytest.fixture
def batch_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "REPLAY_BATCH", 2)


def test_a_message_committed_during_replay_reaches_the_client_once_in_order(batch_of_two: None) -> None:
    # given: the client has messages up to 2 of 1..5; while the first batch is read, 6 is
    # committed and broadcast, and a live copy of 4 (a late broadcast) arrives too
    client, room = Client(), Room([1, 2, 3, 4, 5])
    session = Session(tenant_id=TENANT, output=client, source=room)

    async def commit_during_first_read(read: int) -> None:
        if read == 1:
            room.ids.append(6)
            await session.fanout(GROUP, *live_event(new_message(6), message=6))
            await session.fanout(GROUP, *live_event(new_message(4), message=4))

    room.during_read = commit_during_first_read

    # when: the client subscribes from 2, and 7 is sent once it is live
    async def scenario() -> int | None:
        last_id = await session.subscribe(ROOM, after=2, since=None)
        await session.fanout(GROUP, *live_event(new_message(7), message=7))
        return last_id

    last_id = asyncio.run(scenario())

    # then: every message after 2 exactly once, in id order
    assert client.message_ids() == [3, 4, 5, 6, 7]
    assert last_id == 6


def test_a_message_committed_after_the_last_read_comes_from_the_buffer(batch_of_two: None) -> None:
    # given: 8 commits after the replay's final (empty) read, but before the session goes live
    client, room = Client(), Room([1, 2, 3])
    session = Session(tenant_id=TENANT, output=client, source=room)

    async def commit_after_final_read(read: int) -> None:
        if read == 2:
            await session.fanout(GROUP, *live_event(new_message(8), message=8))
            await session.fanout(GROUP, *live_event({"type": "typing", "room": ROOM, "user": 4}))

    room.during_read = commit_after_final_read

    # when
    asyncio.run(session.subscribe(ROOM, after=1, since=None))

    # then: replayed 2 and 3, then the buffered events in the order they arrived
    assert [(how, frame["type"]) for how, frame in client.received] == [
        ("replay", "message.new"),
        ("replay", "message.new"),
        ("live", "message.new"),
        ("live", "typing"),
    ]
    assert client.message_ids() == [2, 3, 8]


def test_a_live_repeat_of_a_replayed_message_is_dropped() -> None:
    client, room = Client(), Room([1, 2, 3])
    session = Session(tenant_id=TENANT, output=client, source=room)

    async def scenario() -> None:
        await session.subscribe(ROOM, after=0, since=None)
        await session.fanout(GROUP, *live_event(new_message(3), message=3))

    asyncio.run(scenario())

    assert client.message_ids() == [1, 2, 3]


def test_subscribing_without_after_replays_nothing_and_starts_at_the_newest() -> None:
    client, room = Client(), Room([4, 9])
    session = Session(tenant_id=TENANT, output=client, source=room)

    last_id = asyncio.run(session.subscribe(ROOM, after=None, since=None))

    assert (last_id, client.received, client.groups) == (9, [], [GROUP])


def test_a_room_dropped_during_replay_sends_nothing_more() -> None:
    # given: access to the room is lost while its history is read
    client, room = Client(), Room([1, 2, 3])
    session = Session(tenant_id=TENANT, output=client, source=room)

    async def lose_access(read: int) -> None:
        session.drop(ROOM)

    room.during_read = lose_access

    # when
    last_id = asyncio.run(session.subscribe(ROOM, after=0, since=None))

    # then: no subscription, nothing sent, the group left
    assert (last_id, client.received, client.groups, session.subscriptions) == (None, [], [], {})


def test_a_socket_follows_a_bounded_number_of_rooms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "MAX_SUBSCRIPTIONS", 1)
    session = Session(tenant_id=TENANT, output=Client(), source=Room([]))

    async def scenario() -> None:
        await session.subscribe(ROOM, after=None, since=None)
        await session.subscribe(ROOM, after=None, since=None)  # the same room again is fine
        await session.subscribe(ROOM + 1, after=None, since=None)

    with pytest.raises(FrameError) as refused:
        asyncio.run(scenario())

    assert refused.value.code == "invalid" and list(session.subscriptions) == [ROOM]
