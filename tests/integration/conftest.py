"""Real daphne processes on the test database for WebSocket tests over loopback, and people with
a room to talk in.

The servers are other processes and see only committed data, while a `django_db` test runs in a
transaction that is rolled back: data for the servers is written through `committed`, on a
connection of its own, and removed afterwards, since the test database is kept between runs.
When a test fails, the tail of every server's log is added to its report.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
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
from tests.conftest import PASSWORD, ROOT, TenantInfo, database_url_for_subprocess, host_client, on_own_connection
from tests.servers import DaphneProcess, free_port, server_env

SERVERS = pytest.StashKey[list[DaphneProcess]]()
# Senders in these tests go faster than a person; the per-socket send limit is not under test.
FAST_SENDS = {"CHAT_SEND_RATE": "10000", "CHAT_SEND_BURST": "10000"}

StartServer = Callable[..., DaphneProcess]
T = TypeVar("T")


def committed(work: Callable[[], T]) -> T:
    """Run `work` committed at once, outside the test's transaction, so the servers see it."""
    return on_own_connection(work)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        for server in item.stash.get(SERVERS, []):
            report.sections.append((f"{server.name} log ({server.log_path})", server.log()))
    return report


@pytest.fixture
def start_server(
    request: pytest.FixtureRequest,
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    tmp_path: Path,
) -> Iterator[StartServer]:
    """Start a daphne process on the test database and Redis: `start_server("web-1",
    CHANNEL_LAYER="pubsub")`. Every process started is stopped after the test, whatever happened."""
    servers: list[DaphneProcess] = []
    request.node.stash[SERVERS] = servers
    database_url = database_url_for_subprocess()
    log_dir = Path(os.environ.get("DATA_DIR", ROOT / ".data"))

    def start(
        name: str = "web", *, daphne_args: tuple[str, ...] = (), as_deployed: bool = False, **env: str
    ) -> DaphneProcess:
        port = free_port()
        server = DaphneProcess(
            port=port,
            env=server_env(port, tmp_path / f"mail-{name}", database_url, **{**FAST_SENDS, **env}),
            log_path=log_dir / f"test-{name}.log",
            name=name,
            args=daphne_args,
            as_deployed=as_deployed,
        )
        server.log_path.unlink(missing_ok=True)  # the log of this test only
        servers.append(server)
        server.start()
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


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


def remove_room(chat_room: ChatRoom) -> None:
    with schema_context(chat_room.tenant.schema):
        Room.objects.filter(pk=chat_room.room_id).delete()  # its messages go with it
        User.objects.filter(pk__in=[person.user_id for person in chat_room.people]).delete()


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


@pytest.fixture
def make_chat_room() -> Iterator[Callable[..., ChatRoom]]:
    """`make_chat_room(tenant_a, 6)`: a committed room with six people, removed after the test."""
    made: list[ChatRoom] = []

    def make(tenant: TenantInfo, people: int, room_id: int | None = None) -> ChatRoom:
        chat_room = committed(lambda: make_room(tenant, people, room_id))
        made.append(chat_room)
        return chat_room

    yield make
    for chat_room in made:
        committed(lambda chat_room=chat_room: remove_room(chat_room))  # type: ignore[misc]
