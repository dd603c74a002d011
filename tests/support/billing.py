"""Putting a tenant on a plan and status for a test, and back afterwards (the test database is
kept between runs, and acme/globex are shared by the whole suite)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.forms.models import model_to_dict
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.entitlements import forget
from billing.models import Entitlement, Invoice, Plan
from tenants.models import Client

DAY = timedelta(days=1)


def state_for(status: str, plan_code: str) -> dict[str, Any]:
    """Entitlement fields that make a believable `status` on `plan_code`."""
    now = timezone.now()
    plan = Plan.objects.get(code=plan_code)
    fields: dict[str, Any] = {
        "plan": plan,
        "status": status,
        "interval": "" if status == Entitlement.Status.FREE else Entitlement.Interval.MONTH,
        "quantity": 3,
        "trial_ends_at": None,
        "current_period_start": None if status == Entitlement.Status.FREE else now - 10 * DAY,
        "current_period_end": None if status == Entitlement.Status.FREE else now + 20 * DAY,
        "cancel_at_period_end": False,
        "past_due_since": None,
        "stripe_customer_id": "" if status == Entitlement.Status.FREE else "cus_test_billing",
        "stripe_subscription_id": "" if status == Entitlement.Status.FREE else "sub_test_billing",
        "is_comped": False,
        "comped_until": None,
    }
    if status == Entitlement.Status.TRIALING:
        fields["trial_ends_at"] = fields["current_period_end"] = now + 2 * DAY
    if status == Entitlement.Status.PAST_DUE:
        fields["past_due_since"] = now - 2 * DAY
    return fields


@contextmanager
def on_plan(client: Client, status: str, plan_code: str = "team", **changes: Any) -> Iterator[Entitlement]:
    """The tenant's entitlement as `status` on `plan_code` while inside; put back afterwards."""
    with schema_context("public"):
        row = Entitlement.objects.get(client=client)
        saved = model_to_dict(row, exclude=["id", "client"])
        saved["plan"] = Plan.objects.get(pk=saved["plan"])
        for name, value in {**state_for(status, plan_code), **changes}.items():
            setattr(row, name, value)
        row.save()
        forget(client.pk)
    try:
        yield row
    finally:
        with schema_context("public"):
            Entitlement.objects.filter(pk=row.pk).update(**{k: v for k, v in saved.items() if k != "updated_at"})
            forget(client.pk)


@contextmanager
def invoices(client: Client, count: int, *, prefix: str) -> Iterator[list[Invoice]]:
    """`count` paid invoices of the tenant, a day apart (the newest last); removed afterwards."""
    now = timezone.now()
    with schema_context("public"):
        made = [
            Invoice.objects.create(
                stripe_id=f"in_{prefix}_{index}",
                client=client,
                number=f"{prefix.upper()}-{index:04d}",
                status="paid",
                total_cents=1200 * (index + 1),
                amount_due_cents=1200 * (index + 1),
                currency="usd",
                created_at=now - (count - index) * DAY,
                hosted_url=f"https://invoice.stripe.test/{prefix}/{index}",
                pdf_url=f"https://invoice.stripe.test/{prefix}/{index}.pdf",
                state_at=now,
            )
            for index in range(count)
        ]
    try:
        yield made
    finally:
        with schema_context("public"):
            Invoice.objects.filter(pk__in=[invoice.pk for invoice in made]).delete()
