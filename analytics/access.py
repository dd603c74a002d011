"""Who may see a workspace's analytics: its owners and admins (the people who run it). Every
entry point (page, API, export) asks here. Precondition: the connection is set to the tenant's
schema, so the figures reachable are that tenant's only."""

from __future__ import annotations

from accounts.models import User
from config.api.errors import AccessDenied


def can_see_analytics(user: object) -> bool:
    return isinstance(user, User) and user.is_authenticated and user.is_active and user.is_workspace_admin


def require_analytics_access(user: object) -> User:
    if not isinstance(user, User) or not can_see_analytics(user):
        raise AccessDenied("Only the workspace's owners and admins can see its analytics.")
    return user
