"""Words and numbers of the billing page, the banners and /pricing/: money, meters, and the
sentence that explains each subscription status. Plain functions of billing.selectors' reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format

from billing.entitlements import human_bytes
from billing.models import Entitlement, Plan
from billing.selectors import SHOWN_KEYS, Overview

METER_LABELS = {
    "seats": "Seats",
    "storage_bytes": "Storage",
    "pages_this_period": "Document pages this month",
    "messages_this_period": "Messages this month",
    "custom_domains": "Custom domains",
}
CURRENCY_SIGNS = {"usd": "$", "eur": "€", "gbp": "£"}


def money(cents: int, currency: str) -> str:
    sign = CURRENCY_SIGNS.get(currency.lower())
    amount = f"{cents / 100:,.2f}".removesuffix(".00")
    return f"{sign}{amount}" if sign else f"{amount} {currency.upper()}"


def day(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), "j F Y") if value else ""


def amount_of(key: str, value: int) -> str:
    return human_bytes(value) if key in ("storage_bytes", "upload_bytes") else f"{value:,}"


@dataclass(frozen=True)
class Meter:
    key: str
    label: str
    used: int
    limit: int | None
    used_text: str
    limit_text: str
    # 0 to 100, None when unlimited.
    percent: int | None
    level: str  # "ok", "high" (80 % and more) or "full"


def meters(overview: Overview) -> list[Meter]:
    shown = []
    for key in SHOWN_KEYS:
        used, limit = overview.usage[key], overview.limits[key]
        # A limit of 0 is a feature the plan does not include (custom domains on Free): an empty
        # bar that says so, not a full red one.
        percent = None if not limit else min(100, round(used * 100 / limit))
        level = "ok" if percent is None or percent < 80 else ("full" if used >= (limit or 0) else "high")
        shown.append(
            Meter(
                key=key,
                label=METER_LABELS[key],
                used=used,
                limit=limit,
                used_text=amount_of(key, used),
                limit_text="no limit" if limit is None else amount_of(key, limit) if limit else "not in this plan",
                percent=percent,
                level=level,
            )
        )
    return shown


def status_sentence(overview: Overview) -> str:
    """What the status means for the workspace and what an owner can do about it."""
    status = overview.status
    Status = Entitlement.Status
    if status == Status.FREE:
        return (
            f"The workspace is on the {overview.plan.name} plan, at no charge. Choose a paid plan below for more room."
        )
    if status == Status.TRIALING:
        ends = day(overview.trial_ends_at)
        return (
            f"The free trial of {overview.plan.name} ends on {ends}; the first payment is taken then."
            if ends
            else f"The workspace is trying {overview.plan.name} for free."
        )
    if status == Status.ACTIVE:
        if overview.is_comped:
            return f"{overview.plan.name} is given to this workspace by the platform, free of charge."
        if overview.cancel_at_period_end:
            return (
                f"The subscription is canceled and ends on {day(overview.current_period_end)}. "
                "Until then everything works; renew it in the payment portal to keep the plan."
            )
        return f"The subscription renews on {day(overview.current_period_end)}."
    if status == Status.PAST_DUE:
        since = day(overview.past_due_since)
        if overview.read_only:
            return (
                f"The payment failed on {since} and the grace period is over, so the workspace is read-only. "
                "Update the payment method to open it again."
            )
        return (
            f"The last payment failed{' on ' + since if since else ''}. The workspace stays open until "
            f"{day(overview.grace_ends_at)}; update the payment method before then to keep writing."
        )
    if status == Status.CANCELED:
        return (
            "The subscription has ended, so the workspace is read-only: people can read, search and download, "
            "but not write. Choose a plan, or continue on the free plan, to open it again."
        )
    if status == Status.UNPAID:
        return (
            "Invoices are unpaid, so the workspace is read-only: people can read, search and download, "
            "but not write. Pay the open invoices or update the payment method to open it again."
        )
    return "The first payment has not gone through yet. Finish it in the payment portal, or choose a plan again."


@dataclass(frozen=True)
class PlanCard:
    plan: Plan
    monthly: str
    yearly: str
    yearly_per_month: str
    features: list[str]
    is_current: bool


def features(plan: Plan) -> list[str]:
    """What a plan includes, as the pricing page and the plan cards list it."""

    def count(value: int | None, one: str, many: str) -> str:
        if value is None:
            return f"Unlimited {many}"
        return f"{value:,} {one if value == 1 else many}"

    def storage(value_mb: int | None) -> str:
        return "Unlimited storage" if value_mb is None else f"{human_bytes(value_mb * 1024 * 1024)} of storage"

    api = plan.api_requests_per_minute
    return [
        count(plan.max_users, "seat", "seats"),
        storage(plan.max_storage_mb),
        f"Files up to {human_bytes(plan.max_upload_mb * 1024 * 1024)}",
        count(plan.max_pages_per_month, "document page a month", "document pages a month"),
        count(plan.max_custom_domains, "custom domain", "custom domains")
        if plan.max_custom_domains != 0
        else "No custom domain",
        "Hide “Powered by”" if plan.can_hide_powered_by else "“Powered by” line shown",
        "Unlimited API requests" if api is None else f"{api:,} API requests a minute",
    ]


def plan_cards(plans: list[Plan], current: Plan | None = None) -> list[PlanCard]:
    return [
        PlanCard(
            plan=plan,
            monthly=money(plan.monthly_price_cents, plan.currency),
            yearly=money(plan.yearly_price_cents, plan.currency),
            yearly_per_month=money(round(plan.yearly_price_cents / 12), plan.currency),
            features=features(plan),
            is_current=current is not None and plan.pk == current.pk,
        )
        for plan in plans
    ]
