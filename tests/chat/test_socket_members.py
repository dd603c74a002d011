"""Membership and room changes made through the API reach every open client at once: the person
added or removed (with who did it), the room's count, renames and archiving; and another
workspace's sockets hear nothing of it."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async

from chat.models import Room
from tests.support.people_api import Api
from tests.support.sockets import MakeMember, MakeRoom, live_in_room, open_socket
from tests.support.tenants import TenantInfo


def test_add_rename_archive_and_remove_reach_open_clients_and_no_other_tenant(
    tenant_a: TenantInfo, tenant_b: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    # given: Ann's private channel, Bob (not in it yet) and Carl of another workspace, all online
    ann, bob = make_member(tenant_a, name="Ann"), make_member(tenant_a, name="Bob")
    carl = make_member(tenant_b, name="Carl")
    room = make_room(tenant_a, members=[ann], kind=Room.Kind.PRIVATE)
    members = f"/api/rooms/{room.pk}/members/"

    async def scenario() -> dict[str, Any]:
        owner = await sync_to_async(Api)(tenant_a, ann.user.email)
        a = await live_in_room(tenant_a, ann, room.pk)
        b, _ = await open_socket(tenant_a, bob)
        c, _ = await open_socket(tenant_b, carl)
        seen: dict[str, Any] = {}

        # when: Ann adds Bob
        added = await sync_to_async(owner.call)("post", members, {"user": bob.pk})
        assert added.status_code == 201, added.content
        seen["bob_added"] = await b.expect("room.added")
        seen["ann_joined"] = await a.expect("room.member_joined")
        await b.subscribe(room.pk)
        await b.expect("subscribed")

        # ... renames the channel, archives it and brings it back
        await sync_to_async(owner.call)("patch", f"/api/rooms/{room.pk}/", {"name": "renamed-live"})
        seen["renamed"] = [await a.expect("room.updated"), await b.expect("room.updated")]
        await sync_to_async(owner.call)("patch", f"/api/rooms/{room.pk}/", {"archived": True})
        seen["archived"] = await b.expect("room.updated")
        await sync_to_async(owner.call)("patch", f"/api/rooms/{room.pk}/", {"archived": False})
        seen["unarchived"] = await b.expect("room.updated")

        # ... and removes him
        removed = await sync_to_async(owner.call)("delete", f"{members}{bob.pk}/")
        assert removed.status_code == 204, removed.content
        seen["bob_removed"] = await b.until("room.removed")
        seen["ann_left"] = (await a.until("room.member_left"))[-1]
        seen["carl"] = await c.collect(0.5)
        for socket in (a, b, c):
            await socket.disconnect()
        return seen

    seen = run_async(scenario)

    # then: Bob is told who added and who removed him, and nothing of the room is left
    ann_ref = {"id": ann.pk, "name": "Ann"}
    assert seen["bob_added"] == {"type": "room.added", "room": room.pk, "by": ann_ref}
    assert seen["bob_removed"][-1] == {"type": "room.removed", "room": room.pk, "by": ann_ref}
    # ... Ann's page hears the count go up and down
    joined, left = seen["ann_joined"], seen["ann_left"]
    assert (joined["user"], joined["members"], joined["by"]) == (bob.pk, 2, ann_ref)
    assert (left["user"], left["members"], left["by"]) == (bob.pk, 1, ann_ref)
    # ... both hear the rename, the archiving (by whom, when) and its undoing
    assert [frame["room"]["name"] for frame in seen["renamed"]] == ["renamed-live", "renamed-live"]
    archived = seen["archived"]["room"]
    assert archived["archived"] is True and archived["archived_at"] and archived["archived_by"] == ann_ref
    assert seen["unarchived"]["room"]["archived"] is False and seen["unarchived"]["room"]["archived_at"] is None
    # ... and the other workspace hears nothing at all
    assert seen["carl"] == []


def test_someone_removed_from_a_public_channel_hears_it_on_the_channel(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom, run_async: Any
) -> None:
    # given: Bob follows a public channel of Ann's; he may read it without being in it
    ann, bob = make_member(tenant_a, name="Ann"), make_member(tenant_a, name="Bob")
    room = make_room(tenant_a, members=[ann, bob])

    async def scenario() -> dict[str, Any]:
        owner = await sync_to_async(Api)(tenant_a, ann.user.email)
        b = await live_in_room(tenant_a, bob, room.pk)
        response = await sync_to_async(owner.call)("delete", f"/api/rooms/{room.pk}/members/{bob.pk}/")
        assert response.status_code == 204, response.content
        left = await b.expect("room.member_left")
        await b.disconnect()
        return left

    left = run_async(scenario)

    # then: the room's own frame names him and who removed him
    assert (left["user"], left["members"], left["by"]["id"]) == (bob.pk, 1, ann.pk)
