"""The owner's pages on a 390 px phone: every link of the top bar whole and on screen, and no page
scrolls sideways (the People table included)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import LiveServer, save_screenshot
from tests.support.browser_invitations import sign_in
from tests.support.sockets import MakeMember
from tests.support.tenants import PASSWORD, TenantInfo

PHONE = {"width": 390, "height": 844}
PAGES = {"chat": "/", "documents": "/documents/", "people": "/people/", "settings": "/settings/profile/"}

pytestmark = pytest.mark.usefixtures("patient_expect")


def fits(page: Page) -> None:
    """Each top-bar link is entirely on screen and shows its whole name; the page is no wider."""
    for link in page.locator(".topnav a").all():
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.inner_text()
        clipped = link.evaluate("a => a.scrollWidth > a.clientWidth")
        assert not clipped, f"{link.inner_text()} is cut short"
    for control in (page.locator(".topbar .user-chip"), page.get_by_role("button", name="Sign out")):
        box = control.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px"


def test_the_owners_pages_fit_a_phone(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, make_member: MakeMember
) -> None:
    member = make_member(tenant_a)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(live_server.url_for(tenant_a.host, "/login/"))
        sign_in(page, tenant_a.owner_email, PASSWORD)
        expect(page.locator("#chat-app")).to_have_attribute("data-state", "ready")
        for name, path in PAGES.items():
            page.goto(live_server.url_for(tenant_a.host, path))
            expect(page.locator(".topnav a", has_text="People")).to_be_visible()
            fits(page)
            save_screenshot(page, f"phone-{name}")
        # the People tables: with a member and an invitation, every cell on screen, nothing to
        # scroll sideways inside them either
        page.goto(live_server.url_for(tenant_a.host, "/people/"))
        page.get_by_label("E-mail").fill(f"phone-{member.user.pk}@acme.test")
        page.get_by_role("button", name="Send invitation").click()
        expect(page.locator(".invitations-table")).to_contain_text(f"phone-{member.user.pk}@acme.test")
        expect(page.locator(".people-table")).to_contain_text(member.user.email)
        for cell in page.locator(".stack-on-phone td").all():
            box = cell.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], cell.inner_text()
        for table in page.locator(".table-scroll").all():
            assert table.evaluate("t => t.scrollWidth <= t.clientWidth"), "a table scrolls sideways"
        fits(page)
        save_screenshot(page, "phone-people-rows")
    finally:
        context.close()
