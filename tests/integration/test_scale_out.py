"""Two web processes that share nothing but PostgreSQL and Redis deliver to each other's
clients through the channel layer, with either channels-redis layer, and keep tenants apart.

Real daphne processes on the test database, real WebSocket clients over loopback.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.support.chat_clients import ChatClient, close_all, duplicates, out_of_order, wait_all
from tests.support.live_chat import ChatRoom, StartServer, stored_messages, unused_room_id
from tests.support.servers import DaphneProcess
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db

EACH = 10  # messages sent through each process
PACE = 0.02


@dataclass
class Crossing:
    clients_a: list[ChatClient]
    client_b: ChatClient


def client_for(chat_room: ChatRoom, person: int, server: DaphneProcess) -> ChatClient:
    return ChatClient(
        f"{chat_room.tenant.client.slug}-{person}-on-{server.name}",
        chat_room.tenant.host,
        chat_room.people[person].token,
        chat_room.people[person].user_id,
        server.port,
    )


async def talk(sender: ChatClient, room: int, marker: str) -> None:
    for n in range(EACH):
        await sender.post(room, f"{marker} from {sender.name}: {n}", f"{sender.name}-{n}")
        await asyncio.sleep(PACE)


async def converse_across(web_1: DaphneProcess, web_2: DaphneProcess, room_a: ChatRoom, room_b: ChatRoom) -> Crossing:
    clients_a = [
        client_for(room_a, 0, web_1),
        client_for(room_a, 1, web_1),
        client_for(room_a, 2, web_2),
        client_for(room_a, 3, web_2),
    ]
    # B's room has the same number as A's: a group name without the tenant would mix them.
    client_b = client_for(room_b, 0, web_2)
    everyone = [*clients_a, client_b]
    try:
        for client in clients_a:
            client.start({room_a.room_id: 0})
        client_b.start({room_b.room_id: 0})
        await wait_all(client.wait_subscribed(room_a.room_id) for client in clients_a)
        await client_b.wait_subscribed(room_b.room_id)

        # One person talks through each process at the same time, and someone of B in B's room.
        sender_1, sender_2 = clients_a[0], clients_a[2]
        await asyncio.gather(
            talk(sender_1, room_a.room_id, "from acme"),
            talk(sender_2, room_a.room_id, "from acme"),
            talk(client_b, room_b.room_id, "from globex"),
        )
        await wait_all(client.wait_acked() for client in (sender_1, sender_2, client_b))
        last_a = (await asyncio.to_thread(stored_messages, room_a))[-1][0]
        await wait_all(client.wait_for_id(room_a.room_id, last_a) for client in clients_a)
        await asyncio.sleep(0.5)  # room for a late duplicate or a stray message to show up
        return Crossing(clients_a=clients_a, client_b=client_b)
    finally:
        await close_all(everyone)


@pytest.mark.parametrize("layer", ["core", "pubsub"])
def test_messages_cross_between_two_web_processes_exactly_once(
    layer: str,
    start_server: StartServer,
    make_chat_room: Callable[..., ChatRoom],
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
) -> None:
    # Given two web processes on the same database and Redis, people of A's room on both, and a
    # person of B on the second one, in a room of B with the same id
    same_id = unused_room_id(tenant_a, tenant_b)
    room_a = make_chat_room(tenant_a, 4, room_id=same_id)
    room_b = make_chat_room(tenant_b, 1, room_id=same_id)
    web_1 = start_server("web-1", CHANNEL_LAYER=layer)
    web_2 = start_server("web-2", CHANNEL_LAYER=layer)

    # When someone talks through each process at once (and someone of B in B's room)
    crossing = asyncio.run(asyncio.wait_for(converse_across(web_1, web_2, room_a, room_b), 50))

    # Then every client of A, on either process, received every message of the room exactly once
    stored = [message_id for message_id, _, _ in stored_messages(room_a)]
    assert len(stored) == 2 * EACH
    for client in crossing.clients_a:
        received = client.ids(room_a.room_id)
        assert duplicates(received) == [], f"{client.name} received these more than once"
        assert sorted(received) == stored, f"{client.name} did not receive exactly the room's messages"
        assert client.errors == []
    # and the person of B received B's messages and nothing of A's
    client_b = crossing.client_b
    assert client_b.ids(room_b.room_id) == [message_id for message_id, _, _ in stored_messages(room_b)]
    assert len(client_b.ids(room_b.room_id)) == EACH
    assert not [frame for frame in client_b.frames if "from acme" in json.dumps(frame)]
    assert all("from globex" not in json.dumps(message) for client in crossing.clients_a for message in client.frames)


@dataclass
class Flaky:
    flaky: ChatClient
    steady: ChatClient


async def talk_through_a_flaky_network(
    web_1: DaphneProcess, web_2: DaphneProcess, chat_room: ChatRoom, count: int
) -> Flaky:
    room = chat_room.room_id
    sender_1, sender_2, steady = (client_for(chat_room, n, server) for n, server in enumerate([web_1, web_2, web_2]))
    person = chat_room.people[3]
    flaky = ChatClient("flaky", chat_room.tenant.host, person.token, person.user_id, web_2.port, drop_every=1)
    everyone = [sender_1, sender_2, steady, flaky]
    try:
        for client in everyone:
            client.start({room: 0})
        await wait_all(client.wait_subscribed(room) for client in everyone)

        async def talk(sender: ChatClient) -> None:
            for n in range(count):
                await sender.post(room, f"{sender.name} {n}", f"{sender.name}-{n}")
                await asyncio.sleep(PACE)

        await asyncio.gather(talk(sender_1), talk(sender_2))
        await wait_all((sender.wait_acked(timeout=20) for sender in (sender_1, sender_2)), timeout=25)
        last_id = (await asyncio.to_thread(stored_messages, chat_room))[-1][0]
        await wait_all((client.wait_for_id(room, last_id, timeout=20) for client in (steady, flaky)), timeout=25)
        await asyncio.sleep(0.5)
        return Flaky(flaky=flaky, steady=steady)
    finally:
        await close_all(everyone)


def test_a_client_that_reconnects_after_every_message_misses_nothing_from_two_processes(
    start_server: StartServer, make_chat_room: Callable[..., ChatRoom], tenant_a: TenantInfo
) -> None:
    # Given two web processes, a sender on each, a steady client, and a client whose connection
    # drops after every live message (it resubscribes with `after` = the last id it has)
    chat_room = make_chat_room(tenant_a, 4)
    web_1 = start_server("web-1")
    web_2 = start_server("web-2")

    # When both senders talk at once, so the commits of the two processes interleave
    clients = asyncio.run(asyncio.wait_for(talk_through_a_flaky_network(web_1, web_2, chat_room, 40), 55))

    # Then the flaky client has every message once
    stored = [message_id for message_id, _, _ in stored_messages(chat_room)]
    received = clients.flaky.ids(chat_room.room_id)
    assert clients.flaky.connections > 5
    assert duplicates(received) == []
    assert sorted(set(stored) - set(received)) == [], (
        "missed; the steady client received these (higher, lower) pairs out of order: "
        f"{out_of_order(clients.steady.ids(chat_room.room_id))}"
    )
