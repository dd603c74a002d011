"""Sends that arrive together are written together (chat.actions.sending, chat.realtime.sending),
and each still answers for itself: its own refusal, its own `seq`, its own read position."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from billing.models import Usage
from chat.actions import Send, SendResult, do_send_message, do_send_messages
from chat.models import Membership, Message
from tests.support.sockets import MakeMember, MakeRoom, live_in_room
from tests.support.tenants import TenantInfo


def test_a_batch_numbers_each_room_in_order_and_refuses_only_what_is_wrong(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, django_db_blocker: Any
) -> None:
    # given: two rooms, three people
    alice, bob, carol = make_member(tenant_a), make_member(tenant_a), make_member(tenant_a)
    first = make_room(tenant_a, members=[alice, bob, carol])
    second = make_room(tenant_a, members=[carol, alice])
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        counted = Usage.objects.get(client=tenant_a.client).messages_total
        sends = [
            Send(alice.user, first, "one", "batch-a1"),
            Send(bob.user, first, "   "),  # blank: refused alone
            Send(carol.user, second, "two"),
            Send(alice.user, first, "one again", "batch-a1"),  # the same client_id: the first answers
            Send(bob.user, first, "three"),
            Send(alice.user, second, "four", thread_id=10**12),  # no such message to reply to
        ]
        # when: they are written as one batch
        outcomes = do_send_messages(tenant=tenant_a.client, sends=sends)

        # then: each send has its own outcome, in the order given
        assert [type(outcome) for outcome in outcomes] == [
            SendResult, ValidationError, SendResult, SendResult, SendResult, ValidationError,
        ]  # fmt: skip
        one, _, two, again, three, _ = outcomes
        assert isinstance(one, SendResult) and isinstance(again, SendResult)
        assert isinstance(two, SendResult) and isinstance(three, SendResult)
        assert again.created is False and again.message.pk == one.message.pk
        # each room numbered in arrival order, with ids in the same order
        assert (one.message.seq, three.message.seq) == (1, 2) and two.message.seq == 1
        assert one.message.pk < three.message.pk
        stored = list(Message.objects.filter(room=first).order_by("seq").values_list("seq", "id", "body"))
        assert stored == [(1, one.message.pk, "one"), (2, three.message.pk, "three")]
        # everyone has read their own message, and no one else's
        reads = dict(Membership.objects.filter(room=first).values_list("user_id", "last_read_id"))
        assert reads == {alice.user.pk: one.message.pk, bob.user.pk: three.message.pk, carol.user.pk: 0}
        # the plan counted what was written
        assert Usage.objects.get(client=tenant_a.client).messages_total == counted + 3


def test_a_batch_repeating_a_stored_client_id_is_answered_with_the_stored_message(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, django_db_blocker: Any
) -> None:
    alice = make_member(tenant_a)
    room = make_room(tenant_a, members=[alice])
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        stored = do_send_message(tenant=tenant_a.client, author=alice.user, room=room, body="hi", client_id="x1")
        outcomes = do_send_messages(
            tenant=tenant_a.client, sends=[Send(alice.user, room, "hi", "x1"), Send(alice.user, room, "new", "x2")]
        )
        repeated, fresh = outcomes
        assert isinstance(repeated, SendResult) and isinstance(fresh, SendResult)
        assert (repeated.created, repeated.message.pk) == (False, stored.message.pk)
        assert (fresh.created, fresh.message.seq) == (True, 2)
        assert repeated.payload["body"] == "hi"


def test_sends_from_many_sockets_at_once_reach_everyone_once_in_one_order_and_stay_in_their_tenant(
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    make_member: MakeMember,
    make_room: MakeRoom,
    run_async: Any,
    django_db_blocker: Any,
) -> None:
    # given: six people in a room of tenant A and two in a room of tenant B, all subscribed
    people = [make_member(tenant_a) for _ in range(6)]
    room = make_room(tenant_a, members=people)
    others = [make_member(tenant_b) for _ in range(2)]
    other_room = make_room(tenant_b, members=others)
    per_socket = 10

    async def scenario() -> tuple[list[list[dict[str, Any]]], list[list[dict[str, Any]]], list[dict[str, Any]]]:
        sockets = [await live_in_room(tenant_a, person, room.pk) for person in people]
        elsewhere = [await live_in_room(tenant_b, person, other_room.pk) for person in others]
        # when: every socket sends ten messages without waiting for any answer
        for number in range(per_socket):
            for index, socket in enumerate(sockets + elsewhere):
                target = room.pk if index < len(sockets) else other_room.pk
                body = f"from {index} number {number}"
                await socket.send(
                    {"type": "message.send", "room": target, "body": body, "client_id": f"{index}-{number}"}
                )
        expected = len(sockets) * per_socket
        received = [await _messages(socket, expected) for socket in sockets]
        received_elsewhere = [await _messages(socket, len(others) * per_socket) for socket in elsewhere]
        acks = [frame for socket in sockets for frame in await socket.collect(0.3, ignore=frozenset({"typing"}))]
        for socket in sockets + elsewhere:
            await socket.disconnect()
        return received, received_elsewhere, acks

    received, received_elsewhere, _ = run_async(scenario)

    # then: everyone in A got all 60 once, in the same order, numbered 1..60 without a gap
    orders = [[frame["message"]["id"] for frame in frames] for frames in received]
    assert all(order == orders[0] for order in orders) and len(set(orders[0])) == 60
    assert [frame["message"]["seq"] for frame in received[0]] == list(range(1, 61))
    # one person's messages in the order they were sent
    for index in range(len(people)):
        mine = [
            frame["message"]["body"] for frame in received[0] if frame["message"]["body"].startswith(f"from {index} ")
        ]
        assert mine == [f"from {index} number {number}" for number in range(per_socket)]
    # B's people heard only B's messages
    assert all(frame["message"]["room"] == other_room.pk for frames in received_elsewhere for frame in frames)
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        # sends that arrived together were written together (one batch, one timestamp)
        together = Counter(Message.objects.filter(room=room).values_list("created_at", flat=True))
        assert max(together.values()) > 1


async def _messages(socket: Any, count: int) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    while len(frames) < count:
        frame = await asyncio.wait_for(socket.next(10), 15)
        if frame["type"] == "message.new":
            frames.append(frame)
        else:
            assert frame["type"] == "ack", frame
    return frames
