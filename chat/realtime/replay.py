"""The database side of a session's catch-up (chat.realtime.session.ReplaySource): each batch
checks, in the socket's own tenant-scoped call, that the person may still read the room, then
reads through chat.selectors and encodes the frames on a database thread. New messages are read
once for all the sockets that ask for the same ones at once (chat.realtime.shared_reads: a
reconnect storm), since a message's frame is the same for every reader."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from accounts.models import User
from accounts.selectors import people_by_id
from chat import events
from chat.access import access_room
from chat.models import Message, Room
from chat.payloads import message_payload
from chat.realtime.database import DatabaseCall, Person, in_socket_tenant, still_theirs
from chat.realtime.session import Replayed
from chat.realtime.shared_reads import shared_reads
from chat.selectors import changed_since, history, newest_message_id
from config.batching import batched
from tenants.db import on_database_thread


def _frames(kind: str, messages: list[Message]) -> list[Replayed]:
    return [Replayed(m.pk, events.encode({"type": kind, "message": message_payload(m)})) for m in messages]


class DatabaseReplay:
    """A socket's catch-up, read through its database call (a lost room answers not found)."""

    def __init__(self, db: DatabaseCall, person: Person) -> None:
        self.db = db
        self.person = person
        self.tenant = person.tenant

    async def newest(self, room: int) -> int:
        """Where a subscription without `after` starts. The subscriptions arriving together (a
        reconnect storm) ask in one call: their people reloaded at once, each one's access
        checked, each room's newest id read once (config.batching: asked after the socket
        joined the room's group, so nothing committed since can be missed)."""
        outcome = await batched("chat.realtime.replay.newest", _newest_for).get((self.person, room))
        if isinstance(outcome, Exception):
            raise outcome
        return int(outcome or 0)

    async def new_since(self, room: int, after: int, limit: int) -> list[Replayed]:
        def readable(user: User) -> Room:
            return access_room(user, room).room

        found = await self.db(readable)

        def read() -> list[Replayed]:
            return _frames("message.new", history(found, after=after, limit=limit))

        async def run() -> list[Replayed]:
            return await on_database_thread(in_socket_tenant)(self.tenant, read)

        key = (self.tenant.pk, room, after, limit)
        return cast(list[Replayed], await shared_reads().read(key, run))

    async def changed(self, room: int, cursor: int, upto: int, since: datetime, limit: int) -> list[Replayed]:
        def read(user: User) -> list[Replayed]:
            messages = changed_since(access_room(user, room).room, after=cursor, upto=upto, since=since, limit=limit)
            return _frames("message.updated", messages)

        return await self.db(read)


@on_database_thread
def _newest_for(asked: list[tuple[Person, int]]) -> dict[tuple[Person, int], int | Exception]:
    found: dict[tuple[Person, int], int | Exception] = {}
    by_tenant: dict[int, list[tuple[Person, int]]] = {}
    for key in asked:
        by_tenant.setdefault(key[0].tenant.pk, []).append(key)
    for keys in by_tenant.values():

        def read(keys: list[tuple[Person, int]] = keys) -> None:
            people = people_by_id(sorted({person.user_id for person, _ in keys}))
            newest: dict[int, int] = {}
            for person, room in keys:
                try:
                    readable = access_room(still_theirs(person, people.get(person.user_id)), room).room
                    if readable.pk not in newest:
                        newest[readable.pk] = newest_message_id(readable)
                    found[(person, room)] = newest[readable.pk]
                except Exception as error:  # this socket's answer: not found, revoked...
                    found[(person, room)] = error

        in_socket_tenant(keys[0][0].tenant, read)
    return found
