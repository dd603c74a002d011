"""The sender behind tenants.notices: e-mail in the tenant's brand to its active owners and
admins, rendered now (links follow the primary domain as it is now) and sent after the commit."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from branding.emails import render_branded_email, send_after_commit
from tenants.db import in_tenant
from tenants.models import Client


def mail_workspace_admins(tenant: Client, template: str, context: dict[str, Any]) -> None:
    with in_tenant(tenant):
        emails = list(
            User.objects.filter(is_active=True, role__in=[User.Role.OWNER, User.Role.ADMIN])
            .order_by("pk")
            .values_list("email", flat=True)
        )
    for email in emails:
        send_after_commit(render_branded_email(tenant=tenant, to=email, template=template, context=context))
