"""How many domains a tenant may have. The one place the limit is decided: billing will answer
from the plan here."""

from __future__ import annotations

from django.conf import settings

from tenants.domains.errors import DomainLimitReached
from tenants.models import Client, CustomDomain


def domain_limit(tenant: Client) -> int:
    return int(settings.DOMAINS_MAX_PER_TENANT)


def check_domain_limit(tenant: Client) -> None:
    """Raise DomainLimitReached when `tenant` cannot add one more live domain. Precondition:
    the tenant's row is locked, so two adds at once cannot both pass."""
    limit = domain_limit(tenant)
    live = CustomDomain.objects.filter(tenant=tenant).exclude(status=CustomDomain.Status.REMOVED).count()
    if live >= limit:
        raise DomainLimitReached(
            f"Your workspace has {live} domains, the most it can have. Remove one to add another.",
            code="plan_limit",
            limit="custom_domains",
        )
