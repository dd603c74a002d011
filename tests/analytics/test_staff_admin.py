"""The staff client list: billing status, seats, messages this month, storage, MRR and last
activity per client, every column sortable; the near-a-limit, going-quiet and silent filters;
bad parameters answered without a 500; a page costs the same queries with 5 clients or 60."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import Entitlement
from tests.support.staff import MB, days_ago, make_client, staff_browser
from tests.support.tenants import PASSWORD, TenantInfo, host_client

pytestmark = pytest.mark.django_db

LIST = "/admin/tenants/client/"
Status = Entitlement.Status


@pytest.fixture
def staff(staff_user: User) -> HttpClient:
    return staff_browser(staff_user)


def rows_of(html: str) -> dict[str, str]:
    """Each listed client's row (by its name), as text."""
    rows = {}
    for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        name = re.search(r'class="field-name[^"]*"[^>]*>(?:<a[^>]*>)?([^<]+)', row)
        if name:
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            rows[name.group(1).strip()] = text
    return rows


def names_in_order(html: str) -> list[str]:
    return re.findall(r'class="field-name[^"]*"[^>]*>(?:<a[^>]*>)?([^<]+)', html)


def cell(html: str, name: str, column: str) -> str:
    for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        if re.search(rf'class="field-name[^"]*"[^>]*>(?:<a[^>]*>)?{re.escape(name)}<', row):
            found = re.search(rf'<td class="field-{column}[^"]*">(.*?)</td>', row, flags=re.S)
            assert found, f"no {column} column"
            return found.group(1).strip().replace("\xa0", " ")
    raise AssertionError(f"{name} not listed")


@pytest.fixture
def three() -> dict[str, Any]:
    """Three clients whose every figure differs (names sort as a < b < c)."""
    return {
        "a": make_client(
            "Staff A",
            plan="team",
            quantity=3,
            seats=85,
            messages_this_month=1234,
            stored_bytes=3 * MB,
            last_activity=days_ago(3),
            last_7=10,
            previous_28=400,
        ),
        "b": make_client(
            "Staff B",
            plan="business",
            interval="year",
            quantity=5,
            seats=4,
            messages_this_month=50,
            stored_bytes=700 * MB,
            last_activity=days_ago(0.5),
            last_7=100,
            previous_28=400,
        ),
        "c": make_client(
            "Staff C",
            plan="team",
            status=Status.TRIALING,
            seats=2,
            messages_this_month=0,
            stored_bytes=0,
            last_activity=days_ago(45),
            pages=9000,
        ),
    }


def test_the_list_shows_each_clients_figures(staff: HttpClient, three: dict[str, Any]) -> None:
    html = staff.get(LIST, {"q": "Staff "}).content.decode()
    rows = rows_of(html)
    assert set(rows) == {"Staff A", "Staff B", "Staff C"}
    assert cell(html, "Staff A", "seats") == "85 / 100"
    assert cell(html, "Staff B", "seats") == "4 / ∞"  # Business has no seat limit
    assert cell(html, "Staff A", "messages_this_month") == "1,234"
    assert cell(html, "Staff B", "storage") == "700 MB"
    assert cell(html, "Staff A", "mrr") == "$24"  # 3 Team seats at $8
    assert cell(html, "Staff B", "mrr") == "$62.50"  # 5 Business seats at $150 a year, a twelfth
    assert cell(html, "Staff C", "mrr") == "trial"
    assert cell(html, "Staff A", "last_activity") == "3 days ago"
    assert cell(html, "Staff C", "last_activity") == "1 month ago"
    assert cell(html, "Staff C", "billing_status") == "Trial"
    assert "Team" in rows["Staff A"] and "Business" in rows["Staff B"]


@pytest.mark.parametrize(
    ("column", "ascending"),
    [
        ("seats", ["Staff C", "Staff B", "Staff A"]),
        ("messages_this_month", ["Staff C", "Staff B", "Staff A"]),
        ("storage", ["Staff C", "Staff A", "Staff B"]),
        ("mrr", ["Staff C", "Staff A", "Staff B"]),  # a trial brings nothing
        ("last_activity", ["Staff C", "Staff A", "Staff B"]),  # the longest silent first
        ("billing_status", ["Staff A", "Staff B", "Staff C"]),  # active, active, trialing
    ],
)
def test_every_column_sorts_both_ways(
    staff: HttpClient, three: dict[str, Any], column: str, ascending: list[str]
) -> None:
    first = staff.get(LIST, {"q": "Staff "})
    index = list(first.context["cl"].list_display).index(column)
    up = names_in_order(staff.get(LIST, {"q": "Staff ", "o": f"{index}.1"}).content.decode())
    down = names_in_order(staff.get(LIST, {"q": "Staff ", "o": f"-{index}.1"}).content.decode())
    if column == "billing_status":  # two actives tie: the name decides after them
        assert up[-1] == "Staff C" and down[0] == "Staff C"
        return
    assert up == ascending
    assert down == ascending[::-1]


def test_never_active_clients_sort_as_the_most_silent(staff: HttpClient, three: dict[str, Any]) -> None:
    make_client("Staff D", last_activity=None)
    index = list(staff.get(LIST, {"q": "Staff "}).context["cl"].list_display).index("last_activity")
    up = names_in_order(staff.get(LIST, {"q": "Staff ", "o": f"{index}"}).content.decode())
    down = names_in_order(staff.get(LIST, {"q": "Staff ", "o": f"-{index}"}).content.decode())
    assert up[0] == "Staff D" and down[-1] == "Staff D"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"limits": "near"}, {"Staff A", "Staff C"}),  # 85 of 100 seats; 9,000 of 10,000 pages
        ({"activity": "quiet"}, {"Staff A"}),  # 10 against 100 a week before; B's 100 is not under 50
        ({"activity": "inactive"}, {"Staff C"}),
        ({"entitlement__status__exact": "trialing"}, {"Staff C"}),
    ],
)
def test_filters(staff: HttpClient, three: dict[str, Any], params: dict[str, str], expected: set[str]) -> None:
    response = staff.get(LIST, {"q": "Staff ", **params})
    assert response.status_code == 200
    assert set(rows_of(response.content.decode())) == expected


def test_near_a_limit_counts_storage_against_the_plans_megabytes(staff: HttpClient) -> None:
    # given: the free plan's 1,024 MB; one client at 820 MB (80 %), one at 810 MB
    make_client("Staff Full", plan="free", status=Status.FREE, storage_bytes=820 * MB)
    make_client("Staff Roomy", plan="free", status=Status.FREE, storage_bytes=810 * MB)
    response = staff.get(LIST, {"q": "Staff ", "limits": "near"})
    assert set(rows_of(response.content.decode())) == {"Staff Full"}


def test_the_plan_filter_and_search_still_work(staff: HttpClient, three: dict[str, Any]) -> None:
    plan_id = three["b"].entitlement.plan_id
    assert set(rows_of(staff.get(LIST, {"q": "Staff ", "entitlement__plan__id__exact": plan_id}).content.decode())) == {
        "Staff B"
    }
    assert set(rows_of(staff.get(LIST, {"q": three["a"].slug}).content.decode())) == {"Staff A"}


@pytest.mark.parametrize(
    "params",
    [
        {"limits": "everything"},
        {"activity": "'; drop table x"},
        {"entitlement__plan__id__exact": "abc"},
        {"o": "99"},
        {"o": "x.y"},
        {"p": "-1"},
    ],
)
def test_bad_parameters_never_fail(staff: HttpClient, three: dict[str, Any], params: dict[str, str]) -> None:
    response = staff.get(LIST, {"q": "Staff ", **params}, follow=True)
    assert response.status_code in (200, 400)
    if "limits" in params or "activity" in params:  # not a choice: the whole list
        assert set(rows_of(response.content.decode())) == {"Staff A", "Staff B", "Staff C"}


def test_a_page_costs_the_same_queries_with_5_clients_or_60(staff: HttpClient) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = staff.get(LIST, {"q": "Bulk "})
        assert response.status_code == 200
        return len(captured.captured_queries)

    for index in range(5):
        make_client(f"Bulk {index}", seats=index, messages_this_month=index, last_activity=days_ago(index))
    few = queries()
    for index in range(5, 60):
        make_client(f"Bulk {index}", seats=index, messages_this_month=index, last_activity=days_ago(index))
    many = queries()
    assert few == many
    assert len(rows_of(staff.get(LIST, {"q": "Bulk "}).content.decode())) == 50  # a full page


@pytest.mark.parametrize("url", [LIST, f"{LIST}overview/", f"{LIST}revenue/", f"{LIST}revenue/?to=2026-01"])
def test_only_staff_see_the_pages(url: str, staff: HttpClient) -> None:
    # given: someone signed in who is not staff, and no one at all
    with schema_context("public"):
        User.objects.create_user("person@platform.test", PASSWORD, name="Person")
    person = host_client("localhost")
    person.post("/admin/login/", {"username": "person@platform.test", "password": PASSWORD})
    for browser in (person, host_client("localhost")):
        # when
        response = browser.get(url)
        # then: the admin's login page
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert staff.get(url).status_code == 200


def test_no_workspace_host_serves_the_staff_pages(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given: each workspace's owner, signed in on their own host
    for tenant in (tenant_a, tenant_b):
        browser = host_client(tenant.host)
        browser.post("/login/", {"username": tenant.owner_email, "password": PASSWORD})
        for url in (LIST, f"{LIST}overview/", f"{LIST}revenue/"):
            # when, then: there is no admin on a workspace's host, so no client's figures either
            response = browser.get(url)
            assert response.status_code == 404
            assert b"Staff overview" not in response.content
