"""The socket's answer to a send naming someone who is not in the room (the API's is in
test_mentions_not_in_room.py); committed people, as the socket's own threads read them."""

from __future__ import annotations

from typing import Any

from chat.models import Room
from tests.support.sockets import MakeMember, MakeRoom, live_in_room
from tests.support.tenants import TenantInfo


def test_socket_ack_lists_people_not_in_the_room(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    # given: Ann in a private room; Bob outside it
    ann, bob = make_member(tenant_a, name="Ann Archer"), make_member(tenant_a, name="Bob Baker")
    room = make_room(tenant_a, members=[ann], kind=Room.Kind.PRIVATE)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        socket = await live_in_room(tenant_a, ann, room.pk)
        frame = {"type": "message.send", "room": room.pk, "client_id": "n1", "ref": "send:n1"}
        await socket.send({**frame, "body": f"@{bob.user.email.split('@')[0]} look"})
        named = (await socket.until("ack"))[-1]
        await socket.send({**frame, "client_id": "n2", "ref": "send:n2", "body": "@nobody-at-all hello"})
        plain = (await socket.until("ack"))[-1]
        await socket.disconnect()
        return named, plain

    named, plain = run_async(scenario)

    assert named["not_in_room"] == [{"id": bob.pk, "name": "Bob Baker"}]
    assert named["can_add_members"] is True
    assert "not_in_room" not in plain
