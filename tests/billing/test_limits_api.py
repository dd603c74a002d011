"""Each limit of a plan at its boundary through the API: one under and at the limit pass, one
over answers 402 `plan_limit` naming the limit, and the other tenant is never touched.

acme goes on the Team plan with small limits for each test (globex stays on Free), and back.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from accounts.actions.seats import promised_seats
from billing import entitlements
from documents import tasks
from documents.models import Document
from tenants.models import CustomDomain
from tests.support.chat_api import Person, person
from tests.support.documents import upload
from tests.support.domains import unique_domain
from tests.support.limits import invitation_token, on_plan, usage, usage_of
from tests.support.people_api import Api, assert_error
from tests.support.tenants import TenantInfo, host_client, login

MB = 1024 * 1024


@pytest.fixture
def ann(tenant_a: TenantInfo, db: None, media: Path) -> Person:
    return person(tenant_a)


def text(size: int) -> bytes:
    return b"a" * size


def new_email(tenant: TenantInfo) -> str:
    return f"limit-{uuid.uuid4().hex[:8]}@{tenant.client.slug}.test"


# -- seats ------------------------------------------------------------------------------------


def test_invitations_fill_the_seats_then_the_next_is_refused(tenant_a: TenantInfo, db: None) -> None:
    # given: acme's plan has room for two more people than it has now (active and invited)
    owner = Api(tenant_a, tenant_a.owner_email)
    with schema_context(tenant_a.schema):
        promised = promised_seats()
    with on_plan(tenant_a.client, "team", max_users=promised + 2):
        # when: three invitations are sent
        one_under = owner.call("post", "/api/invitations/", {"email": new_email(tenant_a), "role": "member"})
        at_limit = owner.call("post", "/api/invitations/", {"email": new_email(tenant_a), "role": "member"})
        over = owner.call("post", "/api/invitations/", {"email": new_email(tenant_a), "role": "member"})

    # then: the first two go out, the third is refused naming the seats
    assert one_under.status_code == 201, one_under.content
    assert at_limit.status_code == 201, at_limit.content
    body = assert_error(over, 402, "plan_limit")
    assert body["limit"] == "seats"
    assert "seats" in body["detail"]


def test_accepting_takes_a_seat_and_a_full_workspace_refuses_the_next(
    tenant_a: TenantInfo, tenant_b: TenantInfo, db: None
) -> None:
    # given: two usable invitations, and one seat left on acme's plan
    anon = Api(tenant_a)
    first, second = new_email(tenant_a), new_email(tenant_a)
    tokens = [invitation_token(tenant_a.schema, email) for email in (first, second)]
    globex_seats = usage_of(tenant_b.client).seats
    with on_plan(tenant_a.client, "team", max_users=5), usage(tenant_a.client, seats=4):
        # when: both are accepted
        taken = anon.call(
            "post", "/api/invitations/accept/", {"token": tokens[0], "name": "A", "password": "x-Pass-9876!"}
        )
        refused = anon.call(
            "post", "/api/invitations/accept/", {"token": tokens[1], "name": "B", "password": "x-Pass-9876!"}
        )
        seats = usage_of(tenant_a.client).seats

    # then: the first joins (the fifth seat), the second is told the workspace is full
    assert taken.status_code == 201, taken.content
    assert seats == 5
    assert assert_error(refused, 402, "plan_limit")["limit"] == "seats"
    with schema_context(tenant_a.schema):
        from accounts.models import User

        assert User.objects.filter(email=first).exists()
        assert not User.objects.filter(email=second).exists()
    # and globex's seats did not move
    assert usage_of(tenant_b.client).seats == globex_seats


def test_reactivating_takes_a_seat_back_only_when_one_is_free(tenant_a: TenantInfo, db: None) -> None:
    # given: a deactivated person and a full plan
    owner = Api(tenant_a, tenant_a.owner_email)
    someone = person(tenant_a)
    assert owner.call("patch", f"/api/people/{someone.id}/", {"is_active": False}).status_code == 200
    with on_plan(tenant_a.client, "team", max_users=3), usage(tenant_a.client, seats=3):
        # when: reactivated while full, then with a seat free
        full = owner.call("patch", f"/api/people/{someone.id}/", {"is_active": True})
        with usage(tenant_a.client, seats=2):
            free = owner.call("patch", f"/api/people/{someone.id}/", {"is_active": True})
            seats = usage_of(tenant_a.client).seats

    # then
    assert assert_error(full, 402, "plan_limit")["limit"] == "seats"
    assert free.status_code == 200, free.content
    assert seats == 3


# -- storage and upload size ------------------------------------------------------------------


def test_storage_fills_to_the_byte_then_refuses(tenant_a: TenantInfo, ann: Person) -> None:
    # given: acme's 1 MB of storage with 200 bytes left
    with on_plan(tenant_a.client, "team", max_storage_mb=1), usage(tenant_a.client, storage_bytes=MB - 200):
        # when: 100 bytes (one under), 100 bytes (at), then 1 byte (over) are uploaded
        one_under = upload(ann, text(100), "a.txt")
        at_limit = upload(ann, text(100), "b.txt")
        over = upload(ann, text(1), "c.txt")
        stored = usage_of(tenant_a.client).storage_bytes

    # then
    assert one_under.status_code == 201, one_under.content
    assert at_limit.status_code == 201, at_limit.content
    body = assert_error(over, 402, "plan_limit")
    assert body["limit"] == "storage_bytes"
    assert stored == MB
    with schema_context(tenant_a.schema):
        assert not Document.objects.filter(name="c.txt", uploader_id=ann.id).exists()


def test_upload_size_is_the_plans_below_the_platforms(tenant_a: TenantInfo, ann: Person, settings: Any) -> None:
    # given: a plan taking files of 1 MB, on a platform taking 1 MB and 64 KB
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = MB + 64 * 1024
    with on_plan(tenant_a.client, "team", max_upload_mb=1):
        entitlements.forget(tenant_a.client.pk)
        # when: files of 1 MB less a byte, 1 MB, 1 MB and a byte, and over the platform's limit
        one_under = upload(ann, text(MB - 1), "a.txt")
        at_limit = upload(ann, text(MB), "b.txt")
        over_plan = upload(ann, text(MB + 1), "c.txt")
        over_platform = upload(ann, text(MB + 64 * 1024 + 1), "d.txt")

    # then: the plan's limit answers 402 naming `upload_bytes`, the platform's stays 413
    assert one_under.status_code == 201, one_under.content
    assert at_limit.status_code == 201, at_limit.content
    body = assert_error(over_plan, 402, "plan_limit")
    assert body["limit"] == "upload_bytes"
    assert "1 MB" in body["detail"]
    assert_error(over_platform, 413, "too_large")


# -- pages per month --------------------------------------------------------------------------


def extract(tenant: TenantInfo, document_id: int) -> Document:
    with schema_context(tenant.schema):
        tasks.extract_document(document_id)
        return Document.objects.get(pk=document_id)


def test_pages_are_counted_when_read_and_past_the_month_a_document_fails(
    tenant_a: TenantInfo, tenant_b: TenantInfo, ann: Person, settings: Any
) -> None:
    # given: 3 pages a month, 1 used; three one-page text documents
    settings.DOCUMENTS_WORKER_MEMORY_BYTES = 0  # the test runner's memory stays uncapped
    globex_pages = usage_of(tenant_b.client).pages_this_period
    with on_plan(tenant_a.client, "team", max_pages_per_month=3), usage(tenant_a.client, pages_this_period=1):
        ids = [upload(ann, b"page text %d\n" % i, f"p{i}.txt").json()["id"] for i in range(3)]
        # when: each is read
        one_under, at_limit, over = (extract(tenant_a, pk) for pk in ids)
        pages = usage_of(tenant_a.client).pages_this_period
        again = extract(tenant_a, ids[1])  # a document read again is not counted twice
        pages_after_again = usage_of(tenant_a.client).pages_this_period

    # then: two are read, the third fails with the plan's reason and nothing extracted
    assert (one_under.status, at_limit.status) == ("ready", "ready")
    assert over.status == "failed" and over.error == "plan_limit"
    assert "plan" in over.error_message
    with schema_context(tenant_a.schema):
        assert not over.pages.exists()
    assert pages == 3
    assert again.status == "ready" and pages_after_again == 3
    body = ann.get(f"/api/documents/{over.pk}/").json()
    assert body["error_code"] == "plan_limit"
    assert usage_of(tenant_b.client).pages_this_period == globex_pages


# -- custom domains ---------------------------------------------------------------------------


def test_domains_stop_at_the_plans_number(tenant_a: TenantInfo, db: None) -> None:
    # given: acme on a plan with two custom domains
    owner = Api(tenant_a, tenant_a.owner_email)
    with schema_context("public"):
        live = CustomDomain.objects.filter(tenant=tenant_a.client).exclude(status="removed").count()
    with on_plan(tenant_a.client, "team", max_custom_domains=live + 2):
        # when: three are added
        one_under = owner.call("post", "/api/domains/", {"domain": unique_domain()})
        at_limit = owner.call("post", "/api/domains/", {"domain": unique_domain()})
        over = owner.call("post", "/api/domains/", {"domain": unique_domain()})

    # then
    assert one_under.status_code == 201, one_under.content
    assert at_limit.status_code == 201, at_limit.content
    body = assert_error(over, 402, "plan_limit")
    assert body["limit"] == "custom_domains"


def test_free_plan_adds_no_domain_and_the_platform_cap_still_holds(
    tenant_a: TenantInfo, db: None, settings: Any
) -> None:
    owner = Api(tenant_a, tenant_a.owner_email)
    # Free: no custom domains
    free = owner.call("post", "/api/domains/", {"domain": unique_domain()})
    assert assert_error(free, 402, "plan_limit")["limit"] == "custom_domains"
    # a plan above the platform's cap: the cap answers
    with schema_context("public"):
        live = CustomDomain.objects.filter(tenant=tenant_a.client).exclude(status="removed").count()
    settings.DOMAINS_MAX_PER_TENANT = live
    with on_plan(tenant_a.client, "team", max_custom_domains=live + 5):
        capped = owner.call("post", "/api/domains/", {"domain": unique_domain()})
    assert assert_error(capped, 402, "plan_limit")["limit"] == "custom_domains"


# -- API requests per minute ------------------------------------------------------------------


@contextmanager
def throttled(settings: Any, *tenants: TenantInfo) -> Iterator[None]:
    """The per-workspace rate on, in a fresh minute window (the counters are the minute's)."""
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    window = int(time.time()) // 60
    for tenant in tenants:
        with schema_context(tenant.schema):
            cache.delete(f"ratelimit:api-tenant:{tenant.client.pk}:{window}")
    settings.BILLING_API_THROTTLE = True
    yield


def test_api_rate_per_workspace_answers_429_with_retry_after(
    tenant_a: TenantInfo, tenant_b: TenantInfo, db: None, settings: Any
) -> None:
    # given: signed in on both tenants (before the rate is on), acme at 3 requests a minute
    owner_a, owner_b = Api(tenant_a, tenant_a.owner_email), Api(tenant_b, tenant_b.owner_email)
    with on_plan(tenant_a.client, "team", api_requests_per_minute=3), throttled(settings, tenant_a, tenant_b):
        # when: acme makes four requests, globex one after them
        answers = [owner_a.call("get", "/api/rooms/") for _ in range(4)]
        other = owner_b.call("get", "/api/rooms/")

    # then: the fourth is throttled with Retry-After; globex, on its own count, is not
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert answers[3].status_code == 429
    assert 0 < int(answers[3]["Retry-After"]) <= 60
    assert other.status_code == 200


def test_api_rate_counts_token_clients_not_the_web_app(tenant_a: TenantInfo, db: None, settings: Any) -> None:
    # given: acme at 2 requests a minute, one person signed in to the web app (a session)
    browser = host_client(tenant_a.host)
    login(browser, tenant_a.owner_email)
    with on_plan(tenant_a.client, "team", api_requests_per_minute=2), throttled(settings, tenant_a):
        # when: the web app asks five times
        answers = [browser.get("/api/rooms/") for _ in range(5)]

    # then: the product's own pages are never throttled by the plan's API rate
    assert [a.status_code for a in answers] == [200] * 5
