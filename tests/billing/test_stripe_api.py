"""billing.stripe_api against the test-mode stand-in: plans pushed once, customers made through
dj-stripe and linked to their tenant, checkout and portal sessions as Stripe receives them."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from types import ModuleType
from typing import Any

import pytest
import stripe
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from djstripe.models import Customer as DjCustomer
from djstripe.models import Price as DjPrice
from djstripe.models import Product as DjProduct
from djstripe.models import WebhookEndpoint

from billing import stripe_api
from billing.fake_stripe import simulate
from billing.models import Entitlement, Plan
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


def push_all() -> dict[str, tuple[str, str, str]]:
    for plan in Plan.objects.all():
        stripe_api.push_plan(plan=plan)
    return {
        plan.code: (plan.stripe_product_id, plan.stripe_price_monthly_id, plan.stripe_price_yearly_id)
        for plan in Plan.objects.all()
    }


def checkout(tenant: TenantInfo, plan: Plan, *, interval: str, seats: int) -> str:
    return stripe_api.checkout_url(
        client=tenant.client,
        plan=plan,
        interval=interval,
        seats=seats,
        success_url=f"http://{tenant.host}/settings/billing/?checkout=done",
        cancel_url=f"http://{tenant.host}/settings/billing/",
    )


def sent(fake_stripe: ModuleType, method: str, path: str) -> list[dict[str, Any]]:
    return [row for row in fake_stripe.requests_log() if row["method"] == method and row["path"] == path]


def paid_plan() -> Plan:
    plan = Plan.objects.filter(monthly_price_cents__gt=0, yearly_price_cents__gt=0).order_by("position").first()
    assert plan is not None
    return plan


def test_push_plans_twice_keeps_one_product_and_price_each(fake_stripe: ModuleType) -> None:
    # given plans never pushed
    # when they are pushed twice
    first = push_all()
    second = push_all()
    # then the second push made nothing new, and every id is on its plan and in dj-stripe's tables
    assert first == second
    assert len(sent(fake_stripe, "POST", "/v1/products")) == Plan.objects.count()
    for plan in Plan.objects.all():
        product_id, monthly_id, yearly_id = first[plan.code]
        assert product_id.startswith("prod_")
        assert DjProduct.objects.get(id=product_id).metadata == {"plan": plan.code}
        if plan.is_free:
            assert (monthly_id, yearly_id) == ("", "")
            continue
        monthly, yearly = DjPrice.objects.get(id=monthly_id), DjPrice.objects.get(id=yearly_id)
        assert (monthly.lookup_key, monthly.unit_amount, monthly.recurring["interval"]) == (
            f"{plan.code}-monthly",
            plan.monthly_price_cents,
            "month",
        )
        assert (yearly.lookup_key, yearly.unit_amount, yearly.recurring["interval"]) == (
            f"{plan.code}-yearly",
            plan.yearly_price_cents,
            "year",
        )
        assert monthly.product_id == product_id


def test_push_plan_after_a_price_change_moves_the_lookup_key(fake_stripe: ModuleType) -> None:
    # given a pushed plan
    plan = paid_plan()
    stripe_api.push_plan(plan=plan)
    old_monthly, old_yearly = plan.stripe_price_monthly_id, plan.stripe_price_yearly_id
    # when its monthly price changes and it is pushed again
    plan.monthly_price_cents += 100
    plan.save(update_fields=["monthly_price_cents"])
    stripe_api.push_plan(plan=plan)
    # then a new monthly price holds the lookup key, the old one is archived, the yearly one stays
    plan.refresh_from_db()
    assert plan.stripe_price_monthly_id != old_monthly
    assert plan.stripe_price_yearly_id == old_yearly
    found = stripe.Price.list(lookup_keys=[f"{plan.code}-monthly"], api_key=settings.STRIPE_TEST_SECRET_KEY).data
    assert [price.id for price in found] == [plan.stripe_price_monthly_id]
    assert found[0].unit_amount == plan.monthly_price_cents
    assert DjPrice.objects.get(id=old_monthly).active is False


def test_checkout_url_links_a_dj_stripe_customer_to_the_tenant(
    fake_stripe: ModuleType, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    # given pushed plans and two tenants without a Stripe customer
    push_all()
    plan = paid_plan()
    Entitlement.objects.filter(client__in=[tenant_a.client, tenant_b.client]).update(
        stripe_customer_id="", trial_ends_at=None
    )
    # when each asks for a checkout page (tenant A twice)
    url_a = checkout(tenant_a, plan, interval="month", seats=3)
    checkout(tenant_a, plan, interval="year", seats=3)
    checkout(tenant_b, plan, interval="month", seats=1)
    # then the page is the test checkout on the platform host
    assert url_a.startswith(f"http://{settings.PLATFORM_DOMAIN}")
    assert "/billing/test-checkout/cs_test_" in url_a
    # and each tenant has one dj-stripe customer, its own, kept on its entitlement
    customer_a = DjCustomer.objects.get(subscriber=tenant_a.client)
    customer_b = DjCustomer.objects.get(subscriber=tenant_b.client)
    assert customer_a.id != customer_b.id
    assert Entitlement.objects.get(client=tenant_a.client).stripe_customer_id == customer_a.id
    assert Entitlement.objects.get(client=tenant_b.client).stripe_customer_id == customer_b.id
    created = sent(fake_stripe, "POST", "/v1/customers")
    assert len(created) == 2
    assert created[0]["params"]["metadata"]["client_id"] == str(tenant_a.client.pk)
    assert created[0]["params"]["email"] == tenant_a.client.email
    # and the session carries the tenant, the seats, the plan and the trial
    session = sent(fake_stripe, "POST", "/v1/checkout/sessions")[0]["params"]
    assert session["mode"] == "subscription"
    assert session["customer"] == customer_a.id
    assert session["client_reference_id"] == str(tenant_a.client.pk)
    assert session["line_items"] == [{"price": plan.stripe_price_monthly_id, "quantity": "3"}]
    assert session["subscription_data"]["metadata"] == {"client_id": str(tenant_a.client.pk), "plan": plan.code}
    assert session["allow_promotion_codes"] == "true"
    if plan.trial_days:
        assert session["subscription_data"]["trial_period_days"] == str(plan.trial_days)


def test_checkout_offers_no_second_trial(fake_stripe: ModuleType, tenant_a: TenantInfo) -> None:
    # given a plan with a trial and a tenant that had one already
    push_all()
    plan = paid_plan()
    plan.trial_days = 14
    plan.save(update_fields=["trial_days"])
    Entitlement.objects.filter(client=tenant_a.client).update(trial_ends_at=timezone.now() - timedelta(days=3))
    # when it checks out again
    checkout(tenant_a, plan, interval="month", seats=2)
    # then the subscription starts without a trial
    session = sent(fake_stripe, "POST", "/v1/checkout/sessions")[-1]["params"]
    assert "trial_period_days" not in session["subscription_data"]


def test_portal_url_opens_the_tenants_own_portal(fake_stripe: ModuleType, tenant_a: TenantInfo) -> None:
    # given a tenant
    # when it asks for the portal
    url = stripe_api.portal_url(client=tenant_a.client, return_url="http://acme/settings/billing/")
    # then the portal session is for its customer, and comes back to the workspace
    assert "/billing/test-portal/bps_test_" in url
    params = sent(fake_stripe, "POST", "/v1/billing_portal/sessions")[0]["params"]
    assert params["customer"] == Entitlement.objects.get(client=tenant_a.client).stripe_customer_id
    assert params["return_url"] == "http://acme/settings/billing/"


def test_every_call_names_the_pinned_api_version(fake_stripe: ModuleType, tenant_a: TenantInfo) -> None:
    # given / when plans are pushed and a checkout made
    push_all()
    checkout(tenant_a, paid_plan(), interval="month", seats=1)
    # then Stripe was always asked for the pinned version
    versions = {row["stripe_version"] for row in fake_stripe.requests_log()}
    assert versions == {settings.STRIPE_API_VERSION}


def subscribed(tenant: TenantInfo, seats: int) -> tuple[Entitlement, dict[str, Any]]:
    """A tenant subscribed through the test checkout; the entitlement points at it (what the
    webhook worker would have written)."""
    push_all()
    url = checkout(tenant, paid_plan(), interval="month", seats=seats)
    sub = simulate.complete_checkout(url.rstrip("/").rsplit("/", 1)[-1])
    Entitlement.objects.filter(client=tenant.client).update(
        stripe_subscription_id=sub["id"], status=sub["status"], synced_quantity=seats
    )
    return Entitlement.objects.get(client=tenant.client), sub


def test_staff_cancel_and_trial_extension_reach_the_subscription(fake_stripe: ModuleType, tenant_a: TenantInfo) -> None:
    # given a subscribed tenant
    entitlement, sub = subscribed(tenant_a, seats=2)
    # when staff cancel it at the period's end
    stripe_api.cancel_subscription(entitlement=entitlement, at_period_end=True)
    # then it runs to the end of its period
    found = stripe.Subscription.retrieve(sub["id"], api_key=settings.STRIPE_TEST_SECRET_KEY)
    assert found.cancel_at_period_end is True
    assert found.cancel_at == found["items"]["data"][0]["current_period_end"]
    # when staff cancel it now
    stripe_api.cancel_subscription(entitlement=entitlement, at_period_end=False)
    # then it has ended, and Stripe announced it
    found = stripe.Subscription.retrieve(sub["id"], api_key=settings.STRIPE_TEST_SECRET_KEY)
    assert found.status == "canceled"
    assert "customer.subscription.deleted" in [event["type"] for event in fake_stripe.all_of("event")]


def test_extend_trial_moves_the_trial_end(fake_stripe: ModuleType, tenant_a: TenantInfo) -> None:
    # given a tenant in a trial
    plan = paid_plan()
    plan.trial_days = 14
    plan.save(update_fields=["trial_days"])
    Entitlement.objects.filter(client=tenant_a.client).update(trial_ends_at=None)
    entitlement, sub = subscribed(tenant_a, seats=1)
    assert sub["status"] == "trialing"
    # when staff extend it
    until = timezone.now() + timedelta(days=30)
    stripe_api.extend_trial(entitlement=entitlement, until=until)
    # then the trial and the first period end then
    found = stripe.Subscription.retrieve(sub["id"], api_key=settings.STRIPE_TEST_SECRET_KEY)
    assert found.trial_end == int(until.timestamp())
    assert found["items"]["data"][0]["current_period_end"] == int(until.timestamp())


def test_ensure_webhook_endpoint_is_idempotent(fake_stripe: ModuleType) -> None:
    # given no endpoint
    # when it is ensured twice for one base URL
    first = stripe_api.ensure_webhook_endpoint(base_url="http://platform.test:8000")
    second = stripe_api.ensure_webhook_endpoint(base_url="http://platform.test:8000/")
    # then there is one, at dj-stripe's URL, with its secret, for the events billing handles
    assert first.pk == second.pk
    assert first.url == f"http://platform.test:8000/stripe/webhook/{first.djstripe_uuid}/"
    assert first.secret.startswith("whsec_")
    assert first.api_version == settings.STRIPE_API_VERSION
    assert "checkout.session.completed" in first.enabled_events
    assert len(sent(fake_stripe, "POST", "/v1/webhook_endpoints")) == 1
    # when Stripe forgot it (another account), ensuring it registers a new one
    fake_stripe.reset()
    third = stripe_api.ensure_webhook_endpoint(base_url="http://platform.test:8000")
    assert third.pk != first.pk
    assert not WebhookEndpoint.objects.filter(pk=first.pk).exists()


def test_stand_in_answers_unknown_paths_and_ids_like_stripe(fake_stripe: ModuleType) -> None:
    # given / when an unknown customer is asked for
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe.Customer.retrieve("cus_nothere", api_key=settings.STRIPE_TEST_SECRET_KEY)
    # then Stripe's 404 answer comes back
    assert missing.value.http_status == 404
    assert missing.value.code == "resource_missing"
    # and a path the stand-in does not serve answers Stripe's error shape
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        stripe.Coupon.retrieve("SUMMER", api_key=settings.STRIPE_TEST_SECRET_KEY)
    assert unknown.value.http_status == 404
    body: Any = unknown.value.json_body
    assert body["error"]["type"] == "invalid_request_error"


def test_billing_setup_command_pushes_plans_and_registers_the_endpoint_once(fake_stripe: ModuleType) -> None:
    # given / when `manage.py billing_setup` runs twice, as every `make run` does
    out = StringIO()
    call_command("billing_setup", "--base-url", "http://localhost:8000", stdout=out)
    call_command("billing_setup", "--base-url", "http://localhost:8000", stdout=out)
    # then every paid plan is for sale and one endpoint receives Stripe's events
    assert not Plan.objects.filter(monthly_price_cents__gt=0, stripe_price_monthly_id="").exists()
    assert WebhookEndpoint.objects.filter(url__startswith="http://localhost:8000/stripe/webhook/").count() == 1
    assert len(sent(fake_stripe, "POST", "/v1/webhook_endpoints")) == 1
    assert "webhook endpoint: http://localhost:8000/stripe/webhook/" in out.getvalue()
