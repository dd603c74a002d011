"""The analytics page in Chromium: a workspace with a year of history (about 20,000 messages,
filled) shows a drawn chart per metric with a tooltip and keys that walk the periods, changes
range by its links and interval at once, downloads its CSV, and fits a phone; a new workspace
shows the empty state. Nothing is fetched from another origin and no script fails. Screenshots
in artifacts/analytics-*.png."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from analytics.fill import fill_tenant
from analytics.metrics import METRICS
from analytics.seeding import Cast, make_people, make_rooms, seed_history
from tests.support.analytics import fresh_workspace
from tests.support.browser import VIEWPORT, LiveServer, save_screenshot
from tests.support.browser_billing import PHONE
from tests.support.tenants import PASSWORD, TenantInfo

pytestmark = pytest.mark.usefixtures("patient_expect")

DESKTOP = ViewportSize(width=VIEWPORT["width"], height=VIEWPORT["height"])


@pytest.fixture(scope="module")
def year(django_db_setup: None, django_db_blocker: Any) -> Iterator[TenantInfo]:
    """A workspace with a year of history by eight people (one a bot) in four channels."""
    with django_db_blocker.unblock(), fresh_workspace(prefix="ay", time_zone="Europe/Berlin") as tenant:
        with schema_context(tenant.schema):
            now = timezone.now()
            joined = [now - timedelta(days=days) for days in (360, 300, 250, 200, 150, 90, 40, 20)]
            people = make_people(8, prefix="dash", joined=joined, bots=1)
            rooms = make_rooms(4, prefix="team", members=people)
            seed_history(
                cast=Cast(people=[p.pk for p in people], rooms=[r.pk for r in rooms]), days=365, messages=20_000
            )
        fill_tenant(tenant.client)
        yield tenant


@pytest.fixture
def blank(django_db_setup: None, django_db_blocker: Any) -> Iterator[TenantInfo]:
    with django_db_blocker.unblock(), fresh_workspace(prefix="an", time_zone="UTC") as tenant:
        yield tenant


# Recorded in the page itself, across its navigations (Playwright's event listeners need an
# event loop the loop-hiding patch of tests/e2e/conftest.py takes away in a long session).
RECORD_PROBLEMS = """
(() => {
  const push = (text) => {
    const list = JSON.parse(sessionStorage.getItem("__problems") || "[]");
    list.push(String(text));
    sessionStorage.setItem("__problems", JSON.stringify(list));
  };
  const original = console.error.bind(console);
  console.error = (...args) => { push(args.join(" ")); original(...args); };
  window.addEventListener("error", (event) => push(event.message || "a resource failed to load"), true);
  window.addEventListener("unhandledrejection", (event) => push(event.reason));
})();
"""


def problems(page: Page, origin: str) -> list[str]:
    """Script errors since the context opened, and this document's requests elsewhere or
    failed."""
    found: list[str] = page.evaluate("() => JSON.parse(sessionStorage.getItem('__problems') || '[]')")
    for name, status in page.evaluate(
        "() => performance.getEntriesByType('resource').map((e) => [e.name, e.responseStatus || 0])"
    ):
        if not name.startswith(("data:", origin)):
            found.append(f"fetched {name}")
        elif status >= 400:
            found.append(f"{status} for {name}")
    return found


def open_dashboard(page: Page, live_server: LiveServer, tenant: TenantInfo) -> str:
    """Signs the owner in on the dashboard; the workspace's origin."""
    page.context.add_init_script(RECORD_PROBLEMS)
    page.goto(live_server.url_for(tenant.host, "/login/?next=/analytics/"))
    page.fill("input[name=username]", tenant.owner_email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Analytics", exact=True)).to_be_visible()
    return live_server.url_for(tenant.host, "")


def charts_drawn(page: Page) -> None:
    expect(page.locator(".an-chart--drawn")).to_have_count(len(METRICS))
    expect(page.locator(".an-chart canvas")).to_have_count(len(METRICS))


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def downloaded(page: Page, link: Locator) -> str:
    """The file `link` offers, fetched by the page with its session as a click would (the
    answer must say it is an attachment)."""
    answer = page.evaluate(
        """async (href) => {
            const response = await fetch(href);
            return {status: response.status, disposition: response.headers.get("content-disposition") || "",
                    text: await response.text()};
        }""",
        link.get_attribute("href"),
    )
    assert answer["status"] == 200 and answer["disposition"].startswith("attachment"), answer["disposition"]
    return str(answer["text"])


def fits_a_phone(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px"
    for chart in page.locator(".an-chart").all():
        box = chart.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        canvas = chart.locator("canvas").bounding_box()
        assert canvas is not None and canvas["width"] <= box["width"] + 1


def test_a_year_of_history_on_a_laptop_and_a_phone(browser: Browser, live_server: LiveServer, year: TenantInfo) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    origin = open_dashboard(page, live_server, year)

    # the last 30 days by day: a drawn chart per metric, the totals and the busiest lists
    charts_drawn(page)
    expect(page.get_by_role("link", name="30 days")).to_have_attribute("aria-current", "true")
    expect(page.locator("#filled-through")).to_contain_text("Figures up to the end of")
    expect(page.locator("#metric-messages_sent [data-total]")).not_to_have_text("0")
    expect(page.locator("#metric-messages_sent .an-parts")).to_contain_text("by bots")
    expect(page.locator("#top-rooms tbody tr")).to_have_count(4)
    expect(page.locator("#top-people tbody tr")).to_have_count(7)  # the bot is no person

    # the pointer over a chart: the period and both values
    chart = page.locator("#metric-messages_sent .an-chart .u-over")
    box = chart.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)
    tip = page.locator("#metric-messages_sent .an-tip")
    expect(tip).to_be_visible()
    # all messages, people's, bots', the previous period's
    expect(tip.locator(".an-tip-row")).to_have_count(4)
    expect(tip.locator(".an-tip-head")).to_contain_text("20")
    save_screenshot(page, "analytics-year-desktop")

    # the keys walk the periods of a focused chart, and the readout says each
    page.mouse.move(0, 0)
    active = page.locator("#metric-active_users .an-chart")
    active.focus()
    page.keyboard.press("End")
    readout = page.locator("#readout-active_users")
    expect(readout).to_contain_text("previous period")
    expect(page.locator("#metric-active_users .an-tip")).to_be_visible()

    # the data table behind each chart
    page.locator("#metric-storage_bytes summary").click()
    expect(page.locator("#metric-storage_bytes .an-table tbody tr").first).to_be_visible()

    # 7 days, by the preset's link
    page.get_by_role("link", name="7 days").click()
    charts_drawn(page)
    assert query(page) == {"range": ["7"]}
    expect(page.locator("#interval-day")).to_be_checked()

    # 12 months: by month at first, then by week as soon as it is picked
    page.get_by_role("link", name="12 months").click()
    charts_drawn(page)
    expect(page.locator("#interval-month")).to_be_checked()
    page.locator("#interval-month").focus()
    page.keyboard.press("ArrowLeft")  # the keys pick an interval as well, and focus stays on it
    expect(page.locator("#interval-week")).to_be_checked()
    expect(page.locator("#interval-week")).to_be_focused()
    charts_drawn(page)
    assert query(page) == {"range": ["365"], "interval": ["week"]}
    weeks = page.evaluate("JSON.parse(document.getElementById('analytics-data').textContent).overview")
    assert weeks["interval"] == "week" and len(weeks["metrics"]["messages_sent"]["points"]) >= 52
    save_screenshot(page, "analytics-year-weeks-desktop")

    # the CSV of the range shown
    text = downloaded(page, page.get_by_role("link", name="Download CSV"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["date", "messages_sent"]
    assert len(rows) > 300
    assert sum(int(row[1] or 0) for row in rows[1:]) > 10_000

    # days of one's own, typed into the form
    page.get_by_role("link", name="30 days").click()
    start = (date.fromisoformat(weeks["to"]) - timedelta(days=44)).isoformat()
    page.get_by_label("From").fill(start)
    page.get_by_role("button", name="Show").click()
    charts_drawn(page)
    assert query(page)["from"] == [start]
    expect(page.locator(".an-lede-range")).to_contain_text("\u2013")
    expect(page.locator(".an-presets a[aria-current]")).to_have_count(0)

    # a phone: the charts drawn for a laptop follow their cards' new width at once
    page.set_viewport_size(PHONE)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.an-chart')]"
        ".every((chart) => chart.querySelector('canvas').getBoundingClientRect().width <= chart.clientWidth + 1)"
    )
    fits_a_phone(page)
    # and the page drawn on a phone: cards stacked, nothing sideways
    page.get_by_role("link", name="30 days").click()
    charts_drawn(page)
    fits_a_phone(page)
    save_screenshot(page, "analytics-year-phone")

    # and in the dark, the charts drawn in the dark scheme's colours
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="dark")
    page.reload()
    charts_drawn(page)
    save_screenshot(page, "analytics-year-dark-desktop")

    assert not problems(page, origin), problems(page, origin)
    context.close()


def test_a_new_workspace_shows_what_will_appear(browser: Browser, live_server: LiveServer, blank: TenantInfo) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    origin = open_dashboard(page, live_server, blank)

    expect(page.get_by_role("heading", name="Your workspace\u2019s figures will appear here")).to_be_visible()
    expect(page.locator("#analytics-empty")).to_contain_text("counted every hour")
    expect(page.locator("canvas")).to_have_count(0)
    expect(page.get_by_role("link", name="Download CSV")).to_have_count(0)  # nothing to export
    save_screenshot(page, "analytics-empty-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#analytics-empty")).to_be_visible()
    fits_a_phone(page)
    save_screenshot(page, "analytics-empty-phone")

    assert not problems(page, origin), problems(page, origin)
    context.close()
