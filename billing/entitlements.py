"""What a tenant's plan allows: the one place features and limits are read from.

Callers ask here, never `client.plan` directly, so that when plans are backed by Stripe
subscriptions (status, trials, comps) only this module changes.
"""

from __future__ import annotations

from django.core.cache import cache
from django_tenants.utils import schema_context

from billing.models import Plan
from tenants.models import Client

CACHE_SECONDS = 60


def _plan_features(plan_id: int) -> dict[str, bool]:
    # Cached in the public schema's key space: a plan is the same on every host.
    with schema_context("public"):
        key = f"billing:plan-features:{plan_id}"
        features = cache.get(key)
        if features is None:
            plan = Plan.objects.filter(pk=plan_id).only("can_hide_powered_by").first()
            features = {"hide_powered_by": bool(plan and plan.can_hide_powered_by)}
            cache.set(key, features, CACHE_SECONDS)
    return features


def can_hide_powered_by(client: Client) -> bool:
    """Whether the tenant may hide the platform's "Powered by" line from its pages and e-mails."""
    return _plan_features(client.plan_id)["hide_powered_by"]


def forget_plan(plan: Plan) -> None:
    """Call after a plan's features change, so every tenant on it sees the change at once."""
    with schema_context("public"):
        cache.delete(f"billing:plan-features:{plan.pk}")
