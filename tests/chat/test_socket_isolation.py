"""Two tenants on one deployment: a socket of A never reaches anything of B, whatever ids and
credentials it presents; the handshake refuses foreign origins, unknown hosts and strangers."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from chat.actions import do_send_message
from chat.models import Message, Reaction
from tests.support.sockets import MakeMember, MakeRoom, open_socket
from tests.support.tenants import TenantInfo


def test_socket_of_a_cannot_touch_rooms_or_messages_of_b(
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    make_member: MakeMember,
    make_room: MakeRoom,
    run_async: Any,
    django_db_blocker: Any,
) -> None:
    # given: a room of B with a message, and a person of A who knows their ids
    carol = make_member(tenant_b)
    room_b = make_room(tenant_b, members=[carol])
    with django_db_blocker.unblock(), schema_context(tenant_b.schema):
        message_b = do_send_message(tenant=tenant_b.client, author=carol.user, room=room_b, body="secret of B").message
    alice = make_member(tenant_a)

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        a, _ = await open_socket(tenant_a, alice)
        c, _ = await open_socket(tenant_b, carol)
        await c.subscribe(room_b.pk)
        await c.expect("subscribed")
        # when: A's socket tries everything with B's ids
        attempts: list[dict[str, Any]] = [
            {"type": "subscribe", "room": room_b.pk, "after": 0},
            {"type": "message.send", "room": room_b.pk, "body": "intrusion", "client_id": "x"},
            {"type": "message.edit", "id": message_b.pk, "body": "defaced"},
            {"type": "message.delete", "id": message_b.pk},
            {"type": "reaction.add", "message": message_b.pk, "emoji": "👍"},
            {"type": "read", "room": room_b.pk, "message": message_b.pk},
            {"type": "typing", "room": room_b.pk},
        ]
        answers = []
        for number, frame in enumerate(attempts):
            await a.send({**frame, "ref": number})
            answers.append(await a.expect("error"))
        # and B writes in its room meanwhile
        await c.send({"type": "message.send", "room": room_b.pk, "body": "still private", "client_id": "b2"})
        await c.expect("message.new")
        leaked = await a.collect(0.5)
        await a.disconnect()
        await c.disconnect()
        return answers, leaked

    answers, leaked = run_async(scenario)

    # then: every attempt answers as if the ids did not exist (typing: not subscribed), nothing
    # of B reached A, and B's data is untouched
    assert [e["code"] for e in answers] == ["not_found"] * 6 + ["not_subscribed"]
    assert [e["ref"] for e in answers] == list(range(7))
    assert leaked == []
    with django_db_blocker.unblock(), schema_context(tenant_b.schema):
        stored = Message.objects.get(pk=message_b.pk)
        assert (stored.body, stored.deleted_at) == ("secret of B", None)
        assert not Reaction.objects.filter(message=stored).exists()
        assert list(Message.objects.filter(room=room_b).values_list("body", flat=True).order_by("id")) == [
            "secret of B",
            "still private",
        ]


def test_token_of_b_on_a_host_is_anonymous_and_closed_with_4401(
    tenant_a: TenantInfo, tenant_b: TenantInfo, make_member: MakeMember, run_async: Any
) -> None:
    # given: a person of B with a valid token of B
    carol = make_member(tenant_b)

    async def scenario() -> tuple[Any, Any]:
        # when: the token is presented on A's host, or no credential at all
        _, foreign = await open_socket(tenant_a, token=carol.token)
        _, nobody = await open_socket(tenant_a)
        return foreign, nobody

    foreign, nobody = run_async(scenario)

    # then: both are closed as not authenticated
    assert foreign == {"type": "websocket.close", "code": 4401}
    assert nobody == {"type": "websocket.close", "code": 4401}


def test_foreign_origin_is_closed_with_4403_and_unknown_host_with_4404(
    tenant_a: TenantInfo, tenant_b: TenantInfo, make_member: MakeMember, run_async: Any
) -> None:
    alice = make_member(tenant_a)

    async def scenario() -> tuple[Any, Any]:
        _, foreign = await open_socket(tenant_a, alice, origin=f"http://{tenant_b.host}")
        _, unknown = await open_socket(tenant_a, alice, host="nobody.localhost")
        return foreign, unknown

    foreign, unknown = run_async(scenario)

    assert foreign == {"type": "websocket.close", "code": 4403}
    assert unknown == {"type": "websocket.close", "code": 4404}
