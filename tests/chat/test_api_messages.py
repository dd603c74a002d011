"""History pages, sending, editing, deleting, reactions and the Markdown preview over the API."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import schema_context

from chat.models import Message, Room
from chat.payloads import message_payload, with_related
from tests.support.chat_api import Person, make_room, person, post_messages
from tests.support.people_api import assert_error
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


def walk(who: Person, room: Room, direction: str, limit: int, start: int | None = None) -> list[list[int]]:
    """Every page of a room's history in one direction, following the cursors of the responses."""
    pages: list[list[int]] = []
    params: dict[str, Any] = {"limit": limit}
    if start is not None:
        params[direction] = start
    while True:
        body = who.get(f"/api/rooms/{room.pk}/messages/", params).json()
        pages.append([m["id"] for m in body["results"]])
        cursor = body[f"next_{direction}"]
        if cursor is None:
            return pages
        params = {"limit": limit, direction: cursor}


def test_history_pages_backwards_and_forwards_without_gap_or_duplicate(tenant_a: TenantInfo) -> None:
    # given: 7 messages
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    ids = [m.pk for m in post_messages(tenant_a, ann, room, [f"m{i}" for i in range(7)])]

    # when: walking back from the newest, then forward from before the oldest
    back = walk(ann, room, "before", 3)
    forward = walk(ann, room, "after", 3, start=ids[0] - 1)

    # then
    assert back == [ids[6:3:-1], ids[3:0:-1], ids[0:1]]
    assert forward == [ids[0:3], ids[3:6], ids[6:7]]


def test_history_page_reports_the_other_direction(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    ids = [m.pk for m in post_messages(tenant_a, ann, room, [f"m{i}" for i in range(5)])]

    newest = ann.get(f"/api/rooms/{room.pk}/messages/", {"limit": 2}).json()
    middle = ann.get(f"/api/rooms/{room.pk}/messages/", {"limit": 2, "before": ids[3]}).json()
    caught_up = ann.get(f"/api/rooms/{room.pk}/messages/", {"after": ids[4]}).json()

    assert (newest["next_before"], newest["next_after"]) == (ids[3], None)
    assert [m["id"] for m in middle["results"]] == [ids[2], ids[1]]
    assert (middle["next_before"], middle["next_after"]) == (ids[1], ids[2])
    assert caught_up == {"results": [], "next_before": None, "next_after": None}


def test_history_results_are_exactly_the_message_payload(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    (message,) = post_messages(tenant_a, ann, room, ["**hello**"])

    body = ann.get(f"/api/rooms/{room.pk}/messages/").json()

    with schema_context(tenant_a.schema):
        expected = message_payload(with_related(Message.objects.filter(pk=message.pk)).get())
    assert body["results"][0].keys() == expected.keys()
    assert body["results"][0]["html"] == "<p><strong>hello</strong></p>"
    assert body["results"][0]["id"] == expected["id"]


@pytest.mark.parametrize(
    "params",
    [{"before": "x"}, {"after": "-1"}, {"limit": "0"}, {"limit": "1000"}, {"before": "5", "after": "3"},
     {"before": str(2**70)}, {"thread": "nope"}],
)  # fmt: skip
def test_history_with_bad_parameters_is_a_400(tenant_a: TenantInfo, params: dict[str, str]) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)

    assert_error(ann.get(f"/api/rooms/{room.pk}/messages/", params), 400, "invalid")


def test_thread_history_and_replies(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob,))
    (root, _other) = post_messages(tenant_a, ann, room, ["question", "unrelated"])

    reply = bob.post(f"/api/rooms/{room.pk}/messages/", {"body": "answer", "thread": root.pk})
    thread = ann.get(f"/api/rooms/{room.pk}/messages/", {"thread": root.pk}).json()

    assert reply.status_code == 201 and reply.json()["thread"] == root.pk
    assert [m["id"] for m in thread["results"]] == [reply.json()["id"], root.pk]
    assert thread["results"][1]["reply_count"] == 1
    assert_error(ann.get(f"/api/rooms/{room.pk}/messages/", {"thread": reply.json()["id"]}), 404)
    assert_error(bob.post(f"/api/rooms/{room.pk}/messages/", {"body": "x", "thread": 10**9}), 400)


def test_send_is_idempotent_with_client_id(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    payload = {"body": "only once", "client_id": "c-123"}

    first = ann.post(f"/api/rooms/{room.pk}/messages/", payload)
    retry = ann.post(f"/api/rooms/{room.pk}/messages/", payload)

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    with schema_context(tenant_a.schema):
        assert Message.objects.filter(room=room).count() == 1


@pytest.mark.parametrize(
    "payload",
    [{}, {"body": ""}, {"body": "   "}, {"body": "x" * 10_001}, {"body": 5}, {"body": ["x"]},
     {"body": "x", "client_id": "x" * 65}, {"body": "x", "attachments": [0]}, {"body": "x", "attachments": "1"},
     {"body": "x", "attachments": [1] * 11}, {"body": "a\x00b"}, {"body": "x", "thread": "abc"}],
)  # fmt: skip
def test_send_with_bad_input_is_a_400(tenant_a: TenantInfo, payload: dict[str, object]) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)

    assert_error(ann.post(f"/api/rooms/{room.pk}/messages/", payload), 400)

    with schema_context(tenant_a.schema):
        assert not Message.objects.filter(room=room).exists()


def test_malformed_json_is_a_400(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)

    response = ann.api.http.post(
        f"/api/rooms/{room.pk}/messages/", "{not json", content_type="application/json", **ann.api.headers
    )

    assert_error(response, 400, "parse_error")


def test_non_member_cannot_send_and_public_room_is_readable(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann)
    post_messages(tenant_a, ann, room, ["public words"])

    assert bob.get(f"/api/rooms/{room.pk}/messages/").json()["results"][0]["body"] == "public words"
    assert_error(bob.post(f"/api/rooms/{room.pk}/messages/", {"body": "hi"}), 403, "not_a_member")


def test_archived_room_is_read_only(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob,))
    (message,) = post_messages(tenant_a, ann, room, ["last words"])
    ann.patch(f"/api/rooms/{room.pk}/", {"archived": True})

    assert ann.get(f"/api/rooms/{room.pk}/messages/").status_code == 200
    assert_error(ann.post(f"/api/rooms/{room.pk}/messages/", {"body": "more"}), 403, "archived")
    assert_error(ann.patch(f"/api/messages/{message.pk}/", {"body": "changed"}), 403, "archived")
    assert_error(ann.delete(f"/api/messages/{message.pk}/"), 403, "archived")
    assert_error(bob.post(f"/api/messages/{message.pk}/reactions/", {"emoji": "👍"}), 403, "archived")
    newcomer = person(tenant_a)
    assert_error(newcomer.post(f"/api/rooms/{room.pk}/members/", {"user": newcomer.id}), 403, "archived")
    assert bob.post(f"/api/rooms/{room.pk}/read/", {"message": message.pk}).status_code == 200
    with schema_context(tenant_a.schema):
        assert Message.objects.get(pk=message.pk).body == "last words"


def test_edit_keeps_history_visible_to_readers(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob,))
    (message,) = post_messages(tenant_a, ann, room, ["first"])

    assert_error(bob.patch(f"/api/messages/{message.pk}/", {"body": "bob's version"}), 403)
    edited = ann.patch(f"/api/messages/{message.pk}/", {"body": "second"})
    ann.patch(f"/api/messages/{message.pk}/", {"body": "third"})
    history = bob.get(f"/api/messages/{message.pk}/edits/").json()

    assert edited.status_code == 200
    assert edited.json()["body"] == "second" and edited.json()["edited_at"] is not None
    assert history["current"] == "third"
    assert [e["body"] for e in history["results"]] == ["first", "second"]
    assert history["results"][0]["editor"]["id"] == ann.id
    assert_error(ann.patch(f"/api/messages/{message.pk}/", {"body": ""}), 400)


def test_delete_shows_as_deleted_everywhere(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob,))
    (message,) = post_messages(tenant_a, bob, room, ["oops"])
    ann.post(f"/api/messages/{message.pk}/reactions/", {"emoji": "😀"})

    deleted = bob.delete(f"/api/messages/{message.pk}/")

    assert deleted.status_code == 200
    assert deleted.json()["deleted"] is True
    seen = ann.get(f"/api/messages/{message.pk}/").json()
    listed = ann.get(f"/api/rooms/{room.pk}/messages/").json()["results"][0]
    for payload in (seen, listed):
        assert (payload["deleted"], payload["body"], payload["html"], payload["reactions"]) == (True, "", "", [])
    assert ann.get(f"/api/messages/{message.pk}/edits/").json()["results"] == []
    assert_error(bob.delete(f"/api/messages/{message.pk}/"), 403, "deleted")
    assert_error(bob.patch(f"/api/messages/{message.pk}/", {"body": "back"}), 403, "deleted")


def test_room_owner_deletes_others_messages_but_members_cannot(tenant_a: TenantInfo) -> None:
    ann, bob, cid = person(tenant_a), person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob, cid))
    first, second = post_messages(tenant_a, bob, room, ["one", "two"])

    assert_error(cid.delete(f"/api/messages/{first.pk}/"), 403)
    assert ann.delete(f"/api/messages/{second.pk}/").json()["deleted"] is True


def test_reactions_add_once_and_remove(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob,))
    (message,) = post_messages(tenant_a, ann, room, ["react to me"])
    path = f"/api/messages/{message.pk}/reactions/"

    added = bob.post(path, {"emoji": "👍"})
    again = bob.post(path, {"emoji": "👍"})
    ann.post(path, {"emoji": "👍"})
    ann.post(path, {"emoji": ":tada:"})
    removed = bob.delete(path, {"emoji": "👍"})

    assert (added.status_code, again.status_code) == (201, 200)
    assert added.json()["reactions"] == [{"emoji": "👍", "count": 1, "users": [bob.id]}]
    assert removed.json()["reactions"] == [
        {"emoji": "👍", "count": 1, "users": [ann.id]},
        {"emoji": "🎉", "count": 1, "users": [ann.id]},  # a known shortcode is stored as its emoji
    ]
    by_query = ann.delete(f"{path}?emoji=%3Atada%3A")
    assert by_query.status_code == 200, by_query.content
    assert by_query.json()["reactions"][-1]["emoji"] == "👍"


@pytest.mark.parametrize("payload", [{}, {"emoji": ""}, {"emoji": "abc"}, {"emoji": "<b>"}, {"emoji": "x" * 40}])
def test_reaction_with_bad_emoji_is_a_400(tenant_a: TenantInfo, payload: dict[str, str]) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    (message,) = post_messages(tenant_a, ann, room, ["x"])

    assert_error(ann.post(f"/api/messages/{message.pk}/reactions/", payload), 400)


def test_non_member_cannot_react_in_a_public_room(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann)
    (message,) = post_messages(tenant_a, ann, room, ["x"])

    assert_error(bob.post(f"/api/messages/{message.pk}/reactions/", {"emoji": "👍"}), 403, "not_a_member")


def test_message_of_a_private_room_is_404_for_outsiders(tenant_a: TenantInfo) -> None:
    ann, eve = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE)
    (message,) = post_messages(tenant_a, ann, room, ["secret"])

    for method, path, data in [
        ("get", f"/api/messages/{message.pk}/", None),
        ("get", f"/api/messages/{message.pk}/edits/", None),
        ("patch", f"/api/messages/{message.pk}/", {"body": "x"}),
        ("delete", f"/api/messages/{message.pk}/", None),
        ("post", f"/api/messages/{message.pk}/reactions/", {"emoji": "👍"}),
        ("delete", f"/api/messages/{message.pk}/reactions/", {"emoji": "👍"}),
    ]:
        assert_error(getattr(eve, method)(path, data), 404, "not_found")


def test_preview_renders_like_sending_with_room_mentions(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a, "Ann Archer"), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob,))
    handle = ann.user.email.split("@")[0]
    body = f"**hi** @{handle} <script>alert(1)</script>"

    preview = bob.post("/api/markdown/preview/", {"body": body, "room": room.pk}).json()["html"]
    sent = bob.post(f"/api/rooms/{room.pk}/messages/", {"body": body}).json()["html"]
    roomless = bob.post("/api/markdown/preview/", {"body": body}).json()["html"]

    assert preview == sent
    assert 'class="mention"' in preview and "<script>" not in preview
    assert "<strong>hi</strong>" in roomless and 'class="mention"' not in roomless


def test_preview_with_bad_input_or_unreadable_room(tenant_a: TenantInfo) -> None:
    ann, eve = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE)

    assert_error(eve.post("/api/markdown/preview/", {"body": "x", "room": room.pk}), 404)
    assert_error(eve.post("/api/markdown/preview/", {"body": ""}), 400)
    assert_error(eve.post("/api/markdown/preview/", {}), 400)


def test_directory_lists_active_people_with_handles(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a, "Zed Directory")
    gone = person(tenant_a, "Zed Gone")
    with schema_context(tenant_a.schema):
        gone.user.is_active = False
        gone.user.save(update_fields=["is_active"])

    body = ann.get("/api/directory/", {"q": "Zed"}).json()

    found = {p["id"]: p for p in body["results"]}
    assert found[ann.id] == {"id": ann.id, "name": "Zed Directory", "handle": ann.user.email.split("@")[0]}
    assert gone.id not in found
    assert_error(ann.get("/api/directory/", {"cursor": "garbage!"}), 400)
