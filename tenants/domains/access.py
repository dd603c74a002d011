"""Who may manage a tenant's domains: its owners and admins. Another tenant's domain id answers
"not found", exactly like an id that never existed."""

from __future__ import annotations

from config.api.errors import AccessDenied, NotFound
from config.api.fields import MAX_ID
from tenants.models import Client, CustomDomain
from tenants.people import Person


def can_manage_domains(user: object) -> bool:
    return isinstance(user, Person) and user.is_active and user.is_workspace_admin


def require_domain_manager(user: object) -> Person:
    if not isinstance(user, Person) or not can_manage_domains(user):
        raise AccessDenied("Only owners and admins can manage the workspace's domains.")
    return user


def access_domain(user: object, tenant: Client, domain_id: int | str) -> CustomDomain:
    """A domain of `tenant` that `user` may manage."""
    require_domain_manager(user)
    try:
        domain_id = int(domain_id)
    except (TypeError, ValueError):
        raise NotFound from None
    if not 0 < domain_id <= MAX_ID:
        raise NotFound
    claim = CustomDomain.objects.select_related("tenant").filter(pk=domain_id, tenant=tenant).first()
    if claim is None:
        raise NotFound
    return claim
