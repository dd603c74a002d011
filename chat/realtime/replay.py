"""The database side of a session's catch-up (chat.realtime.session.ReplaySource): each batch
checks, in the socket's own tenant-scoped call, that the person may still read the room, then
reads through chat.selectors and encodes the frames on a database thread. New messages are read
once for all the sockets that ask for the same ones at once (chat.realtime.shared_reads: a
reconnect storm), since a message's frame is the same for every reader."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from accounts.models import User
from chat import events
from chat.access import access_room
from chat.models import Message, Room
from chat.payloads import message_payload
from chat.realtime.database import DatabaseCall, in_socket_tenant
from chat.realtime.session import Replayed
from chat.realtime.shared_reads import shared_reads
from chat.selectors import changed_since, history, newest_message_id
from tenants.db import on_database_thread
from tenants.models import Client


def _frames(kind: str, messages: list[Message]) -> list[Replayed]:
    return [Replayed(m.pk, events.encode({"type": kind, "message": message_payload(m)})) for m in messages]


class DatabaseReplay:
    """A socket's catch-up, read through its database call (a lost room answers not found)."""

    def __init__(self, db: DatabaseCall, tenant: Client) -> None:
        self.db = db
        self.tenant = tenant

    async def newest(self, room: int) -> int:
        def read(user: User) -> int:
            return newest_message_id(access_room(user, room).room)

        return await self.db(read)

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
