"""Who may see and change a workspace's billing: its owners only (admins manage people and
settings, but paying is the owners' decision)."""

from __future__ import annotations

from accounts.models import User
from config.api.errors import AccessDenied


def can_manage_billing(user: object) -> bool:
    return isinstance(user, User) and user.is_authenticated and user.is_active and user.role == User.Role.OWNER


def require_billing_owner(user: object) -> User:
    if not isinstance(user, User) or not can_manage_billing(user):
        raise AccessDenied("Only the workspace's owners can see and change its billing.")
    return user
