"""Branding's part of a new workspace: the default brand, in its name (tenants.provision_steps)."""

from __future__ import annotations

from branding.actions import do_create_default_brand
from tenants.db import in_tenant
from tenants.provision_steps import NewWorkspace


def create_default_brand(new: NewWorkspace) -> None:
    with in_tenant(new.client):
        do_create_default_brand(display_name=new.client.name)
