"""The database side of a session's catch-up (chat.realtime.session.ReplaySource): each batch is
one tenant-scoped call that checks the person may still read the room, then reads through
chat.selectors and encodes the frames on the database thread."""

from __future__ import annotations

from datetime import datetime

from accounts.models import User
from chat import events
from chat.access import access_room
from chat.models import Message
from chat.payloads import message_payload
from chat.realtime.database import DatabaseCall
from chat.realtime.session import Replayed
from chat.selectors import changed_since, history, newest_message_id


def _frames(kind: str, messages: list[Message]) -> list[Replayed]:
    return [Replayed(m.pk, events.encode({"type": kind, "message": message_payload(m)})) for m in messages]


class DatabaseReplay:
    """A socket's catch-up, read through its database call (a lost room answers not found)."""

    def __init__(self, db: DatabaseCall) -> None:
        self.db = db

    async def newest(self, room: int) -> int:
        def read(user: User) -> int:
            return newest_message_id(access_room(user, room).room)

        return await self.db(read)

    async def new_since(self, room: int, after: int, limit: int) -> list[Replayed]:
        def read(user: User) -> list[Replayed]:
            return _frames("message.new", history(access_room(user, room).room, after=after, limit=limit))

        return await self.db(read)

    async def changed(self, room: int, cursor: int, upto: int, since: datetime, limit: int) -> list[Replayed]:
        def read(user: User) -> list[Replayed]:
            messages = changed_since(access_room(user, room).room, after=cursor, upto=upto, since=since, limit=limit)
            return _frames("message.updated", messages)

        return await self.db(read)
