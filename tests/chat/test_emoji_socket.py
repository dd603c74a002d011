"""Over the socket, a reaction is one emoji of the set too: anything else answers an error frame
carrying the request's ref, and nothing is stored or announced."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from chat.models import Reaction
from tests.support.sockets import MakeMember, MakeRoom, live_in_room, open_socket
from tests.support.tenants import TenantInfo


def test_socket_refuses_what_is_not_one_emoji_and_takes_a_shortcode(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any, django_db_blocker: Any
) -> None:
    # given: bob watches a room where alice wrote a message
    alice, bob = make_member(tenant_a), make_member(tenant_a)
    room = make_room(tenant_a, members=[alice, bob])

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
        a, _ = await open_socket(tenant_a, alice)
        b = await live_in_room(tenant_a, bob, room.pk)
        await a.send({"type": "message.send", "room": room.pk, "body": "react", "client_id": "r1"})
        message_id = (await a.expect("message.new"))["message"]["id"]
        await b.expect("message.new")
        # when: alice reacts with things that are no emoji, then with a shortcode
        errors = []
        for ref, emoji in enumerate(["notanemoji", ":no_such_code:", "👍👍"]):
            await a.send({"type": "reaction.add", "message": message_id, "emoji": emoji, "ref": ref})
            errors.append(await a.expect("error"))
        await a.send({"type": "reaction.add", "message": message_id, "emoji": ":tada:", "ref": "ok"})
        seen = await b.until("reaction.added")
        await a.disconnect()
        await b.disconnect()
        return errors, seen, message_id

    errors, seen, message_id = run_async(scenario)

    # then: three error frames with their refs and words for people; bob hears only of the emoji
    assert [(e["ref"], e["code"]) for e in errors] == [(0, "invalid"), (1, "invalid"), (2, "invalid")]
    assert all(e["detail"] for e in errors) and "not a shortcode we know" in errors[1]["detail"]
    assert [f["type"] for f in seen] == ["reaction.added"]
    assert seen[0]["emoji"] == "🎉"
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        assert list(Reaction.objects.filter(message_id=message_id).values_list("emoji", flat=True)) == ["🎉"]
