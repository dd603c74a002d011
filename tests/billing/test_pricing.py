"""`/pricing/` on the platform host, the billing page for owners, and the banners everyone in a
workspace sees when its billing needs attention."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from billing.models import Entitlement, Plan
from tests.support.billing import on_plan
from tests.support.people import make_user
from tests.support.tenants import PASSWORD, TenantInfo, host_client, login

pytestmark = pytest.mark.django_db

Status = Entitlement.Status


def test_pricing_lists_every_public_plan_with_prices_and_limits(platform_client: HttpClient) -> None:
    # when
    response = platform_client.get("/pricing/")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    for plan in Plan.objects.filter(is_public=True):
        assert f'id="plan-{plan.code}"' in html and plan.name in html
    assert "$8</strong> per seat a month" in html  # Team, monthly
    assert "100 seats" in html and "50 GB of storage" in html and "Files up to 50 MB" in html
    assert "10,000 document pages a month" in html and "1 custom domain" in html
    assert "Hide “Powered by”" in html and "API requests" in html
    assert "Enterprise" in html and "Talk to us" in html and "mailto:" in html
    assert 'href="/signup/"' in html


def test_pricing_is_not_served_on_a_workspace_host(client_a: HttpClient) -> None:
    assert client_a.get("/pricing/").status_code == 404


def test_the_billing_page_is_for_owners(tenant_a: TenantInfo) -> None:
    owner, admin = host_client(tenant_a.host), host_client(tenant_a.host)
    login(owner, tenant_a.owner_email)
    login(admin, make_user(tenant_a, "admin").email, PASSWORD)

    with on_plan(tenant_a.client, Status.TRIALING, "team"):
        page = owner.get("/settings/billing/")
        refused = admin.get("/settings/billing/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "The free trial of Team ends on" in html and "Test mode — no card is charged" in html
    assert 'data-meter="seats"' in html and 'data-meter="custom_domains"' in html
    assert 'href="/settings/billing/"' in html  # in the settings menu
    assert refused.status_code == 403 and b"owners" in refused.content
    assert host_client(tenant_a.host).get("/settings/billing/").status_code == 302


def test_a_past_due_banner_shows_to_everyone_with_a_link_for_owners(tenant_a: TenantInfo) -> None:
    owner, member = host_client(tenant_a.host), host_client(tenant_a.host)
    login(owner, tenant_a.owner_email)
    login(member, make_user(tenant_a, "member").email, PASSWORD)

    with on_plan(tenant_a.client, Status.PAST_DUE):
        seen_by_owner = owner.get("/settings/profile/").content.decode()
        seen_by_member = member.get("/settings/profile/").content.decode()

    assert "A payment failed. The workspace stays open until" in seen_by_member
    assert "an owner can fix it" in seen_by_member and "Update the payment method" not in seen_by_member
    assert "Update the payment method" in seen_by_owner


def test_a_canceled_workspace_says_it_is_read_only(tenant_a: TenantInfo) -> None:
    member = host_client(tenant_a.host)
    login(member, make_user(tenant_a, "member").email, PASSWORD)
    with on_plan(tenant_a.client, Status.CANCELED):
        html = member.get("/settings/profile/").content.decode()
    assert "read-only" in html and "An owner can choose a plan" in html
    with on_plan(tenant_a.client, Status.ACTIVE):
        assert "billing-banner" not in member.get("/settings/profile/").content.decode()
