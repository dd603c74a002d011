"""Sending, editing, deleting and reacting over the socket, as the people in the room see it."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from chat.models import Message
from tests.support.sockets import MakeMember, MakeRoom, live_in_room, open_socket
from tests.support.tenants import TenantInfo


def test_send_reaches_every_subscriber_once(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    # given: two members subscribed to a room
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
        a, _ = await open_socket(tenant_a, alice)
        b, _ = await open_socket(tenant_a, bob)
        for s in (a, b):
            await s.subscribe(room.pk)
            await s.expect("subscribed")
        # when: alice sends
        await a.send({"type": "message.send", "room": room.pk, "body": "hello **bob**", "client_id": "c1"})
        got_a = await a.expect("message.new")
        got_b = await b.expect("message.new")
        rest = await a.collect(0.3) + await b.collect(0.3)
        await a.disconnect()
        await b.disconnect()
        return got_a, got_b, rest

    got_a, got_b, rest = run_async(scenario)

    # then: both see the same stored message, once
    assert got_a == got_b
    assert got_a["message"]["body"] == "hello **bob**"
    assert got_a["message"]["author"]["id"] == alice.pk
    assert got_a["message"]["client_id"] == "c1"
    assert rest == []


def test_send_retried_with_the_same_client_id_is_stored_and_broadcast_once(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any, django_db_blocker: Any
) -> None:
    # given: alice sends, and bob watches the room
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        a, _ = await open_socket(tenant_a, alice)
        b, _ = await open_socket(tenant_a, bob)
        for s in (a, b):
            await s.subscribe(room.pk)
            await s.expect("subscribed")
        send = {"type": "message.send", "room": room.pk, "body": "only once", "client_id": "retry-1", "ref": 7}
        # when: the same send arrives twice (a retry after a lost answer)
        await a.send(send)
        await a.send(send)
        seen_a = await a.until("ack")
        seen_a += await a.until("ack")
        seen_a += await a.collect(0.3)
        seen_b = await b.until("message.new")
        seen_b += await b.collect(0.3)
        await a.disconnect()
        await b.disconnect()
        return seen_a, seen_b

    seen_a, seen_b = run_async(scenario)

    # then: one row; bob hears of it once; alice gets it twice (broadcast, then the answer to
    # her retry), both acks name the same message, the second as not created
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        rows = list(Message.objects.filter(room=room, client_id="retry-1").values_list("pk", flat=True))
    assert len(rows) == 1
    assert [f["message"]["id"] for f in seen_b if f["type"] == "message.new"] == rows
    assert [f["message"]["id"] for f in seen_a if f["type"] == "message.new"] == rows * 2
    acks = [f for f in seen_a if f["type"] == "ack"]
    assert [(a["ref"], a["message"], a["created"]) for a in acks] == [(7, rows[0], True), (7, rows[0], False)]


def test_send_without_subscription_answers_the_sender_directly(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    # given: a member whose socket follows no room
    alice = make_member(tenant_a)
    room = make_room(tenant_a, members=[alice])

    async def scenario() -> list[dict[str, Any]]:
        a, _ = await open_socket(tenant_a, alice)
        # when: she sends to the room
        await a.send({"type": "message.send", "room": room.pk, "body": "from the sidebar", "client_id": "x"})
        frames = [await a.expect("message.new")]
        frames += await a.collect(0.5)
        await a.disconnect()
        return frames

    frames = run_async(scenario)

    # then: she still learns of her stored message, once
    assert [f["type"] for f in frames] == ["message.new"]
    assert frames[0]["message"]["body"] == "from the sidebar"


def test_edit_delete_and_reactions_reach_the_room(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    # given: bob watches a room where alice wrote a message
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])

    async def scenario() -> list[dict[str, Any]]:
        a, _ = await open_socket(tenant_a, alice)
        b = await live_in_room(tenant_a, bob, room.pk)
        await a.send({"type": "message.send", "room": room.pk, "body": "first", "client_id": "e1"})
        message_id = (await a.expect("message.new"))["message"]["id"]
        # when: alice edits, bob reacts and takes it back, alice deletes
        steps = [
            (a, {"type": "message.edit", "id": message_id, "body": "second"}),
            (b, {"type": "reaction.add", "message": message_id, "emoji": "👍"}),
            (b, {"type": "reaction.remove", "message": message_id, "emoji": "👍"}),
            (a, {"type": "message.delete", "id": message_id}),
        ]
        seen_by_b: list[dict[str, Any]] = []
        for number, (socket, frame) in enumerate(steps):
            # one at a time: each waits for its acknowledgement
            await socket.send({**frame, "ref": number})
            frames = await socket.until("ack")
            if socket is b:
                seen_by_b += frames
        seen_by_b += await b.collect(0.5)
        frames = [f for f in seen_by_b if f["type"] != "ack"]
        await a.disconnect()
        await b.disconnect()
        return frames

    frames = run_async(scenario)

    # then: bob sees each change in order
    assert [f["type"] for f in frames] == [
        "message.new",
        "message.updated",
        "reaction.added",
        "reaction.removed",
        "message.deleted",
    ]
    assert frames[1]["message"]["body"] == "second" and frames[1]["message"]["edited_at"]
    assert frames[2]["reactions"] == [{"emoji": "👍", "count": 1, "users": [bob.pk]}]
    assert frames[3]["reactions"] == []
    assert frames[4] == {"type": "message.deleted", "id": frames[0]["message"]["id"], "room": room.pk}


def test_read_position_is_announced_to_the_room(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        a, _ = await open_socket(tenant_a, alice)
        b, _ = await open_socket(tenant_a, bob)
        await a.subscribe(room.pk)
        await a.expect("subscribed")
        await a.send({"type": "message.send", "room": room.pk, "body": "read me", "client_id": "r1"})
        message_id = (await a.expect("message.new"))["message"]["id"]
        # when: bob marks it read
        await b.send({"type": "read", "room": room.pk, "message": message_id, "ref": "r"})
        ack = await b.expect("ack")
        seen = await a.expect("read")
        await a.disconnect()
        await b.disconnect()
        return ack, seen

    ack, seen = run_async(scenario)

    assert seen == {"type": "read", "room": room.pk, "user": bob.pk, "message": ack["message"]}
    assert ack["ref"] == "r"


def test_bad_frames_get_an_error_and_the_socket_stays_usable(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    alice = make_member(tenant_a)
    room = make_room(tenant_a, members=[alice])

    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        a, _ = await open_socket(tenant_a, alice)
        errors = []
        # when: every kind of bad input
        for text in ("not json", "[1, 2]", '{"no": "type"}', '{"type": "teleport", "ref": 1}', "x" * 70_000):
            await a.send_text(text)
            errors.append(await a.expect("error"))
        bad: list[dict[str, Any]] = [
            {"type": "subscribe", "room": "abc", "ref": 2},
            {"type": "subscribe", "room": 999_999_999, "ref": 3},
            {"type": "message.send", "room": room.pk, "body": "   ", "client_id": "b1", "ref": 4},
            {"type": "message.send", "room": room.pk, "body": 12, "ref": 5},
            {"type": "message.edit", "id": None, "body": "x", "ref": 6},
            {"type": "reaction.add", "message": 999_999_999, "emoji": "👍", "ref": 8},
            {"type": "presence", "status": "asleep", "ref": 9},
            {"type": "typing", "room": room.pk, "ref": 10},
            {"type": "subscribe", "room": room.pk, "after": 0, "changes_since": "yesterday", "ref": 11},
        ]
        for frame in bad:
            await a.send(frame)
            errors.append(await a.expect("error"))
        # then: the socket still works
        await a.send({"type": "ping", "ref": "still-there"})
        pong = await a.expect("pong")
        await a.disconnect()
        return errors, pong

    errors, pong = run_async(scenario)

    assert [e["code"] for e in errors] == [
        "bad_request",
        "bad_request",
        "bad_request",
        "bad_request",
        "bad_request",
        "invalid",
        "not_found",
        "invalid",
        "invalid",
        "invalid",
        "not_found",
        "invalid",
        "not_subscribed",
        "invalid",
    ]
    assert [e.get("ref") for e in errors[3:]] == [1, None, 2, 3, 4, 5, 6, 8, 9, 10, 11]
    assert all(e["detail"] for e in errors)
    assert "empty" in errors[7]["detail"]
    assert pong == {"type": "pong", "ref": "still-there"}


def test_send_too_fast_is_rate_limited(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any, settings: Any
) -> None:
    # given: a socket allowed 3 messages at once
    settings.CHAT_SEND_BURST = 3
    settings.CHAT_SEND_RATE = 0.1
    alice = make_member(tenant_a)
    room = make_room(tenant_a, members=[alice])

    async def scenario() -> list[dict[str, Any]]:
        a, _ = await open_socket(tenant_a, alice)
        await a.subscribe(room.pk)
        await a.expect("subscribed")
        # when: it sends five
        for i in range(5):
            await a.send({"type": "message.send", "room": room.pk, "body": f"m{i}", "client_id": f"rl{i}", "ref": i})
        frames = [await a.next() for _ in range(5)]
        frames += await a.collect(0.3)
        await a.disconnect()
        return frames

    frames = run_async(scenario)

    # then: three are stored and broadcast, two are refused
    assert [f["message"]["body"] for f in frames if f["type"] == "message.new"] == ["m0", "m1", "m2"]
    assert [(f["code"], f["ref"]) for f in frames if f["type"] == "error"] == [("rate_limited", 3), ("rate_limited", 4)]
