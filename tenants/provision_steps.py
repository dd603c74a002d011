"""What each app adds to a new workspace, in this order: billing its account (10), accounts the
owner (20), branding the default brand (30), chat the `general` room (40). Registered from each
app's `AppConfig.ready()`; run by `tenants.actions.do_provision_workspace`, inside its one
transaction.

A step is called in the public schema and enters the new tenant's schema itself
(`tenants.db.in_tenant(new.client)`) when it writes there. It must stay cheap: provisioning is
sub-second, and a slow step makes every sign-up slow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tenants.models import Client
from tenants.steps import Steps


@dataclass(frozen=True)
class NewWorkspace:
    """What every step is given: the tenant (its rows written and its schema cloned, nothing
    committed yet) and its owner as entered."""

    client: Client
    owner_email: str  # lower-cased, already checked to be an address
    owner_password: str | None  # None: the owner sets one through a reset link
    owner_name: str
    plan_code: str | None  # the plan the workspace starts on; None: the default plan


ProvisionStep = Callable[[NewWorkspace], None]

provision_steps: Steps[ProvisionStep] = Steps()
