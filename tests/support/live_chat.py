"""People with a room to talk in on real daphne servers.

The servers are other processes and see only committed data: what they read is written through
`committed`, on a connection of its own, and removed afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pytest
from django.db import connection, transaction
from django.db.models import Max
from django_tenants.utils import schema_context

from accounts.actions import do_create_user
from accounts.models import User
from accounts.tokens import mint_tokens
from chat.actions import do_create_room
from chat.models import Membership, Message, Room
from tests.support.servers import DaphneProcess
from tests.support.tenants import PASSWORD, TenantInfo, host_client, on_own_connection

SERVERS = pytest.StashKey[list[DaphneProcess]]()

# Senders in these tests go faster than a person; the per-socket send limit is not under test.
FAST_SENDS = {"CHAT_SEND_RATE": "10000", "CHAT_SEND_BURST": "10000"}

StartServer = Callable[..., DaphneProcess]

T = TypeVar("T")


def committed(work: Callable[[], T]) -> T:
    """Run `work` committed at once, outside the test's transaction, so the servers see it."""
    return on_own_connection(work)


@dataclass(frozen=True)
class Person:
    user_id: int
    email: str
    token: str


@dataclass(frozen=True)
class ChatRoom:
    tenant: TenantInfo
    room_id: int
    people: list[Person]


def make_room(tenant: TenantInfo, people: int, room_id: int | None = None) -> ChatRoom:
    """A public room of `people` new people with access tokens, committed; with `room_id`, the
    room takes that id (see `unused_room_id`)."""
    tag = uuid.uuid4().hex[:8]
    with schema_context(tenant.schema):
        users = [
            do_create_user(email=f"ws-{tag}-{n}@{tenant.client.slug}.test", password=PASSWORD, name=f"Person {n}")
            for n in range(people)
        ]
        if room_id is None:
            room = do_create_room(tenant=tenant.client, name=f"Stream {tag}", creator=users[0], members=users[1:])
        else:
            room = Room.objects.create(pk=room_id, name=f"Stream {tag}", slug=f"stream-{tag}", created_by=users[0])
            Membership.objects.bulk_create(
                [Membership(room=room, user=user, role=Membership.Role.MEMBER) for user in users]
            )
        tokens = [str(mint_tokens(user, tenant.client).access_token) for user in users]
    return ChatRoom(
        tenant=tenant,
        room_id=room.pk,
        people=[Person(user.pk, user.email, token) for user, token in zip(users, tokens, strict=True)],
    )


def unused_room_id(*tenants: TenantInfo) -> int:
    """A room id that none of `tenants` has used or will hand out soon (beyond each one's rooms
    and id sequence): rooms of different tenants can then carry the same number."""

    def highest(tenant: TenantInfo) -> int:
        with schema_context(tenant.schema), connection.cursor() as cursor:
            cursor.execute("SELECT last_value FROM chat_room_id_seq")
            (last_value,) = cursor.fetchone()
            return max(int(last_value), Room.objects.aggregate(top=Max("pk"))["top"] or 0)

    return committed(lambda: max(highest(tenant) for tenant in tenants)) + 1000


def stored_messages(chat_room: ChatRoom) -> list[tuple[int, int | None, str | None]]:
    """(id, author, client_id) of every message of the room in the database, by id."""

    def read() -> list[tuple[int, int | None, str | None]]:
        with schema_context(chat_room.tenant.schema):
            rows = Message.objects.filter(room_id=chat_room.room_id).order_by("id")
            return list(rows.values_list("id", "author_id", "client_id"))

    return committed(read)


def send_through_api(chat_room: ChatRoom, person: int, messages: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """POST (body, client_id) pairs to the REST API as `chat_room.people[person]`, served by this
    process (another web process, as far as the servers are concerned); returns (status, id)."""

    def send() -> list[tuple[int, int]]:
        client = host_client(chat_room.tenant.host)
        auth = f"Bearer {chat_room.people[person].token}"
        answers = []
        for body, client_id in messages:
            response = client.post(
                f"/api/rooms/{chat_room.room_id}/messages/",
                {"body": body, "client_id": client_id},
                content_type="application/json",
                HTTP_AUTHORIZATION=auth,
            )
            assert response.status_code in (200, 201), response.content[:500]
            answers.append((response.status_code, int(response.json()["id"])))
        return answers

    return committed(send)


def write_history(chat_room: ChatRoom, person: int, count: int) -> list[int]:
    """`count` messages written straight to the table in one go (a busy day in the room); returns
    their ids, in order."""

    def write() -> list[int]:
        with schema_context(chat_room.tenant.schema), transaction.atomic():
            author_id = chat_room.people[person].user_id
            # Numbered like sends number them: the room's row lock, then the next `seq`s.
            room = Room.objects.select_for_update().get(pk=chat_room.room_id)
            first = room.last_seq + 1
            room.last_seq += count
            room.save(update_fields=["last_seq"])
            rows = [
                Message(
                    room_id=room.pk,
                    seq=first + n,
                    author_id=author_id,
                    body=f"history {n}",
                    html=f"<p>history {n}</p>",
                )
                for n in range(count)
            ]
            return sorted(message.pk for message in Message.objects.bulk_create(rows))

    return committed(write)


def remove_room(chat_room: ChatRoom) -> None:
    with schema_context(chat_room.tenant.schema):
        Room.objects.filter(pk=chat_room.room_id).delete()  # its messages go with it
        User.objects.filter(pk__in=[person.user_id for person in chat_room.people]).delete()
