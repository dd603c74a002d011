"""E-mail to a tenant's owners and admins when one of its domains stops pointing here, and when
it stops routing. Rendered inside the transaction that changed the domain (links follow the
primary domain as it is then) and sent after its commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django_tenants.utils import schema_context

from accounts.models import User
from branding.emails import render_branded_email, send_after_commit
from tenants.domains.names import display_name
from tenants.models import CustomDomain
from tenants.urls_helpers import tenant_url


def managers_of(claim: CustomDomain) -> list[str]:
    with schema_context(claim.tenant.schema_name):
        return list(
            User.objects.filter(is_active=True, role__in=[User.Role.OWNER, User.Role.ADMIN])
            .order_by("pk")
            .values_list("email", flat=True)
        )


def _send(claim: CustomDomain, template: str, context: dict[str, Any]) -> None:
    context = {
        **context,
        "domain": display_name(claim.domain),
        "problem": claim.problem,
        "settings_url": tenant_url(claim.tenant, "/settings/domains/"),
    }
    for email in managers_of(claim):
        send_after_commit(render_branded_email(tenant=claim.tenant, to=email, template=template, context=context))


def notify_domain_failing(claim: CustomDomain, *, stops_routing_at: datetime) -> None:
    _send(claim, "domain_failing", {"stops_routing_at": stops_routing_at})


def notify_domain_unrouted(claim: CustomDomain) -> None:
    _send(claim, "domain_unrouted", {})
