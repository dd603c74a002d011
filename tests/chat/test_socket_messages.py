"""Sending, editing, deleting and reacting over the socket, as the people in the room see it."""

from __future__ import annotations

from typing import Any

from tests.chat.conftest import MakeMember, MakeRoom, open_socket
from tests.conftest import TenantInfo


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
