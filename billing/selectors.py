"""Reads of billing state for the billing page, its API, the pricing page and the banners.

Everything here reads our own tables (Entitlement, Usage, Invoice, Plan); nothing calls Stripe,
so the billing page stays fast and works while Stripe is unreachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from billing.entitlements import entitled, plan_limits
from billing.models import Entitlement, Invoice, Plan, Usage
from tenants.domains.selectors import live_domains
from tenants.models import Client

# The usage keys the billing page and API show, in the order they are shown.
SHOWN_KEYS = ("seats", "storage_bytes", "pages_this_period", "messages_this_period", "custom_domains")

INVOICE_PAGE_DEFAULT = 20
INVOICE_PAGE_MAX = 100


def default_plan() -> Plan:
    """The plan new workspaces start on; the data migration guarantees one exists."""
    plan = Plan.objects.filter(is_default=True).order_by("pk").first()
    if plan is None:
        plan = Plan.objects.order_by("monthly_price_cents", "pk").first()
    if plan is None:
        raise Plan.DoesNotExist("no plan is configured")
    return plan


def public_plans() -> list[Plan]:
    """The plans offered on /pricing/ and the billing page, in their order."""
    return list(Plan.objects.filter(is_public=True))


def enterprise_plan() -> Plan | None:
    """The plan sold by talking to people: on /pricing/ with "Talk to us" instead of a price."""
    return Plan.objects.filter(code="enterprise", is_public=False).first()


def public_plan(code: str) -> Plan | None:
    return Plan.objects.filter(code=code, is_public=True).first()


def price_cents(plan: Plan, interval: str) -> int:
    """The price of one seat for `interval` ("month" or "year")."""
    return plan.yearly_price_cents if interval == Entitlement.Interval.YEAR else plan.monthly_price_cents


def shown_limits(plan: Plan) -> dict[str, int | None]:
    limits = plan_limits(plan)
    return {key: limits[key] for key in SHOWN_KEYS}


@dataclass(frozen=True)
class Overview:
    """What the billing page and `GET /api/billing/` show of one tenant."""

    plan: Plan
    status: str
    interval: str
    quantity: int
    trial_ends_at: datetime | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    past_due_since: datetime | None
    grace_ends_at: datetime | None
    read_only: bool
    is_comped: bool
    has_customer: bool
    usage: dict[str, int]
    limits: dict[str, int | None]

    @property
    def price_cents(self) -> int:
        return 0 if self.is_comped else price_cents(self.plan, self.interval or Entitlement.Interval.MONTH)


def entitlement_of(client: Client) -> Entitlement | None:
    return Entitlement.objects.select_related("plan").filter(client_id=client.pk).first()


def usage_of(client: Client) -> dict[str, int]:
    """The tenant's counters, with the period counters at zero once a new period has begun
    (they are reset by the next write, which may not have happened yet)."""
    row = Usage.objects.filter(client_id=client.pk).first()
    counts = {key: 0 for key in SHOWN_KEYS}
    if row is not None:
        counts["seats"] = row.seats
        counts["storage_bytes"] = row.storage_bytes
        if row.period_start >= entitled(client).usage_period_start():
            counts["pages_this_period"] = row.pages_this_period
            counts["messages_this_period"] = row.messages_this_period
    counts["custom_domains"] = live_domains(client).count()
    return counts


def billing_overview(client: Client) -> Overview:
    row = entitlement_of(client)
    current = entitled(client)
    plan = row.plan if row is not None else default_plan()
    return Overview(
        plan=plan,
        status=row.status if row is not None else Entitlement.Status.FREE,
        interval=(row.interval if row is not None else "") or "",
        quantity=row.quantity if row is not None else 1,
        trial_ends_at=row.trial_ends_at if row is not None else None,
        current_period_end=row.current_period_end if row is not None else None,
        cancel_at_period_end=bool(row and row.cancel_at_period_end),
        past_due_since=row.past_due_since if row is not None else None,
        grace_ends_at=current.grace_ends_at,
        read_only=current.read_only,
        is_comped=bool(row and row.is_comped),
        has_customer=bool(row and row.stripe_customer_id),
        usage=usage_of(client),
        limits=shown_limits(plan),
    )


def plan_payload(plan: Plan) -> dict[str, Any]:
    """A public plan as the billing page and /pricing/ offer it."""
    limits = plan_limits(plan)
    return {
        "code": plan.code,
        "name": plan.name,
        "tagline": plan.tagline,
        "currency": plan.currency,
        "monthly_price_cents": plan.monthly_price_cents,
        "yearly_price_cents": plan.yearly_price_cents,
        "trial_days": plan.trial_days,
        "is_free": plan.is_free,
        "limits": {
            **{key: limits[key] for key in SHOWN_KEYS},
            "upload_bytes": limits["upload_bytes"],
            "api_requests_per_minute": limits["api_requests_per_minute"],
        },
        "can_hide_powered_by": plan.can_hide_powered_by,
    }


def overview_payload(overview: Overview, plans: list[Plan]) -> dict[str, Any]:
    """`GET /api/billing/` (CONTRACT.md "Billing")."""
    return {
        "plan": {
            "code": overview.plan.code,
            "name": overview.plan.name,
            "interval": overview.interval or None,
            "price_cents": overview.price_cents,
            "currency": overview.plan.currency,
        },
        "status": overview.status,
        "trial_ends_at": overview.trial_ends_at,
        "current_period_end": overview.current_period_end,
        "cancel_at_period_end": overview.cancel_at_period_end,
        "past_due_since": overview.past_due_since,
        "grace_ends_at": overview.grace_ends_at,
        "read_only": overview.read_only,
        "seats_paid": overview.quantity,
        "has_customer": overview.has_customer,
        "usage": overview.usage,
        "limits": overview.limits,
        "test_mode": bool(settings.BILLING_TEST_MODE),
        "plans": [plan_payload(plan) for plan in plans],
    }


def invoices_page(client: Client, *, before: int | None = None, limit: int = INVOICE_PAGE_DEFAULT) -> list[Invoice]:
    """Newest first, keyset-paged on (created_at, id) from the invoice `before`: the same cost at
    any depth (the `billing_invoice_keyset` index). Returns up to `limit` + 1 rows so the
    caller knows whether there is more."""
    rows: QuerySet[Invoice] = Invoice.objects.filter(client_id=client.pk)
    if before is not None:
        anchor = Invoice.objects.filter(client_id=client.pk, pk=before).values("created_at", "pk").first()
        if anchor is None:
            return []
        rows = rows.filter(
            Q(created_at__lt=anchor["created_at"]) | Q(created_at=anchor["created_at"], pk__lt=anchor["pk"])
        )
    return list(rows.order_by("-created_at", "-id")[: limit + 1])


def invoice_payload(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "status": invoice.status,
        "total_cents": invoice.total_cents,
        "currency": invoice.currency,
        "created_at": invoice.created_at,
        "hosted_url": invoice.hosted_url or None,
        "pdf_url": invoice.pdf_url or None,
    }
