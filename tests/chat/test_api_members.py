"""A channel's members panel through `/api/rooms/<id>/members/`: who may add and remove whom, the
words of every refusal, and that nothing of another workspace can be added or listed."""

from __future__ import annotations

import pytest

from accounts.models import User
from chat.models import Room
from tests.support.chat_api import Person, make_room, membership, person
from tests.support.people_api import Api, assert_error
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


def members_of(viewer: Person, room: Room) -> list[int]:
    response = viewer.get(f"/api/rooms/{room.pk}/members/")
    assert response.status_code == 200, response.content
    return [m["user"]["id"] for m in response.json()["results"]]


def test_owner_adds_a_person_who_then_sees_the_members_with_roles(tenant_a: TenantInfo) -> None:
    # given: Ann's private channel
    ann, bob = person(tenant_a, "Ann"), person(tenant_a, "Bob")
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE)

    # when: she adds Bob
    response = ann.post(f"/api/rooms/{room.pk}/members/", {"user": bob.id})

    # then: he is a member, sees the list (name, role, no picture) and the count in the detail
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "member"
    listed = {m["user"]["id"]: m for m in bob.get(f"/api/rooms/{room.pk}/members/").json()["results"]}
    assert listed[ann.id]["role"] == "owner" and listed[ann.id]["user"]["name"] == "Ann"
    assert listed[bob.id]["avatar"] is None
    assert bob.get(f"/api/rooms/{room.pk}/").json()["members"] == 2


def test_adding_someone_already_in_the_channel_is_an_idempotent_200(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob,))

    again = ann.post(f"/api/rooms/{room.pk}/members/", {"user": bob.id})

    assert again.status_code == 200
    assert again.json()["user"]["id"] == bob.id
    assert sorted(members_of(ann, room)) == sorted([ann.id, bob.id])


def test_plain_member_cannot_add_people_to_a_private_channel(tenant_a: TenantInfo) -> None:
    ann, bob, cid = person(tenant_a), person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob,))

    body = assert_error(bob.post(f"/api/rooms/{room.pk}/members/", {"user": cid.id}), 403, "not_a_manager")

    assert "owners and admins" in body["detail"]
    assert membership(tenant_a, room, cid) is None


def test_channel_admin_and_workspace_admin_add_people_to_a_private_channel(tenant_a: TenantInfo) -> None:
    ann, bob, cid, dee = person(tenant_a), person(tenant_a), person(tenant_a), person(tenant_a)
    boss = person(tenant_a, role=User.Role.ADMIN)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob, boss))
    assert ann.patch(f"/api/rooms/{room.pk}/members/{bob.id}/", {"role": "admin"}).status_code == 200

    assert bob.post(f"/api/rooms/{room.pk}/members/", {"user": cid.id}).status_code == 201
    assert boss.post(f"/api/rooms/{room.pk}/members/", {"user": dee.id}).status_code == 201


def test_any_member_still_adds_people_to_a_public_channel(tenant_a: TenantInfo) -> None:
    ann, bob, cid = person(tenant_a), person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob,))

    assert bob.post(f"/api/rooms/{room.pk}/members/", {"user": cid.id}).status_code == 201


def test_adding_an_unknown_person_is_a_404_with_words_and_adds_nobody(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE)

    body = assert_error(ann.post(f"/api/rooms/{room.pk}/members/", {"user": 10**9}), 404, "not_found")

    assert body["detail"] == "There is nobody with that id in this workspace."
    assert members_of(ann, room) == [ann.id]


@pytest.mark.parametrize("payload", [{}, {"user": "bob"}, {"user": 0}, {"user": -3}, {"user": [1]}, {"user_id": 1}])
def test_adding_with_bad_input_is_a_400(tenant_a: TenantInfo, payload: dict[str, object]) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE)

    assert_error(ann.post(f"/api/rooms/{room.pk}/members/", payload), 400)
    assert members_of(ann, room) == [ann.id]


def test_a_person_of_another_workspace_is_never_added_nor_listed(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given: Ann's private channel in A, and Carl of B
    ann = person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE)
    carl = person(tenant_b, "Carl of Globex")

    # when: Ann sends Carl's id, and an id nobody in A has
    by_carls_id = ann.post(f"/api/rooms/{room.pk}/members/", {"user": carl.id})
    body = assert_error(ann.post(f"/api/rooms/{room.pk}/members/", {"user": carl.id + 10**6}), 404)

    # then: an id names only A's own person of that id, if any; Carl is never in the list
    assert by_carls_id.status_code in (201, 404)
    assert "this workspace" in body["detail"]
    names = [m["user"]["name"] for m in ann.get(f"/api/rooms/{room.pk}/members/").json()["results"]]
    assert "Carl of Globex" not in names
    # and Carl's token of B opens nothing on A's host
    carl_on_a = Api(tenant_a)
    carl_on_a.headers = carl.api.headers
    assert carl_on_a.call("get", f"/api/rooms/{room.pk}/members/").status_code == 401
    assert carl_on_a.call("post", f"/api/rooms/{room.pk}/members/", {"user": carl.id}).status_code == 401
    assert carl_on_a.call("delete", f"/api/rooms/{room.pk}/members/{ann.id}/").status_code == 401
    assert members_of(ann, room) == [ann.id] + (
        [by_carls_id.json()["user"]["id"]] if by_carls_id.status_code == 201 else []
    )


def test_owner_removes_a_member_who_loses_the_channel(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob,))

    assert ann.delete(f"/api/rooms/{room.pk}/members/{bob.id}/").status_code == 204

    assert_error(bob.get(f"/api/rooms/{room.pk}/members/"), 404)
    assert room.pk not in [r["id"] for r in bob.get("/api/rooms/").json()["results"]]
    assert ann.get(f"/api/rooms/{room.pk}/").json()["members"] == 1


def test_plain_member_cannot_remove_anyone(tenant_a: TenantInfo) -> None:
    ann, bob, cid = person(tenant_a), person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob, cid))

    body = assert_error(bob.delete(f"/api/rooms/{room.pk}/members/{cid.id}/"), 403)

    assert "owners and admins" in body["detail"]
    assert membership(tenant_a, room, cid) is not None


def test_removing_the_last_owner_is_a_409_with_words(tenant_a: TenantInfo) -> None:
    # given: Ann owns the channel alone; a workspace admin is in it too
    ann = person(tenant_a)
    boss = person(tenant_a, role=User.Role.ADMIN)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(boss,))

    # when: the admin removes Ann
    body = assert_error(boss.delete(f"/api/rooms/{room.pk}/members/{ann.id}/"), 409, "last_owner")

    # then: she stays, and the refusal says what to do
    assert "last owner" in body["detail"] and "owner first" in body["detail"]
    assert membership(tenant_a, room, ann) is not None
    # with a second owner she can be removed
    assert ann.patch(f"/api/rooms/{room.pk}/members/{boss.id}/", {"role": "owner"}).status_code == 200
    assert boss.delete(f"/api/rooms/{room.pk}/members/{ann.id}/").status_code == 204


def test_removing_someone_not_in_the_channel_is_a_404(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE)

    assert_error(ann.delete(f"/api/rooms/{room.pk}/members/{bob.id}/"), 404)
    assert_error(ann.delete(f"/api/rooms/{room.pk}/members/{10**9}/"), 404)


def test_archived_channel_takes_no_new_members(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE)
    archived = ann.patch(f"/api/rooms/{room.pk}/", {"archived": True}).json()

    assert archived["archived"] is True and archived["archived_at"]
    assert_error(ann.post(f"/api/rooms/{room.pk}/members/", {"user": bob.id}), 403, "archived")
    assert membership(tenant_a, room, bob) is None
