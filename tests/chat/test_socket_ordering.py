"""A room's new messages reach every socket in commit order, none skipped, however their
broadcasts race: a client that resumes `after` the newest id it saw can never miss an older one."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django_tenants.utils import schema_context

from chat import events
from chat.actions import do_send_message
from chat.models import Room
from tests.support.sockets import MakeMember, MakeRoom, Member, live_in_room, open_socket
from tests.support.tenants import TenantInfo


@database_sync_to_async
def commit_unannounced(tenant: TenantInfo, author: Member, room: Room, bodies: list[str]) -> list[events.Outgoing]:
    """Commit messages and keep their broadcasts back, as a publisher would that is slow to send
    or died between its commit and its broadcast."""
    with schema_context(tenant.schema), events.capture() as captured:
        for body in bodies:
            do_send_message(tenant=tenant.client, author=author.user, room=room, body=body)
    return [item for item in captured if item[1].get("event") == "message.new"]


def test_new_messages_broadcast_out_of_order_reach_sockets_in_commit_order(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    # given: bob follows the room live
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])

    async def scenario() -> list[dict[str, Any]]:
        b = await live_in_room(tenant_a, bob, room.pk)
        # when: three messages commit and their broadcasts arrive last first
        held = await commit_unannounced(tenant_a, alice, room, ["first", "second", "third"])
        layer = get_channel_layer()
        for group, message in reversed(held):
            await layer.group_send(group, message)
        frames = [await b.expect("message.new") for _ in held]
        extra = await b.collect(0.5)
        await b.disconnect()
        return frames + extra

    frames = run_async(scenario)

    # then: in commit order, each once
    assert [f["message"]["body"] for f in frames] == ["first", "second", "third"]
    assert [f["message"]["seq"] for f in frames] == sorted(f["message"]["seq"] for f in frames)


def test_message_whose_broadcast_never_came_is_read_from_the_database_before_the_next(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    # given: bob follows the room live
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])

    async def scenario() -> list[dict[str, Any]]:
        a, _ = await open_socket(tenant_a, alice)
        b = await live_in_room(tenant_a, bob, room.pk)
        # when: one message commits but is never broadcast, then alice sends and edits another
        await commit_unannounced(tenant_a, alice, room, ["lost broadcast"])
        await a.send({"type": "message.send", "room": room.pk, "body": "next", "client_id": "n1", "ref": 1})
        first = await b.expect("message.new")
        second = await b.expect("message.new")
        await a.disconnect()
        await b.disconnect()
        return [first, second]

    first, second = run_async(scenario)

    # then: the unannounced one first, read from the database, then the live one
    assert first["message"]["body"] == "lost broadcast"
    assert second["message"]["body"] == "next"
    assert second["message"]["seq"] == first["message"]["seq"] + 1


def test_edit_never_overtakes_the_message_it_edits(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    # given: bob follows the room live
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])

    async def scenario() -> list[dict[str, Any]]:
        a, _ = await open_socket(tenant_a, alice)
        b = await live_in_room(tenant_a, bob, room.pk)
        # when: a message's broadcast is late, and alice edits it meanwhile
        held = await commit_unannounced(tenant_a, alice, room, ["draft"])
        message_id = held[0][1]["message"]
        await a.send({"type": "message.edit", "id": message_id, "body": "final"})
        frames = await b.collect(1.0)
        await a.disconnect()
        await b.disconnect()
        return frames

    frames = run_async(scenario)

    # then: bob learns of the message before its edit (read from the database, it may already
    # carry the new text), and ends with the edited text
    changes = [f for f in frames if f["type"].startswith("message.")]
    assert [f["type"] for f in changes] == ["message.new", "message.updated"]
    assert changes[-1]["message"]["body"] == "final"
