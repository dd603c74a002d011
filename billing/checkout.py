"""Sending an owner to Stripe: a Checkout session for a plan, or the customer portal.

Both are checked here first (a refusal never reaches Stripe) and then made by billing.stripe_api,
the one module that calls Stripe. Nothing is stored: the subscription's state arrives through the
webhook, so an abandoned checkout leaves no trace.
"""

from __future__ import annotations

from urllib.parse import urlencode

from billing import stripe_api
from billing.entitlements import human_bytes, plan_limits
from billing.models import Entitlement, Plan
from billing.selectors import billing_overview, default_plan, public_plan
from tenants.models import Client
from tenants.urls_helpers import tenant_url

BILLING_PATH = "/settings/billing/"
# Statuses in which the tenant already pays for its plan: the same plan again is no change.
SUBSCRIBED = frozenset({Entitlement.Status.TRIALING, Entitlement.Status.ACTIVE, Entitlement.Status.PAST_DUE})


class BillingRefused(Exception):
    """A request the billing rules refuse, with a sentence fit to show and a stable code."""

    def __init__(self, message: str, *, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def check_checkout(*, client: Client, plan_code: str, interval: str) -> Plan:
    """The public paid plan an owner may check out now, or BillingRefused saying why not."""
    if interval not in Entitlement.Interval.values:
        raise BillingRefused("Choose a monthly or a yearly subscription.", code="invalid_interval")
    plan = public_plan(plan_code)
    if plan is None:
        raise BillingRefused("There is no such plan to subscribe to.", code="unknown_plan")
    if plan.is_free:
        raise BillingRefused(
            f"{plan.name} needs no checkout: cancel the subscription in the payment portal to return to it.",
            code="free_plan",
        )
    current = billing_overview(client)
    if current.plan.pk == plan.pk and current.interval == interval and current.status in SUBSCRIBED:
        raise BillingRefused(f"The workspace is already on {plan.name}, billed this way.", code="same_plan", status=409)
    return plan


def checkout_url(*, client: Client, plan_code: str, interval: str) -> str:
    plan = check_checkout(client=client, plan_code=plan_code, interval=interval)
    seats = max(billing_overview(client).usage["seats"], 1)
    return stripe_api.checkout_url(
        client=client,
        plan=plan,
        interval=interval,
        seats=seats,
        # The page waits for the webhook until the workspace is on this plan and interval.
        success_url=tenant_url(
            client, f"{BILLING_PATH}?{urlencode({'checkout': 'done', 'plan': plan.code, 'interval': interval})}"
        ),
        cancel_url=tenant_url(client, BILLING_PATH),
    )


def portal_url(*, client: Client) -> str:
    if not billing_overview(client).has_customer:
        raise BillingRefused("The workspace has no payment details yet: choose a plan first.", code="no_customer")
    return stripe_api.portal_url(client=client, return_url=tenant_url(client, BILLING_PATH))


def continue_on_free(*, client: Client) -> Plan:
    """A workspace whose subscription ended goes on with the free plan, writable again, when
    what it holds fits that plan; else BillingRefused naming what to reduce first."""
    from billing.actions import do_continue_on_free

    overview = billing_overview(client)
    if overview.status != Entitlement.Status.CANCELED:
        raise BillingRefused(
            "Only a workspace whose subscription has ended can go back to the free plan here; "
            "cancel the subscription in the payment portal.",
            code="not_canceled",
            status=409,
        )
    free = default_plan()
    limits = plan_limits(free)
    over = []
    for key, shown in (
        ("seats", "{:,} people"),
        ("storage_bytes", "{} of storage"),
        ("custom_domains", "{:,} domains"),
    ):
        limit, used = limits[key], overview.usage[key]
        if limit is not None and used > limit:
            size = human_bytes if key == "storage_bytes" else (lambda n: n)
            over.append(f"{shown.format(size(used))}, where it allows {shown.format(size(limit))}")
    if over:
        raise BillingRefused(
            f"The workspace holds more than {free.name} allows: {'; '.join(over)}. "
            "Deactivate people, delete documents or remove domains first, or choose a paid plan.",
            code="over_free_limits",
            status=409,
        )
    do_continue_on_free(client=client)
    return free
