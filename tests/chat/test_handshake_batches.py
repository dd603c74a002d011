"""Handshakes arriving together share their lookups (tenants.asgi, accounts.ws_auth through
config.batching), and still each socket gets its own tenant and its own person, and a token is
refused wherever it does not belong."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.support.sockets import MakeMember, MakeRoom, open_socket
from tests.support.tenants import TenantInfo


def test_sockets_of_two_tenants_opening_at_once_each_get_their_own_person(
    tenant_a: TenantInfo, tenant_b: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    # given: people of both tenants, and one token presented on the other tenant's host
    ours = [make_member(tenant_a) for _ in range(6)]
    theirs = [make_member(tenant_b) for _ in range(6)]
    room_a, room_b = make_room(tenant_a, members=ours), make_room(tenant_b, members=theirs)

    async def scenario() -> tuple[list[int], list[dict[str, Any]], dict[str, Any]]:
        # when: all of them open at the same moment, the misplaced token among them
        opening = [open_socket(tenant_a, person) for person in ours] + [open_socket(tenant_b, p) for p in theirs]
        misplaced = open_socket(tenant_b, token=ours[0].token)
        *opened, (_, refused) = await asyncio.gather(*opening, misplaced)
        authors = []
        for index, (socket, _) in enumerate(opened):
            room = room_a if index < len(ours) else room_b
            await socket.send({"type": "message.send", "room": room.pk, "body": f"hello {index}", "ref": index})
            authors.append(await socket.expect("message.new"))
        for socket, _ in opened:
            await socket.disconnect()
        return [frame["message"]["author"]["id"] for frame in authors], authors, refused

    author_ids, frames, refused = run_async(scenario)

    # then: every socket speaks for its own person, in its own tenant's room
    assert author_ids == [member.user.pk for member in ours + theirs]
    assert [frame["message"]["room"] for frame in frames] == [room_a.pk] * 6 + [room_b.pk] * 6
    # and the token of tenant A opened nothing on tenant B's host
    assert refused == {"type": "websocket.close", "code": 4401}
