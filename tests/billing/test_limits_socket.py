"""The plan over the chat socket (config.asgi.application, as tests/chat/test_socket_*.py): sends
are counted once each, and a read-only workspace answers every write frame with
`error {code: "read_only", detail, ref}` (not `server_error`) while reads go on."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from chat.actions import do_send_message
from chat.models import Message
from tests.support.limits import read_only, usage, usage_of
from tests.support.sockets import MakeMember, MakeRoom, live_in_room
from tests.support.tenants import TenantInfo


def test_sends_over_the_socket_are_counted_once_each(
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    make_member: MakeMember,
    make_room: MakeRoom,
    run_async: Any,
    django_db_blocker: Any,
) -> None:
    # given: a member in a room, acme's message counters at known values
    alice = make_member(tenant_a)
    room = make_room(tenant_a, members=[alice])
    with django_db_blocker.unblock():
        globex_before = usage_of(tenant_b.client).messages_total
        restore = usage(tenant_a.client, messages_this_period=10, messages_total=100)
        restore.__enter__()
    try:

        async def scenario() -> list[dict[str, Any]]:
            socket = await live_in_room(tenant_a, alice, room.pk)
            # when: two sends, and the second one repeated with its client_id (a retry)
            for ref, client_id in enumerate(("s1", "s2", "s2"), start=1):
                send = {"type": "message.send", "room": room.pk, "body": "hi", "client_id": client_id, "ref": ref}
                await socket.send(send)
            frames = await socket.collect(1.5)
            await socket.disconnect()
            return [frame for frame in frames if frame["type"] == "ack"]

        acks = run_async(scenario)
        with django_db_blocker.unblock():
            counted = usage_of(tenant_a.client)
            globex_after = usage_of(tenant_b.client).messages_total
    finally:
        with django_db_blocker.unblock():
            restore.__exit__(None, None, None)

    # then: two messages, two counted, globex untouched
    assert [ack["created"] for ack in acks] == [True, True, False]
    assert (counted.messages_this_period, counted.messages_total) == (12, 102)
    assert globex_after == globex_before


def test_write_frames_in_a_read_only_workspace_answer_read_only(
    tenant_a: TenantInfo,
    make_member: MakeMember,
    make_room: MakeRoom,
    run_async: Any,
    django_db_blocker: Any,
) -> None:
    # given: a room with a message of alice's, then acme's subscription canceled
    alice = make_member(tenant_a)
    room = make_room(tenant_a, members=[alice])
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        message = do_send_message(tenant=tenant_a.client, author=alice.user, room=room, body="before").message
        do_send_message(tenant=tenant_a.client, author=alice.user, room=room, body="also before")
    frames = [
        {"type": "message.send", "room": room.pk, "body": "after", "client_id": "ro-1"},
        {"type": "message.edit", "id": message.pk, "body": "changed"},
        {"type": "message.delete", "id": message.pk},
        {"type": "reaction.add", "message": message.pk, "emoji": "👍"},
        {"type": "reaction.remove", "message": message.pk, "emoji": "👍"},
    ]

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        socket = await live_in_room(tenant_a, alice, room.pk)
        answers = []
        # when: every write frame is sent, each with a ref
        for ref, frame in enumerate(frames, start=1):
            await socket.send({**frame, "ref": ref})
            answers.append(await socket.expect("error"))
        # and reads still work: a read marker, a ping
        await socket.send({"type": "read", "room": room.pk, "message": message.pk, "ref": 99})
        rest = await socket.collect(0.5)
        await socket.disconnect()
        return answers, rest

    with django_db_blocker.unblock():
        refused = read_only(tenant_a.client)
        refused.__enter__()
    try:
        answers, rest = run_async(scenario)
    finally:
        with django_db_blocker.unblock():
            refused.__exit__(None, None, None)

    # then: each frame is refused with the reason and its ref, and nothing changed
    assert [answer["code"] for answer in answers] == ["read_only"] * len(frames)
    assert [answer["ref"] for answer in answers] == list(range(1, len(frames) + 1))
    assert all("read-only" in answer["detail"] for answer in answers)
    assert not any(frame["type"] == "error" for frame in rest)
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        stored = Message.objects.get(pk=message.pk)
        assert (stored.body, stored.deleted_at) == ("before", None)
        assert not Message.objects.filter(room=room, body="after").exists()
