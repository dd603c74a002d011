"""Accounts' part of a new workspace: its owner (tenants.provision_steps)."""

from __future__ import annotations

from accounts.actions import do_create_user
from accounts.models import User
from tenants.db import in_tenant
from tenants.provision_steps import NewWorkspace


def create_owner(new: NewWorkspace) -> None:
    with in_tenant(new.client):
        do_create_user(email=new.owner_email, password=new.owner_password, name=new.owner_name, role=User.Role.OWNER)
