"""The new owner's checklist on the chat page: invite people, set the brand, create a channel.

Each item is done when the workspace's data says so, read here every time (three EXISTS
queries, for owners and admins only), so it ticks itself whoever did the work and however.
Dismissing the card is remembered by the browser (static/js/first_run/checklist.js), per
person and workspace. It sits in chat, the floor that can read people, brands and rooms.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from accounts.models import Invitation, User
from branding.models import BrandVersion
from chat.models import Room


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    detail: str
    done: bool
    # A page to go to, or a chat page action (`data-action`) for what the chat page does itself.
    url: str = ""
    action: str = ""


@dataclass(frozen=True)
class Checklist:
    items: list[ChecklistItem]

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def complete(self) -> bool:
        return self.done_count == len(self.items)


def has_invited(user: User) -> bool:
    """Someone was invited (by anyone, accepted or not), or someone else has joined already."""
    return Invitation.objects.exists() or User.objects.filter(is_active=True).exclude(pk=user.pk).exists()


def has_branded() -> bool:
    # Provisioning publishes version 1, the default brand; a later version is the owner's own.
    return BrandVersion.objects.filter(number__gt=1).exists()


def has_channel() -> bool:
    """A channel of the workspace's own, besides the `general` it starts with."""
    return Room.objects.filter(is_default=False, archived_at__isnull=True).exclude(kind=Room.Kind.DIRECT).exists()


def checklist_for(user: User) -> Checklist | None:
    """The checklist for `user` in the schema of the request, or None: only owners and admins
    can do these things, so only they see it. Precondition: in the workspace's schema."""
    if not user.is_authenticated or not user.is_workspace_admin:
        return None
    return Checklist(
        items=[
            ChecklistItem(
                key="invite",
                title="Invite your team",
                detail="Send an invitation by e-mail.",
                done=has_invited(user),
                url=reverse("accounts:people") + "#invite",
            ),
            ChecklistItem(
                key="brand",
                title="Set your brand",
                detail="Your logo and colours on every page.",
                done=has_branded(),
                url=reverse("brand-studio"),
            ),
            ChecklistItem(
                key="channel",
                title="Create a channel",
                detail="A room for a team or a topic.",
                done=has_channel(),
                action="create-room",
            ),
        ]
    )
