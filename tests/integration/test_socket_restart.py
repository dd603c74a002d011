"""No message is lost or doubled when the web process dies: killed mid-conversation (SIGKILL,
sends in flight), started again on its port, its clients reconnect with backoff, resubscribe
from the last id they have and re-send what was not acknowledged with the same client_id.

Real daphne processes on the test database, real WebSocket clients over loopback.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.support.chat_clients import ChatClient, close_all, duplicates, out_of_order, wait_all
from tests.support.live_chat import ChatRoom, StartServer, send_through_api, stored_messages, write_history
from tests.support.servers import DaphneProcess
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db

SENDERS = 2
LISTENERS = 3
BEFORE_CRASH = 15  # messages each sender sends at a steady pace before the crash
IN_FLIGHT = 5  # sent by each in one burst, right before the kill
WHILE_DOWN = 5  # typed by each while the server is down
AFTER_RESTART = 10
SENT_ELSEWHERE = 6  # sent through the API by a process that stayed up, while this one is down
PACE = 0.02


@dataclass
class Crash:
    clients: list[ChatClient]
    in_flight: int  # sends not acknowledged when the server was killed
    sent_elsewhere: list[int]


def clients_of(chat_room: ChatRoom, server: DaphneProcess) -> list[ChatClient]:
    return [
        ChatClient(f"person-{n}", chat_room.tenant.host, person.token, person.user_id, server.port)
        for n, person in enumerate(chat_room.people)
    ]


async def talk(sender: ChatClient, room: int, numbers: range, pace: float = PACE) -> None:
    for n in numbers:
        await sender.post(room, f"{sender.name} says {n}", f"{sender.name}-{n}")
        if pace:
            await asyncio.sleep(pace)


async def converse_through_a_crash(server: DaphneProcess, chat_room: ChatRoom) -> Crash:
    room = chat_room.room_id
    clients = clients_of(chat_room, server)
    senders = clients[:SENDERS]
    try:
        for client in clients:
            client.start({room: 0})
        await wait_all(client.wait_subscribed(room) for client in clients)

        # A steady conversation, then a burst the server is still taking in when it is killed.
        await asyncio.gather(*(talk(sender, room, range(BEFORE_CRASH)) for sender in senders))
        first_burst = BEFORE_CRASH + IN_FLIGHT
        await asyncio.gather(*(talk(sender, room, range(BEFORE_CRASH, first_burst), pace=0) for sender in senders))
        in_flight = sum(len(sender.outbox) for sender in senders)
        await asyncio.to_thread(server.kill)

        # While it is down, people keep typing, and messages come in through another process.
        down_until = first_burst + WHILE_DOWN
        await asyncio.gather(*(talk(sender, room, range(first_burst, down_until)) for sender in senders))
        elsewhere = [(f"sent elsewhere {n}", f"elsewhere-{n}") for n in range(SENT_ELSEWHERE)]
        answers = await asyncio.to_thread(send_through_api, chat_room, SENDERS, elsewhere + elsewhere[:1])
        assert [status for status, _ in answers] == [201] * SENT_ELSEWHERE + [200]  # the retry is not stored again
        sent_elsewhere = [message_id for _, message_id in answers[:SENT_ELSEWHERE]]

        await asyncio.to_thread(server.start)
        await asyncio.gather(*(talk(sender, room, range(down_until, down_until + AFTER_RESTART)) for sender in senders))
        await wait_all((sender.wait_acked(timeout=30) for sender in senders), timeout=35)
        last_id = (await asyncio.to_thread(stored_messages, chat_room))[-1][0]
        await wait_all((client.wait_for_id(room, last_id, timeout=20) for client in clients), timeout=25)
        await asyncio.sleep(0.5)  # room for a late duplicate to show up
        return Crash(clients=clients, in_flight=in_flight, sent_elsewhere=sent_elsewhere)
    finally:
        await close_all(clients)


def test_messages_reach_every_client_exactly_once_when_the_server_is_killed_mid_conversation(
    start_server: StartServer, make_chat_room: Callable[..., ChatRoom], tenant_a: TenantInfo
) -> None:
    # Given five people of a room connected to one web process, two of them talking
    chat_room = make_chat_room(tenant_a, SENDERS + LISTENERS)
    server = start_server("web")

    # When the process is killed while sends are in flight, messages arrive elsewhere while it is
    # down, and it is started again on the same port
    crash = asyncio.run(asyncio.wait_for(converse_through_a_crash(server, chat_room), 55))

    # Then every message committed for the room reached every client once, in id order
    stored = stored_messages(chat_room)
    ids = [message_id for message_id, _, _ in stored]
    for client in crash.clients:
        received = client.ids(chat_room.room_id)
        assert duplicates(received) == [], f"{client.name} received these more than once"
        assert sorted(set(ids) - set(received)) == [], f"{client.name} never received these"
        assert sorted(set(received) - set(ids)) == [], f"{client.name} received messages that are not stored"
        assert out_of_order(received) == [], f"{client.name} received these out of order"
        assert client.errors == []
    # and every send tried was stored exactly once, nothing else
    tried = Counter((client.user_id, client_id) for client in crash.clients[:SENDERS] for client_id in client.tried)
    assert len(tried) == SENDERS * (BEFORE_CRASH + IN_FLIGHT + WHILE_DOWN + AFTER_RESTART)
    stored_sends = Counter(
        (author, client_id) for message_id, author, client_id in stored if message_id not in crash.sent_elsewhere
    )
    assert stored_sends == tried
    # and the crash really happened mid-conversation, and the clients caught up from the database
    assert crash.in_flight > 0, "every send was acknowledged before the kill: nothing was in flight"
    assert all(client.connections == 2 for client in crash.clients)
    assert all(client.replayed[chat_room.room_id] >= SENT_ELSEWHERE for client in crash.clients)


async def come_back(server: DaphneProcess, chat_room: ChatRoom, after: int) -> ChatClient:
    room = chat_room.room_id
    returning, present = clients_of(chat_room, server)
    try:
        present.start({room: after})
        await present.wait_subscribed(room)
        returning.start({room: after})
        await returning.wait_subscribed(room, timeout=30)
        await present.post(room, "welcome back", "welcome-back")
        await present.wait_acked()
        await returning.wait_for_id(room, present.acked["welcome-back"])
        await asyncio.sleep(0.3)
        return returning
    finally:
        await close_all([returning, present])


def test_subscribe_replays_hundreds_of_missed_messages_after_a_long_absence(
    start_server: StartServer, make_chat_room: Callable[..., ChatRoom], tenant_a: TenantInfo
) -> None:
    # Given a client that last saw message `seen`, and 600 messages written since it went away
    chat_room = make_chat_room(tenant_a, 2)
    [(_, seen)] = send_through_api(chat_room, 1, [("before you left", "before")])
    missed = write_history(chat_room, 1, 600)
    server = start_server("web")

    # When it reconnects and subscribes with `after` = seen, then someone says something live
    returning = asyncio.run(asyncio.wait_for(come_back(server, chat_room, seen), 50))

    # Then it received every missed message once, in order, from the database, then the live one
    received = returning.ids(chat_room.room_id)
    assert duplicates(received) == []
    assert received[: len(missed)] == missed
    assert returning.replayed[chat_room.room_id] == len(missed)
    assert received[len(missed) :] == [returning.cursor[chat_room.room_id]]
    assert [message["body"] for message in returning.received[chat_room.room_id][-1:]] == ["welcome back"]
