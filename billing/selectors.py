from __future__ import annotations

from billing.models import Plan


def default_plan() -> Plan:
    """The plan new workspaces start on; the data migration guarantees one exists."""
    plan = Plan.objects.filter(is_default=True).order_by("pk").first()
    if plan is None:
        plan = Plan.objects.order_by("monthly_price_cents", "pk").first()
    if plan is None:
        raise Plan.DoesNotExist("no plan is configured")
    return plan
