"""Every write to billing's tables outside webhook processing (billing.events)."""

from __future__ import annotations

from django.db import transaction

from billing.entitlements import entitled, forget
from billing.models import Entitlement, Plan, Usage
from billing.selectors import default_plan
from tenants.models import Client


def do_open_account(*, client: Client, plan: Plan | None = None, seats: int = 0) -> Entitlement:
    """A new tenant's entitlement (its plan, free of charge until it subscribes) and usage row.
    Precondition: inside the provisioning transaction, in the public schema."""
    plan = plan or default_plan()
    status = Entitlement.Status.FREE if plan.is_free else Entitlement.Status.ACTIVE
    with transaction.atomic():
        entitlement = Entitlement.objects.create(client=client, plan=plan, status=status, is_comped=not plan.is_free)
        forget(client.pk)
        Usage.objects.create(client=client, seats=seats, period_start=entitled(client).usage_period_start())
    return entitlement
