"""`billing_banner` for every page of a workspace: past due, read-only, or a trial about to end.

One cached read per page (billing.entitlements.entitled); nothing for signed-out visitors or on
the platform host.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from billing.access import can_manage_billing
from billing.entitlements import Entitled, entitled
from billing.models import Entitlement
from billing.presentation import day

TRIAL_WARNING = timedelta(days=3)


@dataclass(frozen=True)
class Banner:
    kind: str  # "warn" or "danger"
    text: str
    link: str | None  # the billing page, for owners
    link_text: str


def billing(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if tenant is None or tenant.schema_name == "public" or user is None or not user.is_authenticated:
        return {}
    owner = can_manage_billing(user)
    return {"billing_banner": banner_for(entitled(tenant), owner=owner)}


def banner_for(current: Entitled, *, owner: bool) -> Banner | None:
    link = reverse("billing:settings") if owner else None
    if current.read_only:
        if current.status == Entitlement.Status.CANCELED:
            why, fix = "The subscription has ended", "choose a plan"
        elif current.status == Entitlement.Status.UNPAID:
            why, fix = "Invoices are unpaid", "pay them"
        else:
            why, fix = "A payment failed and the grace period is over", "update the payment method"
        text = f"{why}, so this workspace is read-only: you can read, search and download, but not write."
        text += f" An owner can {fix} to open it again." if not owner else ""
        return Banner(kind="danger", text=text, link=link, link_text=f"{fix.capitalize()} on the billing page")
    if current.status == Entitlement.Status.PAST_DUE:
        until = day(current.grace_ends_at)
        text = f"A payment failed. The workspace stays open until {until}"
        text += "; update the payment method to keep it that way." if owner else "; an owner can fix it."
        return Banner(kind="warn", text=text, link=link, link_text="Update the payment method")
    if owner and current.status == Entitlement.Status.TRIALING and current.period_end is not None:
        left = current.period_end - timezone.now()
        if timedelta(0) <= left <= TRIAL_WARNING:
            text = f"The free trial of {current.plan_name} ends on {day(current.period_end)}."
            return Banner(kind="warn", text=text, link=link, link_text="Review the plan")
    return None
