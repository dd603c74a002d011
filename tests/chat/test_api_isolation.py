"""Two tenants: with B's room, message and people ids, a person of A reaches nothing of B through any
chat endpoint, and nothing of B changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from chat.models import Membership, Message, MessageEdit, Reaction, Room
from tests.support.chat_api import make_room, person, post_messages
from tests.support.people import signed_in
from tests.support.people_api import Api, assert_error
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


def move_ids_ahead(ahead: TenantInfo, behind: TenantInfo) -> None:
    """Make the next room and message ids of `ahead` larger than any id of `behind`, so that an id
    of `ahead` names nothing in `behind` (ids are per schema and would otherwise collide)."""
    for table in ("chat_room", "chat_message", "accounts_user"):
        seq = f"pg_get_serial_sequence('{table}', 'id')"
        with schema_context(behind.schema), connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval({seq})")  # fixed SQL
            target = cursor.fetchone()[0] + 1000
        with schema_context(ahead.schema), connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval({seq})")  # fixed SQL
            current = cursor.fetchone()[0]
            cursor.execute(f"SELECT setval({seq}, %s)", [max(target, current)])  # fixed SQL


def snapshot(tenant: TenantInfo) -> dict[str, Any]:
    with schema_context(tenant.schema):
        return {
            "rooms": list(Room.objects.order_by("pk").values()),
            "memberships": list(Membership.objects.order_by("pk").values()),
            "messages": list(Message.objects.order_by("pk").values("pk", "body", "deleted_at", "edited_at")),
            "edits": MessageEdit.objects.count(),
            "reactions": Reaction.objects.count(),
        }


def test_every_chat_endpoint_refuses_another_tenants_ids(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given: in B, a public room with a message and a private DM; ids of B unknown in A
    move_ids_ahead(tenant_b, tenant_a)
    ann = person(tenant_a)
    carl, dora = person(tenant_b), person(tenant_b)
    public_b = make_room(tenant_b, carl, members=(dora,))
    (message_b,) = post_messages(tenant_b, carl, public_b, ["globex only"])
    before = snapshot(tenant_b)
    room, msg, user = public_b.pk, message_b.pk, carl.id

    calls: list[tuple[str, str, Any]] = [
        ("get", f"/api/rooms/{room}/", None),
        ("patch", f"/api/rooms/{room}/", {"name": "taken over"}),
        ("get", f"/api/rooms/{room}/members/", None),
        ("post", f"/api/rooms/{room}/members/", {"user": ann.id}),
        ("patch", f"/api/rooms/{room}/members/{user}/", {"role": "member"}),
        ("delete", f"/api/rooms/{room}/members/{user}/", None),
        ("get", f"/api/rooms/{room}/messages/", None),
        ("post", f"/api/rooms/{room}/messages/", {"body": "hello from acme"}),
        ("post", f"/api/rooms/{room}/read/", {"message": msg}),
        ("get", f"/api/messages/{msg}/", None),
        ("patch", f"/api/messages/{msg}/", {"body": "changed"}),
        ("delete", f"/api/messages/{msg}/", None),
        ("get", f"/api/messages/{msg}/edits/", None),
        ("post", f"/api/messages/{msg}/reactions/", {"emoji": "👍"}),
        ("delete", f"/api/messages/{msg}/reactions/", {"emoji": "👍"}),
        ("post", "/api/direct/", {"users": [user]}),
        ("get", "/api/search/", {"q": "globex", "room": room}),
        ("post", "/api/markdown/preview/", {"body": "x", "room": room}),
    ]

    # when / then: every call from A with B's ids is a 404
    for method, path, data in calls:
        assert_error(getattr(ann, method)(path, data), 404, "not_found")

    # and nothing of B is seen or changed
    assert "globex only" not in str(ann.get("/api/search/", {"q": "globex"}).json())
    assert public_b.pk not in [r["id"] for r in ann.get("/api/rooms/", {"browse": "1"}).json()["results"]]
    assert carl.id not in [p["id"] for p in ann.get("/api/directory/").json()["results"]]
    assert snapshot(tenant_b) == before


def test_a_token_of_one_tenant_is_refused_on_the_other(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    ann = person(tenant_a)
    carl = person(tenant_b)
    room_b = make_room(tenant_b, carl)
    stolen = Api(tenant_b)
    stolen.headers = ann.api.headers

    for path in ("/api/rooms/", f"/api/rooms/{room_b.pk}/messages/", "/api/search/?q=x", "/api/directory/"):
        assert_error(stolen.call("get", path), 401)
    assert_error(stolen.call("post", f"/api/rooms/{room_b.pk}/messages/", {"body": "x"}), 401)


def test_every_chat_endpoint_needs_authentication(tenant_a: TenantInfo) -> None:
    anonymous = Api(tenant_a)

    for method, path in [
        ("get", "/api/rooms/"),
        ("post", "/api/rooms/"),
        ("get", "/api/rooms/1/messages/"),
        ("post", "/api/direct/"),
        ("get", "/api/messages/1/"),
        ("get", "/api/search/?q=x"),
        ("get", "/api/directory/"),
        ("post", "/api/markdown/preview/"),
    ]:
        assert_error(anonymous.call(method, path, {}), 401, "not_authenticated")


def test_session_sign_in_works_too(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)
    browser = signed_in(tenant_a, ann.user.email)
    room = make_room(tenant_a, ann)

    response = browser.get(f"/api/rooms/{room.pk}/messages/")

    assert response.status_code == 200


def test_ids_out_of_any_range_are_a_404_not_a_500(tenant_a: TenantInfo) -> None:
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    huge = 10**30

    for method, path, data in [
        ("get", f"/api/rooms/{huge}/", None),
        ("get", f"/api/rooms/{huge}/messages/", None),
        ("get", f"/api/messages/{huge}/", None),
        ("post", f"/api/messages/{huge}/reactions/", {"emoji": "👍"}),
        ("patch", f"/api/rooms/{room.pk}/members/{huge}/", {"role": "member"}),
        ("delete", f"/api/rooms/{room.pk}/members/{huge}/", None),
    ]:
        assert_error(getattr(ann, method)(path, data), 404)
