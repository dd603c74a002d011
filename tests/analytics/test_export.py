"""`/analytics/export.csv`: a signed-in owner or admin downloads one row per counted day with a
column per metric, equal to the raw counts; members are refused, strangers sent to sign in, bad
dates answered 400; another workspace's export holds only its own figures; no cell can start a
spreadsheet formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from analytics.export import cell, columns
from analytics.queries import METRICS, today_for
from tests.support.analytics_reads import Pair, busy_and_quiet, days_between, last_counted_day
from tests.support.people import make_user, signed_in
from tests.support.people_api import assert_error
from tests.support.tenants import TenantInfo, host_client


@pytest.fixture(scope="module")
def two(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[Pair, Pair]]:
    with django_db_blocker.unblock(), busy_and_quiet("ex", ("Europe/Berlin", "Pacific/Auckland"), seed=31) as pairs:
        yield pairs


@pytest.fixture
def db_open(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        yield


def download(tenant: TenantInfo, email: str, query: dict[str, str]) -> tuple[Any, list[dict[str, str]]]:
    response = signed_in(tenant, email).get("/analytics/export.csv", query)
    assert response.status_code == 200, response.content[:300]
    text = b"".join(response.streaming_content).decode()
    return response, list(csv.DictReader(io.StringIO(text)))


def test_an_owner_downloads_a_row_per_counted_day_equal_to_the_raw_counts(
    two: tuple[Pair, Pair], db_open: None
) -> None:
    # given
    (tenant, raw), _ = two
    today = today_for(tenant.client)
    query = {"from": (today - timedelta(days=45)).isoformat(), "to": today.isoformat()}

    # when
    response, rows = download(tenant, tenant.owner_email, query)

    # then: a file named for the workspace and the days, a column per metric
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="{tenant.client.slug}-analytics-{query["from"]}-to-{query["to"]}.csv"'
    )
    assert list(rows[0]) == columns()
    assert set(METRICS) | {"date", "messages_sent_people", "messages_sent_bots"} == set(rows[0])
    # one row per day counted (today is not counted yet), figures as the raw rows say
    counted = days_between(today - timedelta(days=45), last_counted_day(tenant))
    assert [row["date"] for row in rows] == [day.isoformat() for day in counted]
    assert [int(row["messages_sent"]) for row in rows] == [raw.sent([day]) for day in counted]
    assert [int(row["messages_sent_bots"]) for row in rows] == [raw.sent_bots[day] for day in counted]
    assert [int(row["active_users"]) for row in rows] == [len(raw.active.get(day, ())) for day in counted]
    assert sum(int(row["documents_uploaded"]) for row in rows) == sum(raw.uploads[day] for day in counted)
    assert all(
        row["first_response_seconds_median"] == "" or row["first_response_seconds_median"].isdigit() for row in rows
    )


def test_an_admin_may_export_a_member_may_not_and_a_stranger_signs_in(two: tuple[Pair, Pair], db_open: None) -> None:
    (tenant, _raw), _ = two
    _response, rows = download(tenant, make_user(tenant, "admin").email, {"range": "7"})
    assert len(rows) == 7

    member = signed_in(tenant, make_user(tenant, "member").email)
    assert member.get("/analytics/export.csv").status_code == 403
    stranger = host_client(tenant.host).get("/analytics/export.csv")
    assert stranger.status_code == 302 and "/login/" in stranger["Location"]


@pytest.mark.parametrize(
    ("query", "code"),
    [({"from": "2026-02-30"}, "invalid_date"), ({"from": "2026-11-09", "to": "2026-11-01"}, "invalid_range")],
)
def test_bad_dates_are_a_400_in_words(two: tuple[Pair, Pair], db_open: None, query: dict[str, str], code: str) -> None:
    (tenant, _raw), _ = two
    response = signed_in(tenant, tenant.owner_email).get("/analytics/export.csv", query)
    assert_error(response, 400, code)


def test_another_workspaces_export_holds_only_its_own_figures(two: tuple[Pair, Pair], db_open: None) -> None:
    (busy, busy_raw), (quiet, quiet_raw) = two
    today = today_for(quiet.client)
    query = {"from": (today - timedelta(days=80)).isoformat(), "to": today.isoformat()}

    response, rows = download(quiet, quiet.owner_email, query)

    counted = days_between(today - timedelta(days=80), last_counted_day(quiet))
    sent = sum(int(row["messages_sent"]) for row in rows)
    assert sent == quiet_raw.sent(counted) > 0
    assert busy_raw.sent(counted) > 2 * sent
    assert (
        quiet.client.slug in response["Content-Disposition"] and busy.client.slug not in response["Content-Disposition"]
    )


def test_no_cell_can_start_a_formula() -> None:
    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert cell("+1") == "'+1" and cell("-1") == "'-1" and cell("@SUM") == "'@SUM" and cell("\tx") == "'\tx"
    assert cell(12) == "12" and cell(None) == "" and cell("2026-11-02") == "2026-11-02"
