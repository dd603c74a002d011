"""Chat's part of a new workspace: the `general` room everyone joins (tenants.provision_steps).
Runs after accounts' step, which created the owner who becomes the room's owner."""

from __future__ import annotations

from accounts.models import User
from chat.actions import do_create_room
from tenants.db import in_tenant
from tenants.provision_steps import NewWorkspace


def create_general_room(new: NewWorkspace) -> None:
    with in_tenant(new.client):
        do_create_room(
            tenant=None,  # nobody can be connected to a workspace still being provisioned
            name="general",
            creator=User.objects.get(email=new.owner_email),
            topic="Company-wide announcements and chat",
            is_default=True,
        )
