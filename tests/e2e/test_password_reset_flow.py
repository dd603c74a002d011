"""A person who forgot their password gets a link by e-mail and sets a new one, in a real browser.

Browsers send an Origin header on form posts (the Django test client does not): a page that
tells the browser to send no referrer makes that Origin `null`, which the CSRF check refuses.
Only a browser shows that the whole path works.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect
from pytest_django import DjangoDbBlocker

from accounts.actions import do_create_user
from accounts.models import User
from tests.support.browser import LiveServer
from tests.support.tenants import PASSWORD, TenantInfo

NEW_PASSWORD = "remembered-at-last-42"


@pytest.fixture
def forgetful(tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    email = f"forgetful-{uuid.uuid4().hex[:8]}@acme.test"
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        do_create_user(email=email, password=PASSWORD, name="Fern Forgetful")
    yield email
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        User.objects.filter(email=email).delete()


def test_reset_link_from_the_mail_sets_a_new_password(
    page: Page, live_server: LiveServer, tenant_a: TenantInfo, forgetful: str
) -> None:
    # given: the reset requested from the login page
    page.goto(live_server.url_for(tenant_a.host, "/login/"))
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill(forgetful)
    page.get_by_role("button", name="Send reset link").click()
    expect(page).to_have_url(live_server.url_for(tenant_a.host, "/password/reset/sent/"))

    # when: the link from the e-mail is opened and a new password chosen
    page.goto(live_server.latest_link(forgetful, "/password/reset/"))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()

    # then: back on the login page, where the new password works and the old one does not
    expect(page).to_have_url(live_server.url_for(tenant_a.host, "/login/"))
    page.fill("input[name=username]", forgetful)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("body")).to_contain_text("Incorrect e-mail or password.")
    page.fill("input[name=username]", forgetful)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url_for(tenant_a.host, "/"))
    expect(page.locator(".topbar")).to_contain_text("Fern Forgetful")
