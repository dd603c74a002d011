"""E-mail to a tenant's owners about its subscription: a payment failed (once per past-due
spell), a trial ends soon. Rendered in the transaction that applied the Stripe event, in the
tenant's brand and with links to its primary domain, and sent after the commit (through
branding's delivery task), so no mail announces a state that was rolled back."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from accounts.models import User
from billing.models import Entitlement
from branding.emails import render_branded_email, send_after_commit
from tenants.db import in_tenant
from tenants.models import Client
from tenants.urls_helpers import tenant_url

BILLING_PAGE = "/settings/billing/"


def owners_of(client: Client) -> list[str]:
    with in_tenant(client):
        return list(
            User.objects.filter(is_active=True, role=User.Role.OWNER).order_by("pk").values_list("email", flat=True)
        )


def _send(client: Client, template: str, context: dict[str, Any]) -> None:
    context = {**context, "billing_url": tenant_url(client, BILLING_PAGE)}
    for email in owners_of(client):
        send_after_commit(
            render_branded_email(tenant=client, to=email, template=f"billing/{template}", context=context)
        )


def notify_past_due(entitlement: Entitlement) -> None:
    """Precondition: the entitlement has just become past due (`past_due_since` set)."""
    since = entitlement.past_due_since
    read_only_at = since + timedelta(days=settings.BILLING_GRACE_DAYS) if since else None
    _send(entitlement.client, "past_due", {"plan_name": entitlement.plan.name, "read_only_at": read_only_at})


def notify_trial_ending(entitlement: Entitlement, *, trial_ends_at: datetime | None) -> None:
    _send(entitlement.client, "trial_ending", {"plan_name": entitlement.plan.name, "trial_ends_at": trial_ends_at})
