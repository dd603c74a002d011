"""An upgrade in Chromium, end to end: Acme's owner on the free plan chooses Team (monthly) on the
billing page, starts the subscription on the test-mode checkout page, comes back to "Finishing
your upgrade…", and the page shows Team once the stand-in's signed events have come through the
webhook of the live server and a real Celery worker has applied them. Globex is never touched.

Three processes share the stand-in's Stripe account (its Redis): this test, which registers the
webhook endpoint; the live server, which opens the checkout session and emits the events; and
the worker, which delivers them (`billing.fake_stripe_deliver`) and applies them
(`billing.process_event`). Everything they commit is put back afterwards: the test database is
kept between runs and acme and globex are shared by the whole suite.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings
from django.db.models import Model
from django.forms.models import model_to_dict
from django_tenants.utils import schema_context
from djstripe.models import Customer as DjCustomer
from djstripe.models import IdempotencyKey, WebhookEndpoint
from djstripe.models import Price as DjPrice
from djstripe.models import Product as DjProduct
from playwright.sync_api import Page, expect
from pytest_django import DjangoDbBlocker

from billing import stripe_api
from billing.entitlements import forget
from billing.fake_stripe import state
from billing.models import Entitlement, Invoice, Plan, StripeEvent
from billing.selectors import default_plan
from config.celery import app
from tests.support.browser import LiveServer, save_screenshot
from tests.support.browser_billing import PHONE, sign_in
from tests.support.tenants import TenantInfo

Status = Entitlement.Status
PLAN = "team"
INTERVAL = Entitlement.Interval.MONTH
QUEUE = "tests"
# The page polls every 1.5 s once back from checkout; the worker on a busy machine takes a while.
ARRIVAL_MS = 90_000
SETTLE_SECONDS = 60.0

# What "on the free plan, never a Stripe customer" is: where the test starts and where it ends.
FREE_FIELDS: dict[str, Any] = {
    "status": Status.FREE,
    "interval": "",
    "quantity": 1,
    "synced_quantity": None,
    "trial_ends_at": None,
    "current_period_start": None,
    "current_period_end": None,
    "cancel_at_period_end": False,
    "past_due_since": None,
    "stripe_customer_id": "",
    "stripe_subscription_id": "",
    "state_at": None,
    "is_comped": False,
    "comped_until": None,
}
# Rows the flow commits outside the tenants' entitlements, removed afterwards (children first).
MADE_BY_THE_FLOW: list[type[Model]] = [
    StripeEvent,
    Invoice,
    DjPrice,
    DjProduct,
    DjCustomer,
    IdempotencyKey,
    WebhookEndpoint,
]
PLAN_STRIPE_FIELDS = ("stripe_product_id", "stripe_price_monthly_id", "stripe_price_yearly_id")


@pytest.fixture(autouse=True)
def patient_expect() -> Iterator[None]:
    """A busy machine: 15 s for the page (Playwright's default is 5 s)."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def fake_stripe() -> Iterator[ModuleType]:
    """The stand-in's account (billing.fake_stripe.state), empty before and after the test, as
    tests/billing/conftest.py's fixture of that name (not visible from here)."""
    assert settings.BILLING_TEST_MODE, "the upgrade runs against the test-mode stand-in"
    state.reset()
    yield state
    state.reset()


def wait_until(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True


def worker_name() -> str:
    """The session's worker (tests.conftest.celery_worker names it `tests-<pytest pid>@<host>`)."""
    prefix = f"tests-{os.getpid()}@"
    for _ in range(20):
        for reply in app.control.ping(timeout=1.0) or []:
            for name in reply:
                if name.startswith(prefix):
                    return str(name)
    raise AssertionError(f"no Celery worker named {prefix}* answers")


@contextmanager
def worker_paused() -> Iterator[None]:
    """The worker takes nothing from the test queue while inside: the payment is "being
    confirmed" for as long as the test needs to see the page say so. Tasks sent meanwhile wait
    in the queue and run once the worker consumes again."""
    name = worker_name()
    replies = app.control.cancel_consumer(QUEUE, destination=[name], reply=True, timeout=10)
    assert replies, f"{name} did not answer cancel_consumer"
    try:
        yield
    finally:
        replies = app.control.add_consumer(QUEUE, destination=[name], reply=True, timeout=10)
        assert replies, f"{name} did not answer add_consumer: later tests would have no worker"


@dataclass(frozen=True)
class Upgrade:
    """The committed scene: the webhook endpoint on the live server, and Globex as it was."""

    endpoint: WebhookEndpoint
    globex_before: dict[str, Any]


def entitlement_of(tenant: TenantInfo) -> Entitlement:
    with schema_context("public"):
        return Entitlement.objects.select_related("plan").get(client=tenant.client)


def as_dict(row: Entitlement) -> dict[str, Any]:
    return model_to_dict(row, exclude=["id"]) | {"updated_at": row.updated_at}


def put_on_free(tenant: TenantInfo) -> None:
    with schema_context("public"):
        Entitlement.objects.filter(client=tenant.client).update(plan=default_plan(), **FREE_FIELDS)
        forget(tenant.client.pk)


def delivered_event_ids(fake_stripe: ModuleType, endpoint: WebhookEndpoint) -> set[str]:
    """The stand-in's events this endpoint receives (it asked for billing's events only)."""
    wanted = set(endpoint.enabled_events)
    return {event["id"] for event in fake_stripe.all_of("event") if event["type"] in wanted}


def settled(fake_stripe: ModuleType, endpoint: WebhookEndpoint) -> bool:
    """Every event sent to the endpoint has arrived and is applied (or failed for good)."""
    ids = delivered_event_ids(fake_stripe, endpoint)
    with schema_context("public"):
        done = StripeEvent.objects.filter(pk__in=ids).exclude(status=StripeEvent.Status.PENDING).count()
    return done == len(ids)


def new_pending(existing: set[str]) -> bool:
    """An event the flow stored that the worker has yet to apply."""
    with schema_context("public"):
        return StripeEvent.objects.filter(status=StripeEvent.Status.PENDING).exclude(pk__in=existing).exists()


@pytest.fixture
def upgrade(
    live_server: LiveServer,
    celery_worker: subprocess.Popen[bytes],
    fake_stripe: ModuleType,
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    django_db_blocker: DjangoDbBlocker,
) -> Iterator[Upgrade]:
    """Acme on the free plan, never a Stripe customer, and a webhook endpoint registered on the
    stand-in at the live server's URL, all committed; everything put back afterwards."""
    # The server and the worker were started with this process's environment and REDIS_URL: the
    # stand-in's Redis is the one they read (BILLING_FAKE_STRIPE_REDIS_URL, else REDIS_URL).
    seen_by_subprocesses = os.environ.get("BILLING_FAKE_STRIPE_REDIS_URL") or settings.REDIS_URL
    assert seen_by_subprocesses == settings.BILLING_FAKE_STRIPE_REDIS_URL, (
        "the test, the live server and the worker must share the test-mode Stripe account"
    )
    with django_db_blocker.unblock(), schema_context("public"):
        existing = {model: set(model._default_manager.values_list("pk", flat=True)) for model in MADE_BY_THE_FLOW}
        plans = {plan.pk: {field: getattr(plan, field) for field in PLAN_STRIPE_FIELDS} for plan in Plan.objects.all()}
        put_on_free(tenant_a)
        try:
            endpoint = stripe_api.ensure_webhook_endpoint(
                base_url=live_server.url_for(settings.PLATFORM_DOMAIN, "").rstrip("/")
            )
            yield Upgrade(endpoint=endpoint, globex_before=as_dict(entitlement_of(tenant_b)))
        finally:
            # No more deliveries (the stand-in's endpoint gone, the webhook answers 404), then
            # what is in flight is let through before the rows are put back.
            for obj in fake_stripe.all_of("webhook_endpoint"):
                fake_stripe.put(obj | {"status": "disabled"})
            WebhookEndpoint.objects.exclude(pk__in=existing[WebhookEndpoint]).delete()
            wait_until(lambda: not new_pending(existing[StripeEvent]), SETTLE_SECONDS)
            for model in MADE_BY_THE_FLOW:
                model._default_manager.exclude(pk__in=existing[model]).delete()
            for pk, fields in plans.items():
                Plan.objects.filter(pk=pk).update(**fields)
            put_on_free(tenant_a)
            fake_stripe.reset()


def assert_fits_a_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a phone"


def test_an_owner_upgrades_to_team_through_checkout_and_the_page_follows_the_webhook(
    page: Page,
    live_server: LiveServer,
    upgrade: Upgrade,
    fake_stripe: ModuleType,
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    django_db_blocker: DjangoDbBlocker,
) -> None:
    desktop = page.viewport_size
    assert desktop is not None
    # given Acme's owner on the billing page, on the free plan
    sign_in(page, live_server, tenant_a)
    expect(page.locator("#plan-title")).to_have_text("Free")
    expect(page.locator("#billing-sentence")).to_contain_text("is on the Free plan, at no charge")
    upgrade_button = page.locator(f"[data-plan-card={PLAN}] button.price-{INTERVAL}")
    expect(upgrade_button).to_have_text("Upgrade")

    # when they upgrade to Team, monthly
    upgrade_button.click()

    # then the test-mode checkout page opens, served by the live server on the platform host
    checkout_prefix = live_server.url_for(settings.PLATFORM_DOMAIN, "/billing/test-checkout/")
    expect(page).to_have_url(re.compile(rf"^{re.escape(checkout_prefix)}cs_test_\w+/$"))
    session_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    session = fake_stripe.get(session_id)
    assert session is not None, "the live server's checkout session is not in the test's stand-in account"
    assert session["client_reference_id"] == str(tenant_a.client.pk)
    expect(page.get_by_role("heading", name="Subscribe to Team")).to_be_visible()
    expect(page.get_by_text("Test mode: no card is charged.")).to_be_visible()
    expect(page.get_by_test_id("plan")).to_have_text("Team, billed monthly")
    expect(page.get_by_test_id("trial")).to_contain_text("14 days free")
    save_screenshot(page, "billing-upgrade-checkout-desktop")
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("button", name="Start subscription")).to_be_visible()
    assert_fits_a_phone(page)
    save_screenshot(page, "billing-upgrade-checkout-phone")
    page.set_viewport_size(desktop)

    # when they start the subscription (the worker holds the payment's events for a moment)
    with worker_paused():
        page.get_by_role("button", name="Start subscription").click()

        # then they are back on the billing page, which waits for the payment
        billing_url = live_server.url_for(tenant_a.host, "/settings/billing/")
        expect(page).to_have_url(
            re.compile(rf"^{re.escape(billing_url)}\?checkout=done&plan={PLAN}&interval={INTERVAL}$")
        )
        finishing = page.locator("#billing-finishing")
        expect(finishing).to_be_visible()
        expect(finishing).to_contain_text("Finishing your upgrade…")
        expect(page.locator("#plan-title")).to_have_text("Free")
        with django_db_blocker.unblock():
            assert entitlement_of(tenant_a).status == Status.FREE
        save_screenshot(page, "billing-upgrade-finishing-desktop")

    # and once the worker has delivered and applied the events, the page shows Team by itself
    expect(page.locator("#plan-title")).to_have_text("Team", timeout=ARRIVAL_MS)
    expect(finishing).to_have_count(0)
    expect(page.get_by_text("Your workspace is on Team now.")).to_be_visible()
    expect(page.locator(".billing-status")).to_have_text(re.compile(r"^(Trial|Active)$"))
    expect(page.locator("#billing-sentence")).to_contain_text(
        re.compile(r"The free trial of Team ends on|The subscription renews on")
    )
    expect(page.locator(f"[data-plan-card={PLAN}] button.price-{INTERVAL}")).to_have_text("Current plan")

    with django_db_blocker.unblock():
        # and every event sent to the endpoint is applied
        assert wait_until(lambda: settled(fake_stripe, upgrade.endpoint), SETTLE_SECONDS), "events still pending"
        ids = delivered_event_ids(fake_stripe, upgrade.endpoint)
        with schema_context("public"):
            statuses = dict(StripeEvent.objects.filter(pk__in=ids).values_list("pk", "status"))
            assert set(statuses.values()) == {StripeEvent.Status.PROCESSED}, statuses
            # (an event billing has nothing to do with, invoice.payment_succeeded, names no tenant)
            clients = set(StripeEvent.objects.filter(pk__in=ids).values_list("client_id", flat=True))
            assert clients - {None} == {tenant_a.client.pk}

        # and the entitlement row agrees with the page and with the stand-in's subscription
        session = fake_stripe.get(session_id)
        assert session is not None and session["status"] == "complete"
        subscription = fake_stripe.get(session["subscription"])
        assert subscription is not None
        acme = entitlement_of(tenant_a)
        assert acme.plan.code == PLAN
        assert acme.status in (Status.TRIALING, Status.ACTIVE)
        assert acme.status == subscription["status"]
        assert acme.interval == INTERVAL
        assert acme.quantity == session["_quantity"]
        assert acme.stripe_customer_id == session["customer"]
        assert acme.stripe_subscription_id == subscription["id"]
        assert acme.current_period_end is not None
        if acme.status == Status.TRIALING:
            assert acme.trial_ends_at is not None
        with schema_context("public"):
            first_invoice = Invoice.objects.get(stripe_id=session["invoice"])
        assert first_invoice.client_id == tenant_a.client.pk
        assert first_invoice.status == "paid"

        # and Globex's entitlement never changed
        assert as_dict(entitlement_of(tenant_b)) == upgrade.globex_before

    # the page after the upgrade, with the first invoice, at a laptop's and a phone's size
    page.reload()
    expect(page.locator("#plan-title")).to_have_text("Team")
    expect(page.locator("[data-invoice-rows] tr")).to_have_count(1)
    save_screenshot(page, "billing-upgrade-done-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#plan-title")).to_have_text("Team")
    assert_fits_a_phone(page)
    save_screenshot(page, "billing-upgrade-done-phone")
