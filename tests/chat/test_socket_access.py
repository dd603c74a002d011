"""Access changes reach open sockets at once: revoked credentials close them, a removed member
stops receiving the room, a new member is told of the room."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from accounts.actions import do_revoke_credentials
from chat.actions import do_add_members, do_remove_member
from chat.models import Room
from tests.support.sockets import MakeMember, MakeRoom, live_in_room, open_socket
from tests.support.tenants import TenantInfo


def test_revoked_credentials_close_the_socket_with_4401(
    tenant_a: TenantInfo, make_member: MakeMember, run_async: Any
) -> None:
    bob = make_member(tenant_a)

    async def scenario() -> int:
        b, _ = await open_socket(tenant_a, bob)

        def revoke() -> None:
            with schema_context(tenant_a.schema):
                do_revoke_credentials(tenant=tenant_a.client, user=bob.user)

        # when: his credentials are revoked (signing out everywhere, deactivation)
        from asgiref.sync import sync_to_async

        await sync_to_async(revoke)()
        return await b.close_code()

    assert run_async(scenario) == 4401


def test_removal_from_a_private_room_stops_delivery_at_once(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    # given: bob follows a private room with alice
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob], kind=Room.Kind.PRIVATE)

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
        a, _ = await open_socket(tenant_a, alice)
        b = await live_in_room(tenant_a, bob, room.pk)

        def remove() -> None:
            with schema_context(tenant_a.schema):
                do_remove_member(tenant=tenant_a.client, room=room, user=bob.user)

        from asgiref.sync import sync_to_async

        # when: he is removed, and alice keeps writing
        await sync_to_async(remove)()
        removed = await b.until("room.removed")
        await a.send({"type": "message.send", "room": room.pk, "body": "after bob left", "client_id": "p1"})
        await a.expect("message.new")
        after = await b.collect(0.5)
        await b.send({"type": "subscribe", "room": room.pk, "ref": 1})
        refused = await b.expect("error")
        await a.disconnect()
        await b.disconnect()
        return removed, after, refused

    removed, after, refused = run_async(scenario)

    # then: he is told, receives nothing more, and cannot come back by subscribing
    assert removed[-1] == {"type": "room.removed", "room": room.pk}
    assert after == []
    assert refused["code"] == "not_found"


def test_added_member_is_told_of_the_room(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice], kind=Room.Kind.PRIVATE)

    async def scenario() -> dict[str, Any]:
        b, _ = await open_socket(tenant_a, bob)

        def add() -> None:
            with schema_context(tenant_a.schema):
                do_add_members(tenant=tenant_a.client, room=room, users=[bob.user])

        from asgiref.sync import sync_to_async

        await sync_to_async(add)()
        added = await b.expect("room.added")
        await b.disconnect()
        return added

    assert run_async(scenario) == {"type": "room.added", "room": room.pk}
