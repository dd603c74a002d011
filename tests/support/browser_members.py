"""A private channel in a browser: its owner, a member, and someone not in it yet, committed for
the live server and removed afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django_tenants.utils import schema_context
from playwright.sync_api import Locator, Page, expect
from pytest_django import DjangoDbBlocker

from accounts.models import User
from chat.actions import do_add_members, do_create_room
from chat.models import Room
from tests.support.tenants import PASSWORD, TenantInfo


@dataclass(frozen=True)
class Crew:
    tag: str
    room_id: int
    room_name: str
    owner_email: str
    owner_name: str
    member_email: str
    member_name: str
    newcomer_email: str
    newcomer_name: str


@contextmanager
def private_channel(tenant: TenantInfo, blocker: DjangoDbBlocker) -> Iterator[Crew]:
    """Ann owns a private channel with Bob in it; Cid is in the workspace but not in the channel.
    Their names share a tag, so a search for it finds all three."""
    tag = uuid.uuid4().hex[:6]
    with blocker.unblock(), schema_context(tenant.schema):
        ann = User.objects.create_user(f"ann-{tag}@acme.test", PASSWORD, name=f"Ann {tag}")
        bob = User.objects.create_user(f"bob-{tag}@acme.test", PASSWORD, name=f"Bob {tag}")
        cid = User.objects.create_user(f"cid-{tag}@acme.test", PASSWORD, name=f"Cid {tag}")
        room = do_create_room(tenant=None, name=f"secret-{tag}", creator=ann, kind=Room.Kind.PRIVATE)
        do_add_members(tenant=tenant.client, room=room, users=[bob])
    try:
        yield Crew(
            tag=tag,
            room_id=room.pk,
            room_name=room.name,
            owner_email=ann.email,
            owner_name=ann.get_full_name(),
            member_email=bob.email,
            member_name=bob.get_full_name(),
            newcomer_email=cid.email,
            newcomer_name=cid.get_full_name(),
        )
    finally:
        with blocker.unblock(), schema_context(tenant.schema):
            people = [ann.pk, bob.pk, cid.pk]
            Room.objects.filter(memberships__user__in=people).exclude(is_default=True).distinct().delete()
            Room.objects.filter(pk=room.pk).delete()
            User.objects.filter(pk__in=people).delete()


def sidebar_room(page: Page, name: str) -> Locator:
    return page.locator("#room-list .room-link", has_text=name)


def open_members(page: Page) -> Locator:
    """The members panel, opened from the header's members button."""
    page.locator("#members-btn").click()
    panel = page.locator("#members-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("#members-list")).not_to_have_attribute("aria-busy", "true")
    return panel


def member_row(panel: Locator, name: str) -> Locator:
    return panel.locator("#members-list .member", has_text=name)
