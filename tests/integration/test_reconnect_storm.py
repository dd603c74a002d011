"""A reconnect storm: the web process holding 3,000 sockets dies and every client comes back at
once, as after a deploy. Each reconnects on the browser app's own schedule (backoff with
jitter, read from static/js/chat/socket.js), resubscribes from the last id it has, and must be
back within 30 s of the crash with nothing lost and nothing doubled.

The server is the Procfile's web command (its listen backlog and handshake timeout), a real
daphne process on the test database; the clients are real WebSocket connections over loopback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.support.chat_clients import ChatClient, app_backoff, close_all, duplicates, out_of_order, wait_all
from tests.support.live_chat import ChatRoom, StartServer, send_through_api, stored_messages
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db

SOCKETS = 3000
PEOPLE = 30  # each with SOCKETS / PEOPLE sockets open (tabs, devices)
OPENING_WAVE = 100  # sockets opened together before the storm, so the start is no storm itself
BEFORE = 3  # messages sent before the crash
WHILE_DOWN = 3  # sent through another process while this one is down
AFTER = 3  # sent once everyone is back
BACK_WITHIN = 30.0  # seconds from the crash until every socket is subscribed again


@dataclass
class Storm:
    clients: list[ChatClient]
    back_after: float  # seconds from the kill until the last socket was subscribed again
    reconnected: int  # sockets that opened a second connection


async def everyone_back(clients: list[ChatClient], room: int, since: float) -> float:
    """Seconds from `since` until every client has a new connection subscribed to `room`."""
    deadline = since + BACK_WITHIN + 30  # past the target, so a miss reports by how much
    while True:
        back = sum(client.connections >= 2 and client.is_subscribed(room) for client in clients)
        if back == len(clients):
            return time.monotonic() - since
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(clients) - back} of {len(clients)} sockets were not back")
        await asyncio.sleep(0.1)


async def storm(
    server_start: Callable[[], None], server_kill: Callable[[], None], chat_room: ChatRoom, port: int
) -> Storm:
    room = chat_room.room_id
    backoff = app_backoff()
    people = chat_room.people
    clients = [
        ChatClient(
            f"socket-{n}",
            chat_room.tenant.host,
            people[n % PEOPLE].token,
            people[n % PEOPLE].user_id,
            port,
            backoff=backoff,
            open_timeout=None,
        )
        for n in range(SOCKETS)
    ]
    sender = clients[0]
    try:
        for first in range(0, SOCKETS, OPENING_WAVE):
            wave = clients[first : first + OPENING_WAVE]
            for client in wave:
                client.start({room: 0})
            await wait_all((client.wait_subscribed(room, timeout=60) for client in wave), timeout=65)

        for n in range(BEFORE):
            await sender.post(room, f"before {n}", f"before-{n}")
        await wait_all((sender.wait_acked(timeout=30),), timeout=35)

        # The process dies with every socket open (SIGKILL: no closing handshake); while it is
        # down, messages arrive through another process.
        crashed = time.monotonic()
        await asyncio.to_thread(server_kill)
        down = [(f"while down {n}", f"down-{n}") for n in range(WHILE_DOWN)]
        await asyncio.to_thread(send_through_api, chat_room, 1, down)
        await asyncio.to_thread(server_start)
        back_after = await everyone_back(clients, room, crashed)

        for n in range(AFTER):
            await sender.post(room, f"after {n}", f"after-{n}")
        await wait_all((sender.wait_acked(timeout=30),), timeout=35)
        last_id = (await asyncio.to_thread(stored_messages, chat_room))[-1][0]
        await wait_all((client.wait_for_id(room, last_id, timeout=60) for client in clients), timeout=65)
        await asyncio.sleep(0.5)  # room for a late duplicate to show up
        reconnected = sum(client.connections >= 2 for client in clients)
        return Storm(clients=clients, back_after=back_after, reconnected=reconnected)
    finally:
        await close_all(clients)


def test_three_thousand_sockets_come_back_within_30_s_after_the_server_dies(
    start_server: StartServer, make_chat_room: Callable[..., ChatRoom], tenant_a: TenantInfo
) -> None:
    # Given 3,000 sockets of 30 people in one room, on one web process started as deployed
    chat_room = make_chat_room(tenant_a, PEOPLE)
    server = start_server("storm", as_deployed=True, CONN_MAX_AGE="60")

    # When the process is killed and started again, and messages arrive meanwhile
    result = asyncio.run(asyncio.wait_for(storm(server.start, server.kill, chat_room, server.port), 280))

    # Then every socket was back, subscribed, within 30 s of the crash
    print(f"\n{SOCKETS} sockets back {result.back_after:.1f} s after the crash")  # shown with -s
    assert result.reconnected == SOCKETS
    assert result.back_after <= BACK_WITHIN, f"the last socket was back after {result.back_after:.1f} s"
    # and each received every stored message once, in order: before, while down and after
    ids = [message_id for message_id, _, _ in stored_messages(chat_room)]
    assert len(ids) == BEFORE + WHILE_DOWN + AFTER
    for client in result.clients:
        received = client.ids(chat_room.room_id)
        assert duplicates(received) == [], f"{client.name} received these more than once"
        assert received == ids, f"{client.name} missed messages or got them out of order"
        assert out_of_order(received) == []
        assert client.errors == []
