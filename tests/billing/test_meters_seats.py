"""Seat counts and metered messages reaching Stripe from Celery beat: seats debounced per tenant
and prorated as configured; meter reports counted once per hour, per tenant, across reruns and
failures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from billing import stripe_api
from billing.fake_stripe import api, simulate
from billing.meters import report_meters
from billing.models import Entitlement, MeterReport, Plan, Usage
from billing.seats import _debounce_key, sync_seats
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_debounce(tenant_a: TenantInfo, tenant_b: TenantInfo) -> Iterator[None]:
    """The seat-sync windows of earlier tests (kept in Redis) are over."""
    keys = [_debounce_key(tenant.client.pk) for tenant in (tenant_a, tenant_b)]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def subscribe(tenant: TenantInfo, seats: int) -> dict[str, Any]:
    """The tenant subscribed for `seats` through the test checkout, its entitlement as the
    webhook worker would have left it."""
    plan = Plan.objects.filter(monthly_price_cents__gt=0).order_by("position").first()
    assert plan is not None
    if not plan.stripe_price_monthly_id:
        for each in Plan.objects.all():
            stripe_api.push_plan(plan=each)
        plan.refresh_from_db()
    url = stripe_api.checkout_url(
        client=tenant.client, plan=plan, interval="month", seats=seats, success_url="http://x/", cancel_url="http://x/"
    )
    sub = simulate.complete_checkout(url.rstrip("/").rsplit("/", 1)[-1])
    Entitlement.objects.filter(client=tenant.client).update(
        plan=plan, stripe_subscription_id=sub["id"], status=Entitlement.Status.ACTIVE, synced_quantity=seats
    )
    return sub


def quantity_on_stripe(sub: dict[str, Any], fake_stripe: ModuleType) -> int:
    return int(fake_stripe.get(sub["id"])["items"]["data"][0]["quantity"])


def set_seats(tenant: TenantInfo, seats: int) -> None:
    Usage.objects.filter(client=tenant.client).update(seats=seats)


def test_seat_changes_reach_the_subscription_prorated_and_debounced(
    fake_stripe: ModuleType, tenant_a: TenantInfo, tenant_b: TenantInfo, no_debounce: None
) -> None:
    # given two tenants subscribed for 2 and 4 seats; tenant A now has 5 people
    sub_a, sub_b = subscribe(tenant_a, 2), subscribe(tenant_b, 4)
    set_seats(tenant_a, 5)
    set_seats(tenant_b, 4)
    # when the seat sync runs
    outcome = sync_seats()
    # then tenant A's subscription bills 5 seats, prorated as configured; B's is untouched
    assert outcome["pushed"] == 1
    assert quantity_on_stripe(sub_a, fake_stripe) == 5
    assert quantity_on_stripe(sub_b, fake_stripe) == 4
    assert fake_stripe.get(sub_a["id"])["_last_proration_behavior"] == settings.BILLING_PRORATION_BEHAVIOR
    change = [row for row in fake_stripe.requests_log() if row["path"].startswith("/v1/subscription_items/")][-1]
    assert change["params"]["proration_behavior"] == settings.BILLING_PRORATION_BEHAVIOR
    assert change["idempotency_key"]
    assert Entitlement.objects.get(client=tenant_a.client).synced_quantity == 5
    # when A adds two more people within the sync window
    set_seats(tenant_a, 7)
    outcome = sync_seats()
    # then nothing is pushed until the window is over
    assert outcome == {"pushed": 0, "waiting": 1, "failed": 0}
    assert quantity_on_stripe(sub_a, fake_stripe) == 5
    # when the window is over
    cache.delete(_debounce_key(tenant_a.client.pk))
    sync_seats()
    # then the new count is billed, in one change
    assert quantity_on_stripe(sub_a, fake_stripe) == 7
    updates = [event for event in fake_stripe.all_of("event") if event["type"] == "customer.subscription.updated"]
    assert len(updates) == 2


def test_seat_sync_retries_after_stripe_was_down(
    fake_stripe: ModuleType, tenant_a: TenantInfo, no_debounce: None
) -> None:
    # given a subscribed tenant with a new person, and Stripe down
    sub = subscribe(tenant_a, 2)
    set_seats(tenant_a, 3)
    fake_stripe.set_outage(True)
    # when the sync runs
    outcome = sync_seats()
    # then it failed without waiting out the window, and the next run pushes
    assert outcome["failed"] == 1
    assert Entitlement.objects.get(client=tenant_a.client).synced_quantity == 2
    fake_stripe.set_outage(False)
    assert sync_seats()["pushed"] == 1
    assert quantity_on_stripe(sub, fake_stripe) == 3


def metered(tenant: TenantInfo, messages_total: int) -> str:
    """The tenant on a metered plan with a Stripe customer; returns the customer id."""
    plan = Plan.objects.exclude(meter_event_name="").first() or Plan.objects.order_by("-position").first()
    assert plan is not None
    if not plan.meter_event_name:
        plan.meter_event_name = "chat_messages"
        plan.save(update_fields=["meter_event_name"])
    Entitlement.objects.filter(client=tenant.client).update(plan=plan)
    Usage.objects.filter(client=tenant.client).update(messages_total=messages_total)
    return stripe_api.ensure_customer(client=tenant.client)


def counted(customer_id: str) -> int:
    event_name = Plan.objects.exclude(meter_event_name="").values_list("meter_event_name", flat=True).first()
    assert event_name is not None
    return api.meter_total(event_name, customer_id)


def test_meter_reports_count_each_hour_once_per_tenant(
    fake_stripe: ModuleType, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    # given two metered tenants with 100 and 7 messages
    customer_a, customer_b = metered(tenant_a, 100), metered(tenant_b, 7)
    MeterReport.objects.filter(client__in=[tenant_a.client, tenant_b.client]).delete()
    now = datetime(2026, 5, 4, 10, 20, tzinfo=UTC)
    # when the hourly report runs, and runs again for the same hour
    report_meters(now)
    report_meters(now + timedelta(minutes=30))
    # then each tenant's messages were counted once, on its own customer
    assert (counted(customer_a), counted(customer_b)) == (100, 7)
    hour = datetime(2026, 5, 4, 9, tzinfo=UTC)
    report = MeterReport.objects.get(client=tenant_a.client, hour=hour)
    assert report.identifier == f"{tenant_a.client.pk}:{hour.isoformat()}"
    assert report.sent_at is not None
    # when tenant A sends 30 more and the next hour is reported
    Usage.objects.filter(client=tenant_a.client).update(messages_total=130)
    report_meters(now + timedelta(hours=1))
    # then only the difference is added, and B's count did not move
    assert (counted(customer_a), counted(customer_b)) == (130, 7)
    values = MeterReport.objects.filter(client=tenant_a.client).order_by("hour").values_list("value", flat=True)
    assert list(values) == [100, 30]


def test_meter_report_that_failed_is_sent_by_the_next_run(fake_stripe: ModuleType, tenant_a: TenantInfo) -> None:
    # given a metered tenant, and Stripe down during the hourly run
    customer = metered(tenant_a, 40)
    MeterReport.objects.filter(client=tenant_a.client).delete()
    now = datetime(2026, 5, 4, 10, 5, tzinfo=UTC)
    fake_stripe.set_outage(True)
    outcome = report_meters(now)
    # then the report is kept, unsent
    assert outcome["failed"] == 1
    assert MeterReport.objects.get(client=tenant_a.client).sent_at is None
    # when the next run finds Stripe back
    fake_stripe.set_outage(False)
    report_meters(now + timedelta(hours=1))
    # then the hour is counted once, and the next hour (nothing new) adds nothing
    assert counted(customer) == 40
    assert MeterReport.objects.filter(client=tenant_a.client, sent_at__isnull=True).count() == 0
