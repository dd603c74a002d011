"""Usage counters equal the truth after the writes that create usage, counted in the same
transaction: joins, deactivations and reactivations (seats), uploads and deletions (storage),
sends (messages); and one tenant's writes never move the other's counters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db.models import Sum
from django_tenants.utils import schema_context

from accounts.actions.seats import active_people
from accounts.models import User
from billing.models import Usage
from documents.models import Document
from tests.support.chat_api import make_room, person, unique
from tests.support.documents import upload
from tests.support.limits import invitation_token, usage, usage_of
from tests.support.people_api import Api
from tests.support.tenants import TenantInfo


def stored_bytes(tenant: TenantInfo) -> int:
    with schema_context(tenant.schema):
        return int(Document.objects.aggregate(total=Sum("size"))["total"] or 0)


def counters(client: Any) -> dict[str, int]:
    row = usage_of(client)
    return {name: getattr(row, name) for name in ("seats", "storage_bytes", "messages_total", "pages_this_period")}


def test_seats_follow_joins_deactivations_and_reactivations(
    tenant_a: TenantInfo, tenant_b: TenantInfo, db: None
) -> None:
    # given: acme's seat counter equal to its active people
    owner = Api(tenant_a, tenant_a.owner_email)
    globex = counters(tenant_b.client)
    with schema_context(tenant_a.schema):
        active = active_people()
    with usage(tenant_a.client, seats=active):
        # when: two people join by invitation, one is deactivated, then reactivated
        joined = []
        for name in ("Ann", "Bob"):
            email = f"{unique('seat')}@acme.test"
            token = invitation_token(tenant_a.schema, email)
            answer = Api(tenant_a).call(
                "post", "/api/invitations/accept/", {"token": token, "name": name, "password": "x-Pass-9876!"}
            )
            assert answer.status_code == 201, answer.content
            with schema_context(tenant_a.schema):
                joined.append(User.objects.get(email=email).pk)
        after_joins = usage_of(tenant_a.client).seats
        assert owner.call("patch", f"/api/people/{joined[0]}/", {"is_active": False}).status_code == 200
        after_deactivation = usage_of(tenant_a.client).seats
        # deactivating twice gives back one seat only
        assert owner.call("patch", f"/api/people/{joined[0]}/", {"is_active": False}).status_code == 200
        assert usage_of(tenant_a.client).seats == after_deactivation
        assert owner.call("patch", f"/api/people/{joined[0]}/", {"is_active": True}).status_code == 200
        after_reactivation = usage_of(tenant_a.client).seats
        with schema_context(tenant_a.schema):
            truth = active_people()

    # then: the counter followed each change and equals the active people
    assert (after_joins, after_deactivation, after_reactivation) == (active + 2, active + 1, active + 2)
    assert after_reactivation == truth
    assert counters(tenant_b.client) == globex


def test_storage_follows_uploads_and_deletions(
    tenant_a: TenantInfo, tenant_b: TenantInfo, db: None, media: Path
) -> None:
    ann = person(tenant_a)
    globex = counters(tenant_b.client)
    with usage(tenant_a.client, storage_bytes=stored_bytes(tenant_a)):
        # when: three uploads, one deletion, and one refused upload
        ids = [upload(ann, b"x" * size, f"f{size}.txt").json()["id"] for size in (10, 200, 3000)]
        assert ann.delete(f"/api/documents/{ids[1]}/").status_code == 204
        assert upload(ann, b"\x7fELF" + b"\0" * 60, "bad.txt").status_code == 415
        counted = usage_of(tenant_a.client).storage_bytes
        truth = stored_bytes(tenant_a)
    assert counted == truth
    assert counters(tenant_b.client) == globex


def test_messages_are_counted_in_the_sending_transaction(tenant_a: TenantInfo, tenant_b: TenantInfo, db: None) -> None:
    owner = person(tenant_a, role="owner")
    room = make_room(tenant_a, owner)
    globex = counters(tenant_b.client)
    before = usage_of(tenant_a.client)
    for body in ("one", "two", "three"):
        assert owner.post(f"/api/rooms/{room.pk}/messages/", {"body": body}).status_code == 201
    # an invalid send is no message and no count
    assert owner.post(f"/api/rooms/{room.pk}/messages/", {"body": ""}).status_code == 400
    after = usage_of(tenant_a.client)
    assert after.messages_this_period == before.messages_this_period + 3
    assert after.messages_total == before.messages_total + 3
    assert counters(tenant_b.client) == globex


def test_a_new_period_starts_the_monthly_counters_again(tenant_a: TenantInfo, db: None) -> None:
    owner = person(tenant_a, role="owner")
    room = make_room(tenant_a, owner)
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    with usage(tenant_a.client, messages_this_period=500, pages_this_period=40, messages_total=900):
        with schema_context("public"):
            Usage.objects.filter(client=tenant_a.client).update(period_start=long_ago)
        assert owner.post(f"/api/rooms/{room.pk}/messages/", {"body": "new month"}).status_code == 201
        row = usage_of(tenant_a.client)
    assert (row.messages_this_period, row.pages_this_period, row.messages_total) == (1, 0, 901)
    assert row.period_start > long_ago
