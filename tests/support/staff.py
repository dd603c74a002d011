"""Clients for the staff pages' tests: a row per client with its plan, usage and activity, made
straight in the public schema (no tenant schema: the staff pages read public rows only), and
removed again by slug prefix, since browser tests must commit them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.test import Client as HttpClient
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from analytics.platform.models import ClientActivity
from billing.models import Entitlement, Plan, StripeEvent, Usage
from tenants.models import Client
from tests.support.tenants import PASSWORD, host_client

MB = 1024 * 1024


def make_client(
    name: str,
    *,
    prefix: str = "staff",
    plan: str = "team",
    status: str = Entitlement.Status.ACTIVE,
    interval: str = Entitlement.Interval.MONTH,
    quantity: int = 3,
    comped: bool = False,
    seats: int = 1,
    storage_bytes: int = 0,
    pages: int = 0,
    messages_this_month: int = 0,
    last_7: int = 0,
    previous_28: int = 0,
    stored_bytes: int = 0,
    last_activity: datetime | None = None,
    customer: str = "",
) -> Client:
    """A client on `plan` in `status`, using `seats`, `storage_bytes` and `pages` (billing's
    counters) and with the activity figures given (the analytics summary)."""
    slug = f"{prefix}-{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    with schema_context("public"):
        client = Client.objects.create(
            schema_name=slug.replace("-", "_"), slug=slug, name=name, email=f"owner@{slug}.test"
        )
        Entitlement.objects.create(
            client=client,
            plan=Plan.objects.get(code=plan),
            status=status,
            interval="" if status == Entitlement.Status.FREE else interval,
            quantity=quantity,
            is_comped=comped,
            stripe_customer_id=customer,
        )
        Usage.objects.create(
            client=client, seats=seats, storage_bytes=storage_bytes, pages_this_period=pages, period_start=now
        )
        ClientActivity.objects.create(
            client=client,
            messages_this_month=messages_this_month,
            messages_last_7_days=last_7,
            messages_previous_28_days=previous_28,
            storage_bytes=stored_bytes,
            last_activity_at=last_activity,
        )
    return client


def remove_clients(prefix: str) -> None:
    """Every client `make_client` made with `prefix`, and the events applied to them."""
    with schema_context("public"):
        found = Client.objects.filter(slug__startswith=f"{prefix}-")
        StripeEvent.objects.filter(client__in=found).delete()
        found.delete()


def days_ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


def staff_browser(staff: User) -> HttpClient:
    """A browser on the platform host, signed in to the admin as `staff`."""
    browser = host_client("localhost")
    response = browser.post("/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return browser
