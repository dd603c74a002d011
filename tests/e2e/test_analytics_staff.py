"""The staff view of the business in Chromium: the client list with its figures and filters, the
overview of clients near a limit or going quiet, and the revenue page, at a laptop's and a
phone's size (screenshots in artifacts/analytics-staff-*.png)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django import DjangoDbBlocker

from accounts.models import User
from billing.models import Entitlement, StripeEvent
from tests.support.browser import VIEWPORT, LiveServer, save_screenshot
from tests.support.browser_billing import PHONE
from tests.support.staff import MB, days_ago, make_client, remove_clients
from tests.support.stripe_payloads import event, subscription
from tests.support.tenants import PASSWORD

PREFIX = "e2estaff"
STAFF_EMAIL = "e2e-staff@platform.test"
Status = Entitlement.Status
SIZES = {"desktop": ViewportSize(width=VIEWPORT["width"], height=VIEWPORT["height"]), "phone": PHONE}


def months_back(count: int, day: int = 4) -> int:
    now = timezone.now()
    index = now.year * 12 + now.month - 1 - count
    return int(datetime(index // 12, index % 12 + 1, day, 12, tzinfo=UTC).timestamp())


def applied(client_id: int, kind: str, at: int, **fields: Any) -> None:
    """A subscription event as the worker leaves it once applied (the webhook path itself is
    tested in tests/analytics/test_staff_pages.py)."""
    payload = event(f"customer.subscription.{kind}", subscription(customer="cus_e2e", **fields), created=at)
    StripeEvent.objects.create(
        id=payload["id"],
        type=payload["type"],
        created=datetime.fromtimestamp(at, tz=UTC),
        payload=payload,
        status=StripeEvent.Status.PROCESSED,
        client_id=client_id,
    )


@pytest.fixture
def business(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Six clients with plans, usage and activity, and a year of their subscriptions."""
    with django_db_blocker.unblock(), schema_context("public"):
        remove_clients(PREFIX)
        if not User.objects.filter(email=STAFF_EMAIL).exists():
            User.objects.create_superuser(STAFF_EMAIL, PASSWORD, name="Staff")
        northwind = make_client(
            "Northwind Traders",
            prefix=PREFIX,
            plan="team",
            quantity=90,
            seats=88,
            messages_this_month=18_204,
            stored_bytes=14 * 1024 * MB,
            last_activity=days_ago(0.02),
            last_7=4_100,
            previous_28=15_800,
        )
        initech = make_client(
            "Initech",
            prefix=PREFIX,
            plan="business",
            interval="year",
            quantity=40,
            seats=37,
            messages_this_month=9_310,
            stored_bytes=2300 * MB,
            last_activity=days_ago(0.3),
            last_7=300,
            previous_28=9_000,
        )
        make_client(
            "Hooli",
            prefix=PREFIX,
            plan="free",
            status=Status.FREE,
            seats=9,
            storage_bytes=900 * MB,
            pages=120,
            messages_this_month=811,
            stored_bytes=900 * MB,
            last_activity=days_ago(3),
            last_7=200,
            previous_28=700,
        )
        make_client(
            "Umbrella Labs",
            prefix=PREFIX,
            plan="team",
            status=Status.TRIALING,
            quantity=12,
            seats=12,
            messages_this_month=2_040,
            stored_bytes=120 * MB,
            last_activity=days_ago(1),
            last_7=900,
            previous_28=1_500,
        )
        make_client(
            "Vandelay Industries",
            prefix=PREFIX,
            plan="team",
            status=Status.PAST_DUE,
            quantity=8,
            seats=8,
            messages_this_month=12,
            stored_bytes=40 * MB,
            last_activity=days_ago(41),
            last_7=0,
            previous_28=0,
        )
        soylent = make_client(
            "Soylent Corp",
            prefix=PREFIX,
            plan="team",
            status=Status.CANCELED,
            quantity=5,
            seats=5,
            stored_bytes=60 * MB,
            last_activity=days_ago(75),
        )
        applied(northwind.pk, "created", months_back(10), sub_id="sub_nw", quantity=40)
        applied(northwind.pk, "updated", months_back(6), sub_id="sub_nw", quantity=65)
        applied(northwind.pk, "updated", months_back(2), sub_id="sub_nw", quantity=90)
        applied(initech.pk, "created", months_back(8), sub_id="sub_in", interval="year", quantity=40)
        applied(soylent.pk, "created", months_back(9), sub_id="sub_so", quantity=20)
        applied(soylent.pk, "updated", months_back(5), sub_id="sub_so", quantity=12)
        applied(soylent.pk, "deleted", months_back(1), sub_id="sub_so", status="canceled", quantity=12)
        applied(northwind.pk, "created", months_back(0, 1), sub_id="sub_nw_trial", status="trialing", quantity=3)
    yield
    with django_db_blocker.unblock():
        remove_clients(PREFIX)


def sign_in_staff(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url_for("localhost", "/admin/login/?next=/admin/"))
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#analytics-business")).to_be_visible()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_staff_pages(browser: Browser, live_server: LiveServer, business: None, size: str) -> None:
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    sign_in_staff(page, live_server)

    # the client list: every figure, sortable, with its filters
    page.goto(live_server.url_for("localhost", f"/admin/tenants/client/?q={PREFIX}"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(6)
    northwind = rows.filter(has_text="Northwind Traders")
    expect(northwind.locator("td.field-seats")).to_have_text("88 / 100")
    expect(northwind.locator("td.field-messages_this_month")).to_have_text("18,204")
    expect(northwind.locator("td.field-storage")).to_have_text("14 GB")
    expect(northwind.locator("td.field-mrr")).to_have_text("$720")
    expect(rows.filter(has_text="Umbrella Labs").locator("td.field-mrr")).to_have_text("trial")
    save_screenshot(page, f"analytics-staff-clients-{size}")
    page.locator("th.column-mrr a").first.click()  # ascending, then the other way
    page.locator("th.column-mrr a.toggle, th.column-mrr .sortoptions a.toggle").first.click()
    expect(rows.first).to_contain_text("Northwind Traders")
    page.goto(live_server.url_for("localhost", f"/admin/tenants/client/?q={PREFIX}&limits=near"))
    expect(rows).to_have_count(2)  # Northwind's seats (88 of 100), Hooli's seats and storage on Free
    page.goto(live_server.url_for("localhost", f"/admin/tenants/client/?q={PREFIX}&activity=quiet"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Initech")
    save_screenshot(page, f"analytics-staff-clients-quiet-{size}")

    # the overview: the totals, and who is near a limit or going quiet, with links to each
    page.get_by_role("link", name="Staff overview").first.click()
    expect(page.get_by_role("heading", name="Clients near a limit")).to_be_visible()
    expect(page.locator("#near-limit-table")).to_contain_text("88 of 100 · 88%")
    expect(page.locator("#going-quiet-table")).to_contain_text("Initech")
    save_screenshot(page, f"analytics-staff-overview-{size}")
    page.locator("#going-quiet-table").get_by_role("link", name="Initech").click()
    expect(page.locator("#id_name")).to_have_value("Initech")

    # the revenue page: a year of MRR, its chart and its movements
    page.goto(live_server.url_for("localhost", "/admin/tenants/client/revenue/"))
    expect(page.locator("#revenue-table tbody tr")).to_have_count(12)
    expect(page.locator(".analytics-chart rect")).to_have_count(12)
    save_screenshot(page, f"analytics-staff-revenue-{size}")
    page.goto(live_server.url_for("localhost", "/admin/tenants/client/revenue/?to=next-year"))
    expect(page.get_by_role("alert")).to_contain_text("is not a month")
    context.close()
