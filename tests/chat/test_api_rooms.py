"""`/api/rooms/`, members, read positions and `/api/direct/`: who sees and changes which room."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from chat.models import Room
from tests.support.chat_api import make_room, membership, person, post_messages, unique
from tests.support.people_api import assert_error
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


def test_room_list_shows_own_rooms_with_unread_and_mention_counts(tenant_a: TenantInfo) -> None:
    # given: Ann's room where Bob wrote three messages, one mentioning Ann
    ann, bob = person(tenant_a, "Ann"), person(tenant_a, "Bob")
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob,))
    handle = ann.user.email.split("@")[0]
    post_messages(tenant_a, bob, room, ["one", "two", f"hey @{handle}"])
    other_private = make_room(tenant_a, bob, kind=Room.Kind.PRIVATE)

    # when
    response = ann.get("/api/rooms/")

    # then
    assert response.status_code == 200
    rooms = {r["id"]: r for r in response.json()["results"]}
    assert rooms[room.pk]["unread"] == 3
    assert rooms[room.pk]["mentions"] == 1
    assert rooms[room.pk]["role"] == "owner"
    assert other_private.pk not in rooms


def test_browse_lists_public_rooms_to_join_but_no_private_ones(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    public = make_room(tenant_a, bob)
    private = make_room(tenant_a, bob, kind=Room.Kind.PRIVATE)

    rooms = {r["id"]: r for r in ann.get("/api/rooms/", {"browse": "1"}).json()["results"]}

    assert rooms[public.pk]["is_member"] is False
    assert rooms[public.pk]["members"] == 1
    assert private.pk not in rooms


def test_create_room_makes_the_creator_owner_and_adds_members(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    name = unique("Plans")

    response = ann.post("/api/rooms/", {"name": name, "kind": "private", "topic": "Q4", "members": [bob.id]})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["kind"], body["topic"]) == (name, "private", "Q4")
    assert (body["role"], body["members"]) == ("owner", 2)
    assert body["id"] in [r["id"] for r in bob.get("/api/rooms/").json()["results"]]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 81},
        {"name": "ok", "kind": "direct"},
        {"name": "ok", "kind": "nonsense"},
        {"name": "ok", "members": "1"},
        {"name": "ok", "members": ["abc"]},
        {"name": "ok", "members": [2**70]},
        {"name": ["a"]},
    ],
)
def test_create_room_with_bad_input_is_a_400(tenant_a: TenantInfo, payload: dict[str, object]) -> None:
    ann = person(tenant_a)

    assert_error(ann.post("/api/rooms/", payload), 400, "invalid")


def test_create_room_with_a_taken_name_is_a_400(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)

    body = assert_error(ann.post("/api/rooms/", {"name": room.name}), 400)

    assert "name" in body["errors"]
    # the words the app shows say what is wrong, not "Invalid input."
    assert body["detail"] == f"A room named “{room.name}” already exists."


def test_bad_input_is_answered_in_words_naming_the_field(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)

    body = assert_error(ann.post("/api/rooms/", {"kind": "nonsense"}), 400, "invalid")

    assert body["detail"].startswith("Name is required.") and body["detail"].endswith("(and 1 more)")
    assert set(body["errors"]) == {"name", "kind"}


def test_create_room_with_unknown_member_is_a_404_and_creates_nothing(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)
    name = unique()

    assert_error(ann.post("/api/rooms/", {"name": name, "members": [10**9]}), 404)

    with schema_context(tenant_a.schema):
        assert not Room.objects.filter(name=name).exists()


def test_create_room_with_a_deactivated_member_is_a_400(tenant_a: TenantInfo) -> None:
    ann, gone = person(tenant_a), person(tenant_a)
    with schema_context(tenant_a.schema):
        gone.user.is_active = False
        gone.user.save(update_fields=["is_active"])

    body = assert_error(ann.post("/api/rooms/", {"name": unique(), "members": [gone.id]}), 400)

    assert "members" in body["errors"]


def test_private_room_is_404_for_non_members_and_readable_by_members(tenant_a: TenantInfo) -> None:
    ann, bob, eve = person(tenant_a), person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob,))

    assert bob.get(f"/api/rooms/{room.pk}/").status_code == 200
    for path in (f"/api/rooms/{room.pk}/", f"/api/rooms/{room.pk}/members/", f"/api/rooms/{room.pk}/messages/"):
        assert_error(eve.get(path), 404, "not_found")
    assert_error(eve.post(f"/api/rooms/{room.pk}/members/", {"user": eve.id}), 404)


def test_rename_and_archive_by_owner_but_not_by_a_member(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob,))
    new_name = unique("renamed")

    assert_error(bob.patch(f"/api/rooms/{room.pk}/", {"name": "mine now"}), 403, "forbidden")
    renamed = ann.patch(f"/api/rooms/{room.pk}/", {"name": new_name, "topic": "t"})
    archived = ann.patch(f"/api/rooms/{room.pk}/", {"archived": True})

    assert renamed.status_code == 200 and renamed.json()["name"] == new_name
    assert archived.json()["archived"] is True
    # who archived it is kept: a page loaded later can say so
    later = bob.get(f"/api/rooms/{room.pk}/").json()
    assert later["archived_at"] and later["archived_by"]["id"] == ann.id
    # archived rooms are read-only: no rename unless unarchived in the same request
    assert_error(ann.patch(f"/api/rooms/{room.pk}/", {"name": "again"}), 403, "archived")
    restored = ann.patch(f"/api/rooms/{room.pk}/", {"name": new_name + "2", "archived": False}).json()
    assert restored["archived"] is False and restored["archived_by"] is None


def test_patch_room_with_nothing_to_change_is_a_400(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)

    assert_error(ann.patch(f"/api/rooms/{room.pk}/", {}), 400)
    assert_error(ann.patch(f"/api/rooms/{room.pk}/", {"archived": "maybe"}), 400)


def test_join_public_room_then_leave(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann)
    post_messages(tenant_a, ann, room, ["before bob joined"])

    joined = bob.post(f"/api/rooms/{room.pk}/members/", {"user": bob.id})
    again = bob.post(f"/api/rooms/{room.pk}/members/", {"user": bob.id})

    assert joined.status_code == 201 and joined.json()["role"] == "member"
    assert again.status_code == 200
    # a newcomer has nothing unread from before they joined
    assert bob.get(f"/api/rooms/{room.pk}/").json()["unread"] == 0
    assert bob.delete(f"/api/rooms/{room.pk}/members/{bob.id}/").status_code == 204
    assert membership(tenant_a, room, bob) is None
    assert_error(bob.delete(f"/api/rooms/{room.pk}/members/{bob.id}/"), 404)


def test_owner_adds_someone_to_a_private_room(tenant_a: TenantInfo) -> None:
    ann, bob, cid = person(tenant_a), person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob,))

    response = ann.post(f"/api/rooms/{room.pk}/members/", {"user": cid.id})

    assert response.status_code == 201
    assert response.json()["user"]["id"] == cid.id
    assert cid.get(f"/api/rooms/{room.pk}/").status_code == 200


def test_non_member_cannot_add_people_to_a_public_room(tenant_a: TenantInfo) -> None:
    ann, bob, cid = person(tenant_a), person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann)

    assert_error(bob.post(f"/api/rooms/{room.pk}/members/", {"user": cid.id}), 403, "not_a_member")
    assert membership(tenant_a, room, cid) is None


def test_members_list_pages_by_user_id(tenant_a: TenantInfo) -> None:
    people = [person(tenant_a) for _ in range(3)]
    room = make_room(tenant_a, people[0], members=tuple(people[1:]))

    first = people[0].get(f"/api/rooms/{room.pk}/members/", {"limit": 2}).json()
    second = people[0].get(f"/api/rooms/{room.pk}/members/", {"limit": 2, "after": first["next"]}).json()

    ids = [m["user"]["id"] for m in first["results"] + second["results"]]
    assert ids == sorted(p.id for p in people)
    assert second["next"] is None
    assert first["results"][0]["role"] == "owner"
    assert first["results"][0]["handle"] == people[0].user.email.split("@")[0]


def test_roles_change_only_by_managers_and_owners_stay(tenant_a: TenantInfo) -> None:
    ann, bob, cid = person(tenant_a), person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob, cid))
    path = f"/api/rooms/{room.pk}/members/"

    assert_error(bob.patch(f"{path}{cid.id}/", {"role": "admin"}), 403)
    assert ann.patch(f"{path}{bob.id}/", {"role": "admin"}).json()["role"] == "admin"
    # an admin manages members but not owners
    assert bob.patch(f"{path}{cid.id}/", {"role": "admin"}).status_code == 200
    assert_error(bob.patch(f"{path}{ann.id}/", {"role": "member"}), 403)
    assert_error(bob.patch(f"{path}{cid.id}/", {"role": "owner"}), 403)
    # the last owner stays one
    assert_error(ann.patch(f"{path}{ann.id}/", {"role": "member"}), 409, "last_owner")
    assert_error(ann.patch(f"{path}{cid.id}/", {"role": "emperor"}), 400)
    assert_error(ann.patch(f"{path}{10**9}/", {"role": "member"}), 404)


def test_manager_removes_a_member(tenant_a: TenantInfo) -> None:
    ann, bob, cid = person(tenant_a), person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob, cid))

    assert_error(bob.delete(f"/api/rooms/{room.pk}/members/{cid.id}/"), 403)
    assert ann.delete(f"/api/rooms/{room.pk}/members/{cid.id}/").status_code == 204

    assert_error(cid.get(f"/api/rooms/{room.pk}/"), 404)


def test_direct_message_is_opened_once_and_private_to_its_people(tenant_a: TenantInfo) -> None:
    ann, bob, eve = person(tenant_a), person(tenant_a), person(tenant_a)

    first = ann.post("/api/direct/", {"users": [bob.id]})
    second = bob.post("/api/direct/", {"users": [ann.id, bob.id]})

    assert first.status_code == 200, first.content
    room = first.json()
    assert room["kind"] == "direct" and second.json()["id"] == room["id"]
    assert [o["id"] for o in room["others"]] == [bob.id]
    assert_error(eve.get(f"/api/rooms/{room['id']}/"), 404)
    assert_error(ann.delete(f"/api/rooms/{room['id']}/members/{ann.id}/"), 400)
    assert_error(ann.post(f"/api/rooms/{room['id']}/members/", {"user": eve.id}), 403, "direct")


@pytest.mark.parametrize("payload", [{}, {"users": []}, {"users": "x"}, {"users": [0]}])
def test_direct_with_bad_input_is_a_400(tenant_a: TenantInfo, payload: dict[str, object]) -> None:
    assert_error(person(tenant_a).post("/api/direct/", payload), 400)


def test_direct_with_only_yourself_is_a_400_and_unknown_people_a_404(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)

    assert_error(ann.post("/api/direct/", {"users": [ann.id]}), 400)
    assert_error(ann.post("/api/direct/", {"users": [10**9]}), 404)


def test_read_position_moves_forward_only_and_clears_unread(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob,))
    messages = post_messages(tenant_a, ann, room, ["a", "b", "c"])

    middle = bob.post(f"/api/rooms/{room.pk}/read/", {"message": messages[1].pk}).json()
    back = bob.post(f"/api/rooms/{room.pk}/read/", {"message": messages[0].pk}).json()

    assert middle == {"room": room.pk, "last_read_id": messages[1].pk, "unread": 1}
    assert back["last_read_id"] == messages[1].pk
    listed = {r["id"]: r for r in bob.get("/api/rooms/").json()["results"]}
    assert listed[room.pk]["unread"] == 1 and listed[room.pk]["last_read_id"] == messages[1].pk


def test_read_position_needs_membership_and_a_message_of_the_room(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann)
    other = make_room(tenant_a, ann)
    (message,) = post_messages(tenant_a, ann, other, ["elsewhere"])

    assert_error(bob.post(f"/api/rooms/{room.pk}/read/", {"message": message.pk}), 403, "not_a_member")
    assert_error(ann.post(f"/api/rooms/{room.pk}/read/", {"message": message.pk}), 400)
    assert_error(ann.post(f"/api/rooms/{room.pk}/read/", {"message": "x"}), 400)
