"""WebSocket tests over loopback against real daphne processes (`start_server`, in
tests/conftest.py): people with a room to talk in, and the servers' logs in a failed test's report.

The servers are other processes and see only committed data, while a `django_db` test runs in a
transaction that is rolled back: data for the servers is written through `committed`, on a
connection of its own, and removed afterwards, since the test database is kept between runs.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator

import pytest

from tests.support.live_chat import SERVERS, ChatRoom, committed, make_room, remove_room
from tests.support.tenants import TenantInfo


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
