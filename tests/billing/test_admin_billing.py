"""Billing in the platform admin: every workspace's plan, status, MRR and next invoice, filtered
and searched; staff comp a plan, extend a trial and cancel, through billing.actions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from billing.entitlements import entitled
from billing.models import Entitlement, Plan, Usage
from documents.models import Document
from tests.support.billing import on_plan
from tests.support.limits import usage
from tests.support.tenants import PASSWORD, TenantInfo, host_client

pytestmark = pytest.mark.django_db

Status = Entitlement.Status
LIST = "/admin/billing/entitlement/"


@pytest.fixture
def staff(staff_user: User) -> HttpClient:
    browser = host_client("localhost")
    response = browser.post("/admin/login/?next=/admin/", {"username": staff_user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def rows_of(html: str) -> dict[str, str]:
    """Each listed workspace's row (by the client's name), as text."""
    rows = {}
    for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        text = re.sub(r"<[^>]+>", " ", row)
        text = re.sub(r"\s+", " ", text).strip()
        name = re.search(r'class="field-client[^"]*"[^>]*>(?:<a[^>]*>)?([^<]+)', row)
        if name:
            rows[name.group(1).strip()] = text
    return rows


def test_the_list_shows_plan_status_mrr_and_next_invoice(
    staff: HttpClient, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    # given: acme pays for 3 Team seats monthly ($8 each), globex for 3 Business seats yearly
    with (
        on_plan(tenant_a.client, Status.ACTIVE, "team"),
        on_plan(tenant_b.client, Status.ACTIVE, "business", interval="year") as globex,
    ):
        yearly = globex.plan.yearly_price_cents
        # when
        html = staff.get(LIST, {"q": ".test"}).content.decode()
        only_acme = staff.get(LIST, {"q": "acme"}).content.decode()

    # then
    rows = rows_of(html)
    assert "$24" in rows[str(tenant_a.client)] and "Team" in rows[str(tenant_a.client)]
    globex_mrr = f"${yearly * 3 // 12 / 100:,.2f}".removesuffix(".00")
    assert globex_mrr in rows[str(tenant_b.client)]
    assert f"${yearly * 3 / 100:,.2f}".removesuffix(".00") in rows[str(tenant_b.client)]  # the next invoice
    assert str(tenant_b.client) not in rows_of(only_acme)
    assert "$24" in re.search(r"<h1>(.*?)</h1>", only_acme, flags=re.S).group(1)  # type: ignore[union-attr]


def test_mrr_is_nothing_for_comped_free_and_canceled_workspaces(
    staff: HttpClient, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    with on_plan(tenant_a.client, Status.ACTIVE, "team", is_comped=True), on_plan(tenant_b.client, Status.CANCELED):
        html = staff.get(LIST, {"q": ".test"}).content.decode()
    for tenant in (tenant_a, tenant_b):
        assert "$0" in rows_of(html)[str(tenant.client)]


def test_filters_find_past_due_workspaces_and_search_finds_stripe_ids(
    staff: HttpClient, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    with (
        on_plan(tenant_a.client, Status.PAST_DUE),
        on_plan(tenant_b.client, Status.ACTIVE, stripe_customer_id="cus_globex9"),
    ):
        past_due = rows_of(staff.get(LIST, {"payment": "past_due"}).content.decode())
        by_status = rows_of(staff.get(LIST, {"status__exact": "active"}).content.decode())
        by_customer = rows_of(staff.get(LIST, {"q": "cus_globex9"}).content.decode())
    assert str(tenant_a.client) in past_due and str(tenant_b.client) not in past_due
    assert str(tenant_b.client) in by_status and str(tenant_a.client) not in by_status
    assert list(by_customer) == [str(tenant_b.client)]


def act(staff: HttpClient, action: str, entitlement: Entitlement, **data: str) -> str:
    response = staff.post(
        LIST, {"action": action, "_selected_action": [str(entitlement.pk)], "apply": "1", **data}, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def test_staff_comp_a_plan_through_the_form(staff: HttpClient, tenant_a: TenantInfo) -> None:
    with on_plan(tenant_a.client, Status.FREE, "free") as row:
        # when: the action asks first
        form = staff.post(LIST, {"action": "comp_plan", "_selected_action": [str(row.pk)]})
        team = Plan.objects.get(code="team")
        until = (timezone.now() + timedelta(days=30)).strftime("%Y-%m-%d %H:%M")
        act(staff, "comp_plan", row, plan=str(team.pk), until=until, note="Partner deal")
        row.refresh_from_db()
        seen = entitled(tenant_a.client)

    # then
    assert form.status_code == 200 and b"Give a plan free of charge" in form.content
    assert row.plan == team and row.is_comped and row.status == Status.ACTIVE and row.comped_until is not None
    assert row.note.startswith("Partner deal")
    assert seen.plan_code == "team" and seen.limits["seats"] == 100  # the cache was forgotten


def test_staff_extend_a_trial_without_a_subscription(staff: HttpClient, tenant_a: TenantInfo) -> None:
    with on_plan(tenant_a.client, Status.TRIALING, stripe_subscription_id="") as row:
        before = row.trial_ends_at
        assert before is not None
        act(staff, "extend_trial", row, days="7")
        row.refresh_from_db()
        seen = entitled(tenant_a.client)
    assert row.trial_ends_at == before + timedelta(days=7) and seen.period_end == row.trial_ends_at


def test_extending_a_trial_of_a_workspace_not_on_one_is_refused(staff: HttpClient, tenant_a: TenantInfo) -> None:
    with on_plan(tenant_a.client, Status.ACTIVE, stripe_subscription_id="") as row:
        html = act(staff, "extend_trial", row, days="7")
        row.refresh_from_db()
    assert "is not on a trial" in html and row.trial_ends_at is None


def test_staff_cancel_a_comp_now_and_at_its_end(staff: HttpClient, tenant_a: TenantInfo) -> None:
    until = timezone.now() + timedelta(days=10)
    with on_plan(
        tenant_a.client, Status.ACTIVE, "business", is_comped=True, comped_until=until, stripe_subscription_id=""
    ) as row:
        act(staff, "cancel_subscription", row, when="period_end")
        row.refresh_from_db()
        assert row.cancel_at_period_end and row.plan.code == "business" and row.comped_until == until

        act(staff, "cancel_subscription", row, when="now")
        row.refresh_from_db()
        assert row.status == Status.FREE and not row.is_comped and entitled(tenant_a.client).plan_code == "free"


def test_plan_stripe_event_and_invoice_admins_answer(staff: HttpClient) -> None:
    for path in (
        "/admin/billing/plan/",
        "/admin/billing/plan/?is_public__exact=1",
        "/admin/billing/stripeevent/?status__exact=failed",
        "/admin/billing/invoice/?status__exact=paid",
        "/admin/djstripe/customer/",
    ):
        assert staff.get(path).status_code == 200, path
    index = staff.get("/admin/").content.decode()
    assert "Stripe (raw data)" in index
    assert staff.get("/admin/billing/stripeevent/add/").status_code == 403
    assert staff.get("/admin/djstripe/taxrate/").status_code == 404


def test_staff_recount_usage_mends_counters_written_around(staff: HttpClient, tenant_a: TenantInfo) -> None:
    with schema_context(tenant_a.schema):
        people = User.objects.filter(is_active=True).count()
        stored = sum(Document.objects.values_list("size", flat=True))
    with usage(tenant_a.client, seats=people + 40, storage_bytes=stored + 10**9):
        # given: counters far from the truth (data written around the actions)
        row = Entitlement.objects.get(client=tenant_a.client)

        # when
        act(staff, "recount_usage", row)

        # then: seats and storage are what the schema holds
        counted = Usage.objects.get(client=tenant_a.client)
        assert (counted.seats, counted.storage_bytes) == (people, stored)
