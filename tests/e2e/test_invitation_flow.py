"""A new person joins acme from an e-mailed invitation, in a real browser against daphne."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, expect
from pytest_django import DjangoDbBlocker

from accounts.models import Invitation, User
from branding.theme import theme_for
from tests.support.browser import VIEWPORT, LiveServer, save_screenshot
from tests.support.browser_invitations import rgb, sign_in
from tests.support.tenants import PASSWORD, TenantInfo

NEW_PASSWORD = "joined-acme-2026"


@pytest.fixture
def invitee_email(tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """A fresh address; the server commits what the test creates, so it is removed afterwards."""
    email = f"newcomer-{uuid.uuid4().hex[:8]}@acme.test"
    yield email
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        Invitation.objects.filter(email=email).delete()
        User.objects.filter(email=email).delete()


def test_invited_person_joins_lands_in_acme_colours_signs_out_and_in_again(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    tenant_a: TenantInfo,
    invitee_email: str,
    django_db_blocker: DjangoDbBlocker,
) -> None:
    with django_db_blocker.unblock():
        theme = theme_for(tenant_a.client)

    # given: acme's owner invites a new member from the People page
    page.goto(live_server.url_for(tenant_a.host, "/login/"))
    sign_in(page, tenant_a.owner_email, PASSWORD)
    page.get_by_role("link", name="People").click()
    page.get_by_label("E-mail").fill(invitee_email)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".messages")).to_contain_text(invitee_email)
    save_screenshot(page, "invitation-sent")

    # when: the invitee opens the e-mailed link in their own browser
    link = live_server.latest_link(invitee_email, "/invite/")
    assert link.startswith(live_server.url_for(tenant_a.host, "/invite/"))
    invitee = browser.new_context(viewport=VIEWPORT).new_page()
    try:
        invitee.goto(link)
        expect(invitee.locator("input#invited-email")).to_have_value(invitee_email)
        invitee.get_by_label("Your name").fill("Nia Newcomer")
        invitee.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        invitee.get_by_label("Confirm password").fill(NEW_PASSWORD)
        invitee.get_by_role("button", name=f"Join {theme.display_name}").click()

        # then: they land on acme's app, drawn in acme's colours
        expect(invitee).to_have_url(live_server.url_for(tenant_a.host, "/"))
        expect(invitee.locator(".topbar")).to_contain_text("Nia Newcomer")
        expect(invitee.locator(".topbar")).to_have_css("background-color", rgb(theme.primary_colour))
        save_screenshot(invitee, "invitation-accepted-acme")

        # when: they sign out, and in again with the password they chose
        invitee.get_by_role("button", name="Sign out").click()
        expect(invitee).to_have_url(live_server.url_for(tenant_a.host, "/login/"))
        expect(invitee.locator("body")).to_contain_text("You have signed out.")
        sign_in(invitee, invitee_email, NEW_PASSWORD)

        # then
        expect(invitee).to_have_url(live_server.url_for(tenant_a.host, "/"))
        expect(invitee.locator(".topbar")).to_contain_text("Nia Newcomer")
        save_screenshot(invitee, "invitation-signed-in-again")

        # and the link has been spent
        invitee.goto(link)
        expect(invitee.locator("body")).to_contain_text("invalid")
    finally:
        invitee.context.close()
