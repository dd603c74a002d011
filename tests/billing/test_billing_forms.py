"""The billing page's buttons without JavaScript, and the API's checkout and portal against the
test-mode Stripe: an owner is sent on to Stripe's page, bad input comes back to the billing page
with the reason, and nobody but an owner gets anywhere."""

from __future__ import annotations

from types import ModuleType
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client as HttpClient

from billing.entitlements import entitled
from billing.models import Entitlement
from config import limits
from config.limits import ReadOnlyWorkspace
from tests.support.billing import on_plan
from tests.support.limits import usage
from tests.support.people import make_user
from tests.support.people_api import as_role, assert_error
from tests.support.tenants import TenantInfo, host_client, login

pytestmark = pytest.mark.django_db

Status = Entitlement.Status


@pytest.fixture
def owner(tenant_a: TenantInfo) -> HttpClient:
    browser = host_client(tenant_a.host)
    login(browser, tenant_a.owner_email)
    return browser


def said(response: object) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def test_the_plan_button_goes_on_to_the_test_mode_checkout(
    owner: HttpClient, tenant_a: TenantInfo, fake_stripe: ModuleType
) -> None:
    with on_plan(tenant_a.client, Status.FREE, "free"):
        response = owner.post("/settings/billing/checkout/", {"plan": "team", "interval": "month"})

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.hostname == settings.PLATFORM_DOMAIN and target.path.startswith("/billing/test-checkout/cs_")


def test_a_plan_not_for_sale_comes_back_with_the_reason(owner: HttpClient, tenant_a: TenantInfo) -> None:
    with on_plan(tenant_a.client, Status.FREE, "free"):
        response = owner.post("/settings/billing/checkout/", {"plan": "enterprise", "interval": "month"}, follow=True)

    assert response.redirect_chain[-1][0].endswith("/settings/billing/")
    assert said(response), "the billing page says why"


def test_the_portal_button_before_any_checkout_comes_back_with_the_reason(
    owner: HttpClient, tenant_a: TenantInfo
) -> None:
    with on_plan(tenant_a.client, Status.FREE, "free"):
        response = owner.post("/settings/billing/portal/", follow=True)

    assert response.redirect_chain[-1][0].endswith("/settings/billing/")
    assert said(response)


def test_the_api_checkout_answers_the_stripe_url(tenant_a: TenantInfo, fake_stripe: ModuleType) -> None:
    api = as_role(tenant_a, "owner")
    with on_plan(tenant_a.client, Status.FREE, "free"):
        response = api.call("post", "/api/billing/checkout/", {"plan": "business", "interval": "year"})

    assert response.status_code == 200, response.content
    assert "/billing/test-checkout/cs_" in response.json()["url"]


def test_only_owners_reach_the_buttons(tenant_a: TenantInfo) -> None:
    member = make_user(tenant_a, role="admin")
    browser = host_client(tenant_a.host)
    login(browser, member.email)

    for path in ("/settings/billing/", "/settings/billing/checkout/", "/settings/billing/portal/"):
        method = browser.get if path == "/settings/billing/" else browser.post
        assert method(path).status_code == 403, path


def test_a_canceled_workspace_continues_on_free_and_can_write_again(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given: Acme's subscription ended (read-only), Globex pays
    api = as_role(tenant_a, "owner")
    with on_plan(tenant_a.client, Status.CANCELED, "team"), on_plan(tenant_b.client, Status.ACTIVE, "team"):
        assert not can_write(tenant_a)

        # when
        response = api.call("post", "/api/billing/free/")

        # then: Acme is free and writable; Globex is as it was
        assert response.status_code == 200, response.content
        assert (response.json()["plan"]["code"], response.json()["status"]) == ("free", "free")
        assert can_write(tenant_a)
        assert entitled(tenant_b.client).status == Status.ACTIVE and entitled(tenant_b.client).plan_code == "team"


def test_continuing_on_free_is_refused_while_subscribed_or_over_its_limits(
    owner: HttpClient, tenant_a: TenantInfo
) -> None:
    api = as_role(tenant_a, "owner")
    with on_plan(tenant_a.client, Status.ACTIVE, "team"):
        assert_error(api.call("post", "/api/billing/free/"), 409, "not_canceled")
    with on_plan(tenant_a.client, Status.CANCELED, "team"), usage(tenant_a.client, seats=40):
        body = assert_error(api.call("post", "/api/billing/free/"), 409, "over_free_limits")
        page = owner.post("/settings/billing/free/", follow=True)
        still = entitled(tenant_a.client).status

    assert "40 people" in body["detail"]
    assert any("40 people" in message for message in said(page))
    assert still == Status.CANCELED


def can_write(tenant: TenantInfo) -> bool:
    try:
        limits.check_writable(tenant.client)
    except ReadOnlyWorkspace:
        return False
    return True
