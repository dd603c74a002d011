"""Naming someone who is not in the room: the send's answer (API response, socket ack) lists them
so the sender can add them; a handle that names nobody of the workspace is plain text."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.models import User
from chat.actions import do_send_message
from chat.models import Mention, Room
from tests.support.chat_api import Person, make_room, person
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


def handle(user: User) -> str:
    return user.email.split("@")[0]


def mentions_of(tenant: TenantInfo, user: User) -> int:
    with schema_context(tenant.schema):
        return Mention.objects.filter(user_id=user.pk).count()


def send(who: Person, room: Room, body: str) -> Any:
    return who.post(f"/api/rooms/{room.pk}/messages/", {"body": body})


def test_api_send_naming_a_non_member_of_a_private_room_lists_them_and_the_add_works(tenant_a: TenantInfo) -> None:
    # given: a private room of Ann's that Bob is not in
    ann, bob = person(tenant_a, "Ann Archer"), person(tenant_a, "Bob Baker")
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE)

    # when: Ann names Bob
    response = send(ann, room, f"@{handle(bob.user)} can you look?")

    # then: the message is stored, Bob is listed and may be added; he is not notified (he cannot read it)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["not_in_room"] == [{"id": bob.id, "name": "Bob Baker"}]
    assert body["can_add_members"] is True
    assert body["body"].startswith("@")
    assert mentions_of(tenant_a, bob.user) == 0
    added = ann.post(f"/api/rooms/{room.pk}/members/", {"user": bob.id})
    assert added.status_code == 201, added.content
    # and now he is in, naming him lists nobody and mentions him
    again = send(ann, room, f"@{handle(bob.user)} welcome").json()
    assert again["not_in_room"] == []
    assert again["mentions"] == [bob.id]
    assert mentions_of(tenant_a, bob.user) == 1


def test_api_send_naming_a_non_member_of_a_public_room_mentions_and_lists_them(tenant_a: TenantInfo) -> None:
    # given: a public room Bob can read but has not joined
    ann, bob = person(tenant_a, "Ann Archer"), person(tenant_a, "Bob Baker")
    room = make_room(tenant_a, ann)

    body = send(ann, room, f"hi @{handle(bob.user)}").json()

    assert body["not_in_room"] == [{"id": bob.id, "name": "Bob Baker"}]
    assert body["mentions"] == [bob.id]
    assert mentions_of(tenant_a, bob.user) == 1


def test_api_send_naming_members_lists_nobody(tenant_a: TenantInfo) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob,))

    body = send(ann, room, f"@{handle(bob.user)} and @{handle(ann.user)}").json()

    assert body["not_in_room"] == []
    assert body["mentions"] == [bob.id]


def test_api_send_naming_a_stranger_is_plain_text_with_no_warning(tenant_a: TenantInfo) -> None:
    # given: a handle nobody of the workspace has
    ann = person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE)

    body = send(ann, room, "ping @nobody-here-at-all please").json()

    assert body["not_in_room"] == []
    assert body["mentions"] == []
    assert 'class="mention"' not in body["html"]
    with schema_context(tenant_a.schema):
        assert not Mention.objects.filter(message_id=body["id"]).exists()


def test_api_send_naming_someone_of_another_tenant_warns_nobody_and_stores_nothing(
    tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    # given: Carol exists only in tenant B
    ann, carol = person(tenant_a), person(tenant_b, "Carol Globex")
    room = make_room(tenant_a, ann)

    body = send(ann, room, f"@{handle(carol.user)} are you there?").json()

    # then: in A it names nobody; B has no mention of Carol
    assert body["not_in_room"] == []
    assert body["mentions"] == []
    assert "Carol" not in body["html"]
    assert mentions_of(tenant_b, carol.user) == 0


def test_api_send_in_a_direct_message_says_nobody_can_be_added(tenant_a: TenantInfo) -> None:
    ann, bob, cem = person(tenant_a), person(tenant_a), person(tenant_a, "Cem Cole")
    dm = ann.post("/api/direct/", {"users": [bob.id]})
    assert dm.status_code in (200, 201), dm.content
    with schema_context(tenant_a.schema):
        room = Room.objects.get(pk=dm.json()["id"])

    body = send(ann, room, f"@{handle(cem.user)} should see this").json()

    assert body["not_in_room"] == [{"id": cem.id, "name": "Cem Cole"}]
    assert body["can_add_members"] is False
    assert mentions_of(tenant_a, cem.user) == 0


def test_naming_people_outside_the_room_costs_the_send_no_query(tenant_a: TenantInfo) -> None:
    # given: a private room, one member and one person outside it
    ann, bob, cem = person(tenant_a), person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob,))

    def queries_of(body: str) -> int:
        with schema_context(tenant_a.schema), CaptureQueriesContext(connection) as captured:
            do_send_message(tenant=tenant_a.client, author=ann.user, room=room, body=body)
        return len(captured)

    # when: the same send names a member, then someone outside
    member = queries_of(f"@{handle(bob.user)} hi")
    outsider = queries_of(f"@{handle(cem.user)} hi")

    # then: no more statements than naming a member (whose mention is one more insert): whether
    # each person named is a member comes with the handles' lookup
    assert outsider <= member
