"""Platform staff manage clients from Django admin on the platform host."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import Plan
from tenants.models import Client
from tests.support.tenants import PASSWORD, TenantInfo, host_client

pytestmark = pytest.mark.django_db


def test_client_list_shows_domains_plans_status_and_user_counts(
    staff_browser: HttpClient, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    with schema_context(tenant_a.schema):
        expected_a = User.objects.filter(is_active=True).count()

    response = staff_browser.get("/admin/tenants/client/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "acme.localhost" in html and "globex.localhost" in html
    assert f'<td class="field-users">{expected_a}</td>' in html
    assert "By status" in html and "By plan" in html


def test_client_list_search_and_filters(staff_browser: HttpClient, tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    found = staff_browser.get("/admin/tenants/client/", {"q": "globex"}).content.decode()
    assert "globex.localhost" in found and "acme.localhost" not in found

    suspended = staff_browser.get("/admin/tenants/client/", {"status__exact": "suspended"}).content.decode()
    assert "acme.localhost" not in suspended


def test_client_change_page_lists_domains_inline(staff_browser: HttpClient, tenant_a: TenantInfo) -> None:
    response = staff_browser.get(f"/admin/tenants/client/{tenant_a.client.pk}/change/")

    assert response.status_code == 200
    assert "acme.localhost" in response.content.decode()


def test_add_client_provisions_a_whole_workspace(staff_browser: HttpClient) -> None:
    plan = Plan.objects.get(code="team")

    response = staff_browser.post(
        "/admin/tenants/client/add/",
        {
            "name": "Wayne Enterprises",
            "slug": "wayne",
            "plan": plan.pk,
            "owner_name": "Bruce Wayne",
            "owner_email": "bruce@wayne.test",
            "password": "not-the-batman-1939",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    client = Client.objects.get(slug="wayne")
    assert client.entitlement.plan == plan
    with schema_context(client.schema_name):
        assert User.objects.get().email == "bruce@wayne.test"


def test_add_client_with_a_reserved_slug_shows_the_error_and_creates_nothing(staff_browser: HttpClient) -> None:
    response = staff_browser.post(
        "/admin/tenants/client/add/",
        {
            "name": "API",
            "slug": "api",
            "plan": Plan.objects.get(code="free").pk,
            "owner_name": "X",
            "owner_email": "x@api.test",
            "password": "long-enough-pass-1",
        },
    )

    assert response.status_code == 200
    assert "reserved" in response.content.decode()
    assert not Client.objects.filter(slug="api").exists()


def test_tenant_users_cannot_use_the_admin(tenant_a: TenantInfo) -> None:
    browser = host_client("localhost")

    response = browser.post("/admin/login/?next=/admin/", {"username": tenant_a.owner_email, "password": PASSWORD})

    assert response.status_code == 200  # the login form again: no such staff account
    assert browser.get("/admin/").status_code == 302
