from __future__ import annotations

from accounts.models import User


def do_create_user(*, email: str, password: str | None, name: str = "", role: str = User.Role.MEMBER) -> User:
    """Add a person to the schema the connection is set to (a tenant, or public for staff)."""
    return User.objects.create_user(email, password, name=name.strip(), role=role)


def do_create_staff_user(*, email: str, password: str, name: str = "") -> User:
    """A platform staff account; only meaningful in the public schema."""
    return User.objects.create_superuser(email, password, name=name.strip())
