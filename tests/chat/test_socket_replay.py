"""Catching up: `subscribe {after}` replays from the database, then streams, with no gap and no
duplicate at the seam, however long the client was away."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from chat.actions import do_delete_message, do_edit_message, do_send_message
from chat.models import Message
from chat.realtime import session
from tests.support.sockets import MakeMember, MakeRoom, Member, open_socket
from tests.support.tenants import TenantInfo


def post(tenant: TenantInfo, author: Member, room: Any, bodies: list[str], blocker: Any) -> list[int]:
    with blocker.unblock(), schema_context(tenant.schema):
        return [
            do_send_message(tenant=tenant.client, author=author.user, room=room, body=body).message.pk
            for body in bodies
        ]


def test_subscribe_after_replays_what_was_missed_then_streams(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any, django_db_blocker: Any
) -> None:
    # given: bob last saw message `seen`; three more were sent while he was away
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])
    seen, *missed = post(tenant_a, alice, room, ["old", "one", "two", "three"], django_db_blocker)

    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
        a, _ = await open_socket(tenant_a, alice)
        b, _ = await open_socket(tenant_a, bob)
        # when: he resubscribes from `seen`, and alice writes again afterwards
        await b.subscribe(room.pk, after=seen)
        replay = [await b.next() for _ in missed]
        subscribed = await b.expect("subscribed")
        await a.send({"type": "message.send", "room": room.pk, "body": "live", "client_id": "l1"})
        live = await b.expect("message.new")
        await a.disconnect()
        await b.disconnect()
        return replay, subscribed, live

    replay, subscribed, live = run_async(scenario)

    # then: the missed messages in order, the live one after them
    assert [f["type"] for f in replay] == ["message.new"] * 3
    assert [f["message"]["id"] for f in replay] == missed
    assert subscribed == {"type": "subscribed", "room": room.pk, "last_id": missed[-1]}
    assert live["message"]["body"] == "live" and live["message"]["id"] > missed[-1]


def test_subscribe_without_after_streams_only_new_messages(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any, django_db_blocker: Any
) -> None:
    alice = make_member(tenant_a)
    room = make_room(tenant_a, members=[alice])
    (old,) = post(tenant_a, alice, room, ["history"], django_db_blocker)

    async def scenario() -> list[dict[str, Any]]:
        a, _ = await open_socket(tenant_a, alice)
        await a.subscribe(room.pk)
        frames = await a.collect(0.5)
        await a.disconnect()
        return frames

    assert run_async(scenario) == [{"type": "subscribed", "room": room.pk, "last_id": old}]


@pytest.mark.parametrize("batch", [3])
def test_replay_with_concurrent_sends_ends_with_every_message_once_in_order(
    tenant_a: TenantInfo,
    make_member: MakeMember,
    make_room: MakeRoom,
    run_async: Any,
    django_db_blocker: Any,
    monkeypatch: pytest.MonkeyPatch,
    batch: int,
) -> None:
    # given: 30 messages to catch up on, read 3 per database call, so the replay takes many
    # turns of the event loop while two senders keep writing
    monkeypatch.setattr(session, "REPLAY_BATCH", batch)
    alice, bob, carol = make_member(tenant_a), make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob, carol])
    before = post(tenant_a, alice, room, [f"before {i}" for i in range(30)], django_db_blocker)

    async def scenario() -> list[int]:
        a, _ = await open_socket(tenant_a, alice)
        c, _ = await open_socket(tenant_a, carol)
        b, _ = await open_socket(tenant_a, bob)

        async def keep_sending(sender: Any, name: str) -> None:
            for i in range(15):
                await sender.send(
                    {"type": "message.send", "room": room.pk, "body": f"{name} {i}", "client_id": f"{name}{i}"}
                )
                await asyncio.sleep(0)

        # when: bob subscribes from the start while alice and carol send 30 more
        senders = asyncio.gather(keep_sending(a, "a"), keep_sending(c, "c"))
        await b.subscribe(room.pk, after=0)
        await senders
        received: list[int] = []
        while True:
            frames = await b.collect(1.0)
            if not frames:
                break
            received += [f["message"]["id"] for f in frames if f["type"] == "message.new"]
            assert all(f["type"] in ("message.new", "subscribed") for f in frames), frames
        for s in (a, b, c):
            await s.disconnect()
        return received

    received = run_async(scenario)

    # then: every message of the room exactly once, in id order
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        stored = list(Message.objects.filter(room=room).order_by("id").values_list("pk", flat=True))
    assert len(stored) == 60 and stored[:30] == before
    assert received == stored


def test_subscribe_with_changes_since_replays_edits_and_deletes_of_seen_messages(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any, django_db_blocker: Any
) -> None:
    # given: bob saw three messages; since then one was edited and one deleted
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])
    first, second, third = post(tenant_a, alice, room, ["one", "two", "three"], django_db_blocker)
    left_at = timezone.now()
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        do_edit_message(tenant=tenant_a.client, editor=alice.user, message=Message.objects.get(pk=first), body="uno")
        do_delete_message(tenant=tenant_a.client, message=Message.objects.get(pk=third))

    async def scenario() -> list[dict[str, Any]]:
        b, _ = await open_socket(tenant_a, bob)
        # when: he comes back days later in his client's mind
        await b.subscribe(room.pk, after=third, changes_since=(left_at - timedelta(seconds=0)).isoformat())
        frames = await b.until("subscribed")
        frames += await b.collect(0.3)
        await b.disconnect()
        return frames

    frames = run_async(scenario)

    # then: the changed ones as `message.updated`, the untouched one not at all
    updated = [f["message"] for f in frames if f["type"] == "message.updated"]
    assert [(m["id"], m["body"], m["deleted"]) for m in updated] == [(first, "uno", False), (third, "", True)]
    assert frames[-1] == {"type": "subscribed", "room": room.pk, "last_id": third}
    assert second not in [m["id"] for m in updated]
