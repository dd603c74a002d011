"""The new owner's checklist on the chat page (chat.first_run): each item ticks itself from the
workspace's data, only owners and admins see it, and one workspace's progress is its own."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.actions import do_invite
from accounts.models import User
from branding.actions import do_publish_brand, do_update_draft
from chat.actions import do_create_room
from tenants.actions import do_provision_workspace
from tenants.models import Client
from tests.support.accounts import create_user, signed_in
from tests.support.tenants import PASSWORD, TenantInfo, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(db: None) -> TenantInfo:
    """A workspace just created, as sign-up leaves it (rolled back after the test)."""
    client = do_provision_workspace(
        slug="newco", name="Newco", owner_email="owner@newco.test", owner_password=PASSWORD, owner_name="Nia"
    ).client
    return TenantInfo(client=client, host="newco.localhost", owner_email="owner@newco.test")


def checklist(browser: HttpClient) -> dict[str, bool]:
    """The items on the chat page and whether each is ticked; {} when there is no card."""
    html = browser.get("/").content.decode()
    items = re.findall(r'<li class="first-run-item( is-done)?" data-item="(\w+)">', html)
    return {key: bool(done) for done, key in items}


def owner_browser(tenant: TenantInfo) -> HttpClient:
    browser = HttpClient(HTTP_HOST=tenant.host)
    login(browser, tenant.owner_email)
    return browser


def test_a_new_owner_sees_three_things_to_do(fresh: TenantInfo) -> None:
    browser = owner_browser(fresh)

    html = browser.get("/").content.decode()

    assert checklist(browser) == {"invite": False, "brand": False, "channel": False}
    assert "0 of 3 done" in html
    assert 'href="/people/#invite"' in html and 'href="/settings/brand/"' in html
    assert 'data-action="create-room"' in html
    assert f'data-first-run-key="first-run.dismissed.{fresh.client.pk}.' in html


def test_items_tick_themselves_from_the_data(fresh: TenantInfo) -> None:
    browser = owner_browser(fresh)
    client = Client.objects.get(pk=fresh.client.pk)

    # when: the owner invites someone, publishes a brand and creates a channel
    with schema_context(fresh.schema):
        owner = User.objects.get(email=fresh.owner_email)
        do_invite(tenant=client, actor=owner, email="sam@newco.test", role=User.Role.MEMBER)
    assert checklist(browser) == {"invite": True, "brand": False, "channel": False}
    with schema_context(fresh.schema):
        do_update_draft(tenant=client, actor=owner, changes={"primary_colour": "#1d4ed8"})
        do_publish_brand(tenant=client, actor=owner)
        do_create_room(tenant=client, name="design", creator=owner)

    # then
    assert checklist(browser) == {"invite": True, "brand": True, "channel": True}
    assert "You're all set" in browser.get("/").content.decode()


def test_members_do_not_see_the_checklist(fresh: TenantInfo) -> None:
    member = create_user(fresh, "member@newco.test")

    assert checklist(signed_in(fresh, member.email)) == {}


def test_one_workspace_progress_is_not_another_s(fresh: TenantInfo, tenant_a: TenantInfo) -> None:
    # given: acme has people and rooms of its own
    with schema_context(tenant_a.schema):
        owner = User.objects.get(email=tenant_a.owner_email)
        do_create_room(tenant=tenant_a.client, name="acme-only-room", creator=owner)
    create_user(tenant_a)

    # then: the new workspace still has everything to do
    assert checklist(owner_browser(fresh)) == {"invite": False, "brand": False, "channel": False}
    assert checklist(owner_browser(tenant_a))["channel"] is True
