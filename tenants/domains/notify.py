"""E-mail to a tenant's owners and admins when one of its domains stops pointing here, and when
it stops routing. Rendered inside the transaction that changed the domain (links follow the
primary domain as it is then) and sent after its commit (tenants.notices)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tenants.domains.names import display_name
from tenants.models import CustomDomain
from tenants.notices import mail_workspace_admins
from tenants.urls_helpers import tenant_url


def _send(claim: CustomDomain, template: str, context: dict[str, Any]) -> None:
    context = {
        **context,
        "domain": display_name(claim.domain),
        "problem": claim.problem,
        "settings_url": tenant_url(claim.tenant, "/settings/domains/"),
    }
    mail_workspace_admins(claim.tenant, template=template, context=context)


def notify_domain_failing(claim: CustomDomain, *, stops_routing_at: datetime) -> None:
    _send(claim, "domain_failing", {"stops_routing_at": stops_routing_at})


def notify_domain_unrouted(claim: CustomDomain) -> None:
    _send(claim, "domain_unrouted", {})
