"""Billing's part of a new workspace: its entitlement and usage row (tenants.provision_steps)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from billing.actions import do_open_account
from billing.models import Plan
from tenants.provision_steps import NewWorkspace


def open_account(new: NewWorkspace) -> None:
    """On the plan whose code was chosen (staff, `create_workspace --plan`), else the default
    plan; the owner is the one seat. An unknown code undoes the whole provisioning."""
    plan = None
    if new.plan_code:
        plan = Plan.objects.filter(code=new.plan_code).first()
        if plan is None:
            raise ValidationError({"plan": [f"Unknown plan {new.plan_code!r}."]})
    do_open_account(client=new.client, plan=plan, seats=1)
