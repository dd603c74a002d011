"""E-mail to a workspace's owners and admins, which tenants sends (a custom domain failing) but
cannot write itself: the people live in accounts and the tenant's branded e-mail in branding,
both above tenants. Branding registers the sender from its `AppConfig.ready()`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tenants.models import Client

# (tenant, template under templates/emails/, context): renders now, delivers after the commit.
AdminMailer = Callable[[Client, str, dict[str, Any]], None]

_mailer: AdminMailer | None = None


def register_admin_mailer(mailer: AdminMailer) -> None:
    global _mailer
    _mailer = mailer


def mail_workspace_admins(tenant: Client, *, template: str, context: dict[str, Any]) -> None:
    """Render `template` for each active owner and admin of `tenant`, in its brand, and send
    it once the surrounding transaction commits."""
    if _mailer is None:
        raise RuntimeError("no admin mailer registered (branding registers it when ready)")
    _mailer(tenant, template, context)
