"""The per-process hub: one group membership per room and process, however many sockets, that
survives mass disconnects and lost group state; and both channel layers deliver."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings

from chat import events
from chat.realtime.hub import get_hub
from tests.support.sockets import MakeMember, MakeRoom, live_in_room, open_socket
from tests.support.tenants import TenantInfo


def use_layer(settings: Any, backend: str) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": backend,
            "CONFIG": {"hosts": [{"address": django_settings.REDIS_URL, "max_connections": 64}]},
        }
    }


@pytest.fixture
def core_layer(settings: Any) -> None:
    """The membership tests read the core layer's groups in Redis, whatever the default layer."""
    use_layer(settings, "channels_redis.core.RedisChannelLayer")


@pytest.fixture
def pubsub_layer(settings: Any) -> None:
    use_layer(settings, "channels_redis.pubsub.RedisPubSubChannelLayer")


def group_members(group: str) -> int:
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    try:
        return int(client.zcard(f"asgi:group:{group}"))
    finally:
        client.close()


def test_many_sockets_of_a_room_share_one_membership_that_outlives_a_mass_disconnect(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any, core_layer: None
) -> None:
    # given: 30 sockets of one process subscribed to a room
    alice = make_member(tenant_a)
    room = make_room(tenant_a, members=[alice])
    group = events.room_group(tenant_a.client.pk, room.pk)

    async def scenario() -> tuple[int, int, dict[str, Any], int]:
        sockets = [(await open_socket(tenant_a, alice))[0] for _ in range(30)]
        for s in sockets:
            await s.subscribe(room.pk)
            await s.expect("subscribed")
        with_all = group_members(group)
        # when: 29 disconnect at once
        await asyncio.gather(*(s.disconnect() for s in sockets[1:]))
        await asyncio.sleep(0.2)
        with_one = group_members(group)
        # then the last one still receives
        await sockets[0].send({"type": "message.send", "room": room.pk, "body": "still here", "client_id": "h1"})
        received = await sockets[0].expect("message.new")
        await sockets[0].disconnect()
        await asyncio.sleep(0.2)
        return with_all, with_one, received, group_members(group)

    with_all, with_one, received, with_none = run_async(scenario)

    assert (with_all, with_one, with_none) == (1, 1, 0)
    assert received["message"]["body"] == "still here"


def test_lost_group_membership_is_restored_by_the_periodic_refresh(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any, core_layer: None
) -> None:
    # given: a subscribed socket whose group vanished from Redis (expiry, a restarted Redis)
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])
    group = events.room_group(tenant_a.client.pk, room.pk)

    async def scenario() -> dict[str, Any]:
        b = await live_in_room(tenant_a, bob, room.pk)
        client = redis.Redis.from_url(django_settings.REDIS_URL)
        client.delete(f"asgi:group:{group}")
        client.close()
        # when: the hub refreshes its groups
        await get_hub().refresh()
        a, _ = await open_socket(tenant_a, alice)
        await a.send({"type": "message.send", "room": room.pk, "body": "after the loss", "client_id": "g1"})
        received = await b.expect("message.new")
        await a.disconnect()
        await b.disconnect()
        return received

    # then: delivery goes on
    assert run_async(scenario)["message"]["body"] == "after the loss"


def test_pubsub_layer_delivers_messages_and_replays(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any, pubsub_layer: None
) -> None:
    # given: the PubSub layer, two members, one subscribed
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])

    async def scenario() -> tuple[str, list[dict[str, Any]]]:
        from channels.layers import get_channel_layer

        layer_name = type(get_channel_layer()).__name__
        a, _ = await open_socket(tenant_a, alice)
        b, _ = await open_socket(tenant_a, bob)
        await b.subscribe(room.pk, after=0)
        await b.expect("subscribed")
        # when: alice sends twice
        for i in range(2):
            await a.send({"type": "message.send", "room": room.pk, "body": f"ps {i}", "client_id": f"ps{i}"})
        frames = [await b.expect("message.new") for _ in range(2)]
        await a.disconnect()
        await b.disconnect()
        return layer_name, frames

    layer_name, frames = run_async(scenario)

    # then: both arrive, in order
    assert layer_name == "RedisPubSubChannelLayer"
    assert [f["message"]["body"] for f in frames] == ["ps 0", "ps 1"]
