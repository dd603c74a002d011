"""Smoke test of the browser stack: a tenant's login page is drawn in its own brand and signs in."""

from __future__ import annotations

import re

from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect
from pytest_django import DjangoDbBlocker

from accounts.models import User
from branding.theme import Theme, theme_for
from tests.support.browser import LiveServer, save_screenshot
from tests.support.tenants import PASSWORD, TenantInfo


def theme_of(tenant: TenantInfo, django_db_blocker: DjangoDbBlocker) -> Theme:
    with django_db_blocker.unblock():
        return theme_for(tenant.client)


def brand_primary(page: Page) -> str:
    """The colour the page's CSS is drawn with, as the browser computed it."""
    value = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand-primary').trim()")
    return str(value).lower()


def test_login_page_is_branded_and_signs_the_owner_in(
    page: Page, live_server: LiveServer, tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker
) -> None:
    theme = theme_of(tenant_a, django_db_blocker)
    assert "Acme" in theme.display_name
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        owner = User.objects.get(email=tenant_a.owner_email)

    page.goto(live_server.url_for(tenant_a.host, "/login/"))
    expect(page).to_have_title(re.compile(re.escape(theme.display_name)))
    assert brand_primary(page) == theme.primary_colour.lower()
    save_screenshot(page, "login-acme")

    page.fill("input[name=username]", tenant_a.owner_email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(live_server.url_for(tenant_a.host, "/"))
    expect(page.locator("body")).to_contain_text(owner.name or owner.email)
    save_screenshot(page, "home-acme")


def test_each_tenant_login_page_has_its_own_colour(
    page: Page,
    live_server: LiveServer,
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    django_db_blocker: DjangoDbBlocker,
) -> None:
    acme, globex = theme_of(tenant_a, django_db_blocker), theme_of(tenant_b, django_db_blocker)
    assert acme.primary_colour.lower() != globex.primary_colour.lower()

    page.goto(live_server.url_for(tenant_b.host, "/login/"))
    expect(page).to_have_title(re.compile(re.escape(globex.display_name)))
    assert brand_primary(page) == globex.primary_colour.lower()
