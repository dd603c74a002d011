"""The billing page in a browser: signing the owner in, on a phone or a desktop."""

from __future__ import annotations

from playwright.sync_api import Page, ViewportSize, expect

from tests.support.browser import LiveServer
from tests.support.tenants import PASSWORD, TenantInfo

PHONE: ViewportSize = {"width": 390, "height": 844}


def sign_in(page: Page, live_server: LiveServer, tenant: TenantInfo) -> None:
    page.goto(live_server.url_for(tenant.host, "/login/?next=/settings/billing/"))
    page.fill("input[name=username]", tenant.owner_email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Billing", exact=True)).to_be_visible()
