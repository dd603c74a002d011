"""How many domains a tenant may have: its plan's `custom_domains` (config.limits), never more
than the platform's own cap (DOMAINS_MAX_PER_TENANT). The one place the limit is decided; a
read-only workspace adds none."""

from __future__ import annotations

from django.conf import settings

from config import limits
from config.api.errors import Refused
from tenants.domains.errors import DomainLimitReached
from tenants.models import Client, CustomDomain


def domain_limit(tenant: Client) -> int:
    cap = int(settings.DOMAINS_MAX_PER_TENANT)
    planned = limits.limit_of(tenant, "custom_domains")
    return cap if planned is None else min(planned, cap)


def live_domain_count(tenant: Client) -> int:
    return CustomDomain.objects.filter(tenant=tenant).exclude(status=CustomDomain.Status.REMOVED).count()


def check_domain_limit(tenant: Client) -> None:
    """Raise DomainLimitReached when `tenant` cannot add one more live domain (code `plan_limit`,
    or `read_only`). Precondition: the tenant's row is locked, so two adds at once cannot both
    pass."""
    try:
        limits.check_writable(tenant)
    except Refused as exc:
        raise DomainLimitReached(str(exc.detail), code="read_only") from exc
    live = live_domain_count(tenant)
    try:
        limits.check_room(tenant, "custom_domains", used=live)
    except Refused as exc:  # the plan's sentence, and its upgrade
        raise DomainLimitReached(str(exc.detail), code="plan_limit", limit="custom_domains") from exc
    if live >= int(settings.DOMAINS_MAX_PER_TENANT):
        raise DomainLimitReached(
            f"Your workspace has {live} domains, the most it can have. Remove one to add another.",
            code="plan_limit",
            limit="custom_domains",
        )


def domain_refusal(tenant: Client) -> str | None:
    """Why the domains page's add form is off now, or None when one more domain fits."""
    try:
        check_domain_limit(tenant)
    except DomainLimitReached as exc:
        return exc.message
    return None
