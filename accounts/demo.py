"""Accounts' demo data (tenants.demo): the platform staff account and each workspace's members."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.actions import do_create_staff_user, do_create_user
from accounts.models import User
from tenants.db import in_tenant
from tenants.demo import PASSWORD, STAFF_EMAIL, DemoTenant


def create_staff(tenants: Sequence[DemoTenant]) -> None:
    """In the public schema, where platform staff live."""
    if not User.objects.filter(email=STAFF_EMAIL).exists():
        do_create_staff_user(email=STAFF_EMAIL, password=PASSWORD, name="Platform Admin")


def create_members(tenants: Sequence[DemoTenant]) -> None:
    for tenant in tenants:
        with in_tenant(tenant.client):
            for email, name in tenant.spec.members:
                if not User.objects.filter(email=email).exists():
                    do_create_user(email=email, password=PASSWORD, name=name, role=User.Role.MEMBER)
