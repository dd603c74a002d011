"""A read-only workspace (canceled, unpaid, past due after the grace period) through every write
of the API: each answers 402 `read_only` and changes nothing, while reads, search, downloads,
sign-in, the profile and read markers keep working, and the other tenant writes as ever.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Invitation
from billing.models import Entitlement
from chat.actions import do_add_reaction
from chat.models import Message, Room
from tests.support.branding import png
from tests.support.chat_api import Person, make_room, person, post_messages, unique
from tests.support.documents import request, upload
from tests.support.domains import unique_domain
from tests.support.limits import entitlement, invitation_token, read_only, usage_of
from tests.support.people_api import Api, assert_error
from tests.support.tenants import PASSWORD, TenantInfo


@pytest.fixture
def world(tenant_a: TenantInfo, db: None, media: Path) -> dict[str, Any]:
    """An owner and a member of acme, a room with a message, a reaction, a document, a
    pending invitation and a deactivated person: something for every write to touch."""
    owner = Person(user=_owner(tenant_a), api=Api(tenant_a, tenant_a.owner_email), tenant=tenant_a)
    member = person(tenant_a)
    gone = person(tenant_a)
    room = make_room(tenant_a, owner, members=(member,))
    message = post_messages(tenant_a, owner, room, ["hello"])[0]
    with schema_context(tenant_a.schema):
        do_add_reaction(tenant=tenant_a.client, user=owner.user, message=message, emoji="👍")
    document = upload(owner, b"some text\n", "notes.txt").json()
    invited = owner.post("/api/invitations/", {"email": f"{unique('inv')}@acme.test", "role": "member"}).json()
    assert owner.patch(f"/api/people/{gone.id}/", {"is_active": False}).status_code == 200
    return {
        "owner": owner,
        "member": member,
        "gone": gone,
        "room": room,
        "message": message,
        "document": document,
        "invitation": invited,
    }


def _owner(tenant: TenantInfo) -> Any:
    from accounts.models import User

    with schema_context(tenant.schema):
        return User.objects.get(email=tenant.owner_email)


# Every write of the API a person can make, as (name, call(world) -> response).
WRITES: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("message send", lambda w: w["owner"].post(f"/api/rooms/{w['room'].pk}/messages/", {"body": "hi"})),
    ("message edit", lambda w: w["owner"].patch(f"/api/messages/{w['message'].pk}/", {"body": "edited"})),
    ("message delete", lambda w: w["owner"].delete(f"/api/messages/{w['message'].pk}/")),
    ("reaction add", lambda w: w["owner"].post(f"/api/messages/{w['message'].pk}/reactions/", {"emoji": "🎉"})),
    ("reaction remove", lambda w: w["owner"].delete(f"/api/messages/{w['message'].pk}/reactions/?emoji=👍")),
    ("room create", lambda w: w["owner"].post("/api/rooms/", {"name": unique()})),
    ("room rename", lambda w: w["owner"].patch(f"/api/rooms/{w['room'].pk}/", {"name": unique()})),
    ("room archive", lambda w: w["owner"].patch(f"/api/rooms/{w['room'].pk}/", {"archived": True})),
    ("member add", lambda w: w["owner"].post(f"/api/rooms/{w['room'].pk}/members/", {"user": w["gone"].id})),
    ("member remove", lambda w: w["owner"].delete(f"/api/rooms/{w['room'].pk}/members/{w['member'].id}/")),
    (
        "member role",
        lambda w: w["owner"].patch(f"/api/rooms/{w['room'].pk}/members/{w['member'].id}/", {"role": "admin"}),
    ),
    ("direct open", lambda w: w["member"].post("/api/direct/", {"users": [w["owner"].id]})),
    ("document upload", lambda w: upload(w["owner"], b"more text\n", "more.txt")),
    ("document delete", lambda w: w["owner"].delete(f"/api/documents/{w['document']['id']}/")),
    ("invite", lambda w: w["owner"].post("/api/invitations/", {"email": f"{unique('x')}@acme.test", "role": "member"})),
    ("invitation resend", lambda w: w["owner"].post(f"/api/invitations/{w['invitation']['id']}/resend/")),
    ("reactivate", lambda w: w["owner"].patch(f"/api/people/{w['gone'].id}/", {"is_active": True})),
    ("brand draft", lambda w: w["owner"].patch("/api/brand/draft/", {"primary_colour": "#0f766e"})),
    ("brand publish", lambda w: w["owner"].post("/api/brand/publish/")),
    (
        "brand asset",
        lambda w: w["owner"].api.http.post(
            "/api/brand/draft/assets/", {"kind": "icon", "file": _png_file()}, **w["owner"].api.headers
        ),
    ),
    ("domain add", lambda w: w["owner"].post("/api/domains/", {"domain": unique_domain()})),
]


def _png_file() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("icon.png", png(), content_type="image/png")


@pytest.mark.parametrize(("name", "write"), WRITES, ids=[name for name, _ in WRITES])
def test_every_write_answers_402_read_only(
    tenant_a: TenantInfo, world: dict[str, Any], name: str, write: Callable[[dict[str, Any]], Any]
) -> None:
    # given: acme's subscription was canceled
    with read_only(tenant_a.client):
        # when: the write is tried
        response = write(world)
    # then: refused with the reason, and an owner is pointed at billing
    body = assert_error(response, 402, "read_only")
    assert "read-only" in body["detail"]


def test_a_refused_write_changes_nothing(tenant_a: TenantInfo, world: dict[str, Any]) -> None:
    owner, room = world["owner"], world["room"]
    with schema_context(tenant_a.schema):
        messages_before = Message.objects.filter(room=room).count()
        rooms_before = Room.objects.count()
    counted_before = usage_of(tenant_a.client).messages_this_period
    with read_only(tenant_a.client):
        owner.post(f"/api/rooms/{room.pk}/messages/", {"body": "hi"})
        owner.post("/api/rooms/", {"name": unique()})
    with schema_context(tenant_a.schema):
        assert Message.objects.filter(room=room).count() == messages_before
        assert Room.objects.count() == rooms_before
    assert usage_of(tenant_a.client).messages_this_period == counted_before


def test_accepting_an_invitation_in_a_read_only_workspace_is_refused(tenant_a: TenantInfo, db: None) -> None:
    token = invitation_token(tenant_a.schema, f"{unique('join')}@acme.test")
    with read_only(tenant_a.client, Entitlement.Status.UNPAID):
        response = Api(tenant_a).call(
            "post", "/api/invitations/accept/", {"token": token, "name": "Joiner", "password": "x-Pass-9876!"}
        )
    assert_error(response, 402, "read_only")
    with schema_context(tenant_a.schema):
        assert Invitation.objects.filter(accepted_at__isnull=True, email__startswith="join-").exists()


def test_reads_search_downloads_and_the_allowed_writes_still_work(tenant_a: TenantInfo, world: dict[str, Any]) -> None:
    owner, room, message, document = world["owner"], world["room"], world["message"], world["document"]
    with read_only(tenant_a.client):
        # reads
        assert owner.get("/api/rooms/").status_code == 200
        assert owner.get(f"/api/rooms/{room.pk}/messages/").status_code == 200
        assert owner.get("/api/search/", {"q": "hello"}).status_code == 200
        assert owner.get("/api/documents/").status_code == 200
        download = request(owner, "get", f"/api/documents/{document['id']}/download/")
        assert download.status_code == 200
        assert owner.get("/api/people/").status_code == 200
        # sign-in, the profile, read markers
        assert Api(tenant_a, tenant_a.owner_email).headers
        assert owner.patch("/api/me/", {"name": "Still Here"}).status_code == 200
        assert owner.post(f"/api/rooms/{room.pk}/read/", {"message": message.pk}).status_code == 200
        # deactivating (fewer seats to pay for) and revoking invitations
        assert owner.patch(f"/api/people/{world['member'].id}/", {"is_active": False}).status_code == 200
        assert owner.delete(f"/api/invitations/{world['invitation']['id']}/").status_code == 204


@pytest.mark.parametrize(
    ("status", "days_overdue", "writable"),
    [
        (Entitlement.Status.PAST_DUE, 1, True),
        (Entitlement.Status.PAST_DUE, 30, False),
        (Entitlement.Status.UNPAID, 0, False),
        (Entitlement.Status.CANCELED, 0, False),
        (Entitlement.Status.TRIALING, 0, True),
    ],
)
def test_which_statuses_are_read_only(
    tenant_a: TenantInfo, world: dict[str, Any], status: str, days_overdue: int, writable: bool
) -> None:
    since = timezone.now() - timedelta(days=days_overdue) if status == Entitlement.Status.PAST_DUE else None
    with entitlement(tenant_a.client, status=status, past_due_since=since):
        response = world["owner"].post(f"/api/rooms/{world['room'].pk}/messages/", {"body": "still?"})
    if writable:
        assert response.status_code == 201, response.content
    else:
        assert_error(response, 402, "read_only")


def test_one_read_only_workspace_leaves_the_other_writable(
    tenant_a: TenantInfo, tenant_b: TenantInfo, world: dict[str, Any]
) -> None:
    # given: globex's owner and room; acme canceled
    owner_b = person(tenant_b, role="owner")
    room_b = make_room(tenant_b, owner_b)
    with read_only(tenant_a.client):
        # when: both send
        refused = world["owner"].post(f"/api/rooms/{world['room'].pk}/messages/", {"body": "acme"})
        sent = owner_b.post(f"/api/rooms/{room_b.pk}/messages/", {"body": "globex"})
    # then: only acme is refused
    assert_error(refused, 402, "read_only")
    assert sent.status_code == 201, sent.content


def test_signing_in_works_in_a_read_only_workspace(tenant_a: TenantInfo, db: None) -> None:
    with read_only(tenant_a.client):
        answer = Api(tenant_a).call("post", "/api/auth/token/", {"email": tenant_a.owner_email, "password": PASSWORD})
    assert answer.status_code == 200
