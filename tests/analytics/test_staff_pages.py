"""The staff overview (clients near a limit, clients going quiet, with the figures that put them
there) and the revenue page, built from subscription events signed as Stripe signs them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from django_tenants.utils import schema_context
from djstripe.models import WebhookEndpoint

from accounts.models import User
from analytics.stats import STATS
from billing.models import Entitlement
from tests.support.lifecycle import Stripe
from tests.support.staff import MB, days_ago, make_client, staff_browser
from tests.support.stripe_payloads import DAY, event, new_id, subscription
from tests.support.webhooks import make_endpoint

pytestmark = pytest.mark.django_db

OVERVIEW = "/admin/tenants/client/overview/"
REVENUE = "/admin/tenants/client/revenue/"
Status = Entitlement.Status


@pytest.fixture
def staff(staff_user: User) -> HttpClient:
    return staff_browser(staff_user)


def table_rows(html: str, table_id: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, flags=re.S)
    assert table, f"no {table_id}"
    rows = re.findall(r"<tbody>.*?</tbody>", table.group(1), flags=re.S)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr[^>]*>.*?</tr>", rows, flags=re.S)
    ]


def test_the_overview_lists_clients_near_a_limit_and_going_quiet(staff: HttpClient) -> None:
    # given
    full = make_client("Seats Nearly Full", plan="team", seats=92, last_7=300, previous_28=1200)
    make_client("Pages Nearly Out", plan="free", status=Status.FREE, pages=450)
    make_client("Roomy", plan="team", seats=10, storage_bytes=10 * MB)
    quiet = make_client("Going Quiet", plan="team", seats=3, last_7=20, previous_28=800, last_activity=days_ago(2))
    make_client("Steady", plan="team", seats=3, last_7=180, previous_28=800)

    # when
    html = staff.get(OVERVIEW).content.decode()

    # then: the fullest first, with the limit that put them there
    near = [row for row in table_rows(html, "near-limit-table") if "Nearly" in row or "Roomy" in row]
    assert near[0].startswith("Seats Nearly Full Team 92 of 100 · 92%")
    assert near[1].startswith("Pages Nearly Out Free") and "450 of 500 · 90%" in near[1]
    assert not any(row.startswith("Roomy") for row in near)
    assert f'href="/admin/tenants/client/{full.pk}/change/"' in html
    quiet_rows = [row for row in table_rows(html, "going-quiet-table") if "Quiet" in row or "Steady" in row]
    assert [row.replace("\xa0", " ") for row in quiet_rows] == ["Going Quiet 20 200 \N{MINUS SIGN}90% 2 days ago"]
    assert f'href="/admin/tenants/client/{quiet.pk}/change/"' in html
    assert "Seats Nearly Full" not in "".join(table_rows(html, "going-quiet-table"))  # 300 a week of 300


# -- revenue ----------------------------------------------------------------------------------


def month_key(ts: int) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m")


def cents(text: str) -> int:
    value = text.replace("$", "").replace(",", "").replace("+", "").replace("\N{MINUS SIGN}", "-")
    return round(float(value) * 100)


def revenue_table(staff: HttpClient) -> dict[str, list[int]]:
    """Each month's figures in cents (MRR, new, reactivation, expansion, contraction, churned,
    net new) and the paying clients, by YYYY-MM."""
    response = staff.get(REVENUE)
    assert response.status_code == 200
    html = response.content.decode()
    found = {}
    for month, cells in re.findall(r'<tr data-month="([\d-]+)">(.*?)</tr>', html, flags=re.S):
        values = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="num[^"]*">(.*?)</td>', cells)]
        found[month] = [cents(v) for v in values[:7]] + [int(values[7])]
    return found


def first_of(months_back: int, day: int) -> int:
    """A time `months_back` months before now's month, on `day` at noon UTC."""
    now = timezone.now()
    index = now.year * 12 + now.month - 1 - months_back
    return int(datetime(index // 12, index % 12 + 1, day, 12, tzinfo=UTC).timestamp())


def test_the_revenue_page_from_signed_subscription_events(
    staff: HttpClient, platform_client: HttpClient, django_capture_on_commit_callbacks: Any
) -> None:
    # given: what the page showed before, and Stripe sending these events, signed, to the endpoint
    with schema_context("public"):
        endpoint: WebhookEndpoint = make_endpoint()
    stripe = Stripe(platform_client, endpoint, django_capture_on_commit_callbacks)
    before = revenue_table(staff)
    x, y, z = (new_id("cus") for _ in range(3))
    for customer, name in ((x, "Rev X"), (y, "Rev Y"), (z, "Rev Z")):
        make_client(name, plan="free", status=Status.FREE, customer=customer)

    def send(kind: str, customer: str, sub: str, at: int, **fields: Any) -> None:
        obj = subscription(customer=customer, sub_id=sub, plan_code="team", period_start=at, **fields)
        stored = stripe.send(event(f"customer.subscription.{kind}", obj, created=at))
        assert stored.client_id is not None and stored.status == "processed", stored.error

    m3, m2, m1 = first_of(3, 3), first_of(2, 3), first_of(1, 3)
    latest = int(timezone.now().timestamp()) - 60
    send("created", x, "sub_x", m3, quantity=3)  # $12 a seat: $36
    send("updated", x, "sub_x", m2, quantity=5)  # $60: expansion of $24
    send("created", y, "sub_y", m1, quantity=2)  # $24 new
    send("created", z, "sub_z", m1, status="trialing", trial_end=m1 + 14 * DAY)  # a trial: nothing
    send("updated", y, "sub_y", m1 + DAY, quantity=1)  # the same month: $12 new, not $24 less $12
    send("deleted", x, "sub_x", latest, status="canceled", quantity=5)  # churn of $60

    # when
    after = revenue_table(staff)

    # then: what these clients changed, month by month (others' figures cancel out)
    changed = {month: [a - b for a, b in zip(after[month], before.get(month, [0] * 8), strict=True)] for month in after}
    #                        MRR   new  react  exp  contr churn   net  paying
    assert changed[month_key(m3)] == [3600, 3600, 0, 0, 0, 0, 3600, 1]
    assert changed[month_key(m2)] == [6000, 0, 0, 2400, 0, 0, 2400, 1]
    assert changed[month_key(m1)] == [7200, 1200, 0, 0, 0, 0, 1200, 2]
    assert changed[month_key(latest)] == [1200, 0, 0, 0, 0, 6000, -6000, 1]
    assert len(after) == 12


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("2026-13", "is not a month"),
        ("soon", "is not a month"),
        ("2999-01", "has not begun"),
        ("1999-01", "before 2000"),
        ("<script>", "is not a month"),
    ],
)
def test_a_bad_month_is_a_400_that_says_why(staff: HttpClient, to: str, message: str) -> None:
    response = staff.get(REVENUE, {"to": to})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "<script>" not in response.content.decode().split('role="alert"')[1][:300]


def test_an_earlier_window_ends_with_the_month_asked_for(staff: HttpClient) -> None:
    response = staff.get(REVENUE, {"to": "2026-03"})
    assert response.status_code == 200
    months = re.findall(r'<tr data-month="([\d-]+)">', response.content.decode())
    assert months[0] == "2025-04" and months[-1] == "2026-03" and len(months) == 12


def test_the_overview_says_how_fresh_each_stat_is(staff: HttpClient) -> None:
    response = staff.get(OVERVIEW)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="freshness-table"' in body
    assert all(f"<code>{stat.key}</code>" in body for stat in STATS)
