"""`/api/analytics/` through HTTP: owners and admins get the series, the overview and the top
lists, equal to the raw counts; members are refused, strangers asked to sign in; bad input is a
400 naming what is allowed; and two workspaces with different activity never see each other's
figures or people."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from analytics.queries import METRICS, today_for
from tests.support.analytics_reads import Pair, busy_and_quiet, days_between, last_counted_day
from tests.support.people import make_user
from tests.support.people_api import Api, assert_error
from tests.support.tenants import TenantInfo, host_client


@pytest.fixture(scope="module")
def two(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[Pair, Pair]]:
    with django_db_blocker.unblock(), busy_and_quiet("ap", ("America/New_York", "Asia/Kolkata"), seed=21) as pairs:
        yield pairs


@pytest.fixture
def db_open(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        yield


def window(tenant: TenantInfo, days: int = 40) -> dict[str, str]:
    today = today_for(tenant.client)
    return {"from": (today - timedelta(days=days)).isoformat(), "to": today.isoformat()}


def test_an_owner_gets_a_series_equal_to_the_raw_counts(two: tuple[Pair, Pair], db_open: None) -> None:
    (tenant, raw), _ = two
    query = window(tenant)

    response = Api(tenant, tenant.owner_email).call(
        "get", "/api/analytics/series/", {**query, "metric": "messages_sent"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    counted = days_between(today_for(tenant.client) - timedelta(days=40), last_counted_day(tenant))
    assert body["metric"] == "messages_sent" and body["interval"] == "day"
    assert (body["from"], body["to"]) == (query["from"], query["to"])
    assert [point["value"] for point in body["points"]] == [raw.sent([day]) for day in counted]
    assert body["total"] == raw.sent(counted) > 0
    assert len(body["previous"]) == 41


def test_an_admin_gets_the_overview_and_the_top_lists(two: tuple[Pair, Pair], db_open: None) -> None:
    (tenant, raw), _ = two
    admin = Api(tenant, make_user(tenant, "admin").email)

    overview = admin.call("get", "/api/analytics/overview/", {**window(tenant), "interval": "week"})
    people = admin.call("get", "/api/analytics/top/", {**window(tenant), "kind": "people", "limit": 3})
    rooms = admin.call("get", "/api/analytics/top/", {"range": "90", "kind": "rooms"})

    assert overview.status_code == 200, overview.content
    assert list(overview.json()["metrics"]) == list(METRICS)
    assert overview.json()["metrics"]["active_users"]["interval"] == "week"
    assert people.status_code == 200 and len(people.json()["results"]) == 3
    assert set(people.json()["results"][0]) == {
        "id",
        "name",
        "email",
        "messages",
        "messages_read",
        "documents_uploaded",
    }
    assert rooms.status_code == 200, rooms.content
    assert sum(row["messages"] for row in rooms.json()["results"]) == sum(
        count
        for (day, _room), count in raw.by_room.items()
        if today_for(tenant.client) - timedelta(days=90) <= day <= last_counted_day(tenant)
    )


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ({"metric": "messages"}, "unknown_metric", "messages_sent, active_users"),
        ({"metric": "messages_sent", "interval": "year"}, "invalid_interval", "day, week, month"),
        ({"metric": "messages_sent", "from": "2026-02-30"}, "invalid_date", "not a real date"),
        ({"metric": "messages_sent", "from": "yesterday"}, "invalid_date", "YYYY-MM-DD"),
        ({"metric": "messages_sent", "from": "2026-11-09", "to": "2026-11-01"}, "invalid_range", "after"),
        ({"metric": "messages_sent", "from": "2020-01-01", "to": "2026-01-01"}, "range_too_long", "two years"),
        ({"metric": "messages_sent", "range": "12"}, "invalid_range", "7, 30, 90, 365"),
        ({}, "invalid", "messages_sent"),
    ],
)
def test_bad_input_is_a_400_naming_what_is_allowed(
    two: tuple[Pair, Pair], db_open: None, query: dict[str, str], code: str, words: str
) -> None:
    (tenant, _raw), _ = two
    response = Api(tenant, tenant.owner_email).call("get", "/api/analytics/series/", query)
    body = assert_error(response, 400, code)
    assert words in body["detail"]


def test_an_unknown_kind_or_limit_is_a_400(two: tuple[Pair, Pair], db_open: None) -> None:
    (tenant, _raw), _ = two
    owner = Api(tenant, tenant.owner_email)
    body = assert_error(owner.call("get", "/api/analytics/top/", {"kind": "bots"}), 400, "unknown_kind")
    assert "rooms, people" in body["detail"]
    assert_error(owner.call("get", "/api/analytics/top/", {"kind": "people", "limit": "500"}), 400, "invalid")
    assert_error(owner.call("get", "/api/analytics/overview/", {"interval": "hour"}), 400, "invalid_interval")


def test_members_are_refused_and_strangers_asked_to_sign_in(two: tuple[Pair, Pair], db_open: None) -> None:
    (tenant, _raw), _ = two
    member = Api(tenant, make_user(tenant, "member").email)
    for path in (
        "/api/analytics/series/?metric=messages_sent",
        "/api/analytics/overview/",
        "/api/analytics/top/?kind=people",
    ):
        assert_error(member.call("get", path), 403)
        assert_error(host_client(tenant.host).get(path), 401)


def test_two_workspaces_never_see_each_others_figures_or_people(two: tuple[Pair, Pair], db_open: None) -> None:
    # given: a busy workspace A and a quiet workspace B
    (busy, busy_raw), (quiet, quiet_raw) = two
    owner_b = Api(quiet, quiet.owner_email)
    query = window(quiet, 60)

    # when: B's owner asks for everything
    overview = owner_b.call("get", "/api/analytics/overview/", query).json()
    people = owner_b.call("get", "/api/analytics/top/", {**query, "kind": "people", "limit": 50}).json()
    rooms = owner_b.call("get", "/api/analytics/top/", {**query, "kind": "rooms", "limit": 50}).json()

    # then: B's own figures, which differ from A's over the same days
    counted = days_between(today_for(quiet.client) - timedelta(days=60), last_counted_day(quiet))
    sent = overview["metrics"]["messages_sent"]["total"]
    assert sent == quiet_raw.sent(counted) > 0
    assert busy_raw.sent(counted) > 2 * sent
    assert {row["id"] for row in people["results"]} <= set(quiet_raw.names)
    names_a = {name for name, _email in busy_raw.names.values()} - {name for name, _email in quiet_raw.names.values()}
    emails_a = {email for _name, email in busy_raw.names.values()}
    shown = repr(people) + repr(rooms) + repr(overview)
    assert people["results"] and not any(name in shown for name in names_a if name)
    assert not any(email in shown for email in emails_a)
    assert sum(row["messages"] for row in rooms["results"]) == sent

    # and A's owner's token does not work on B's host
    owner_a = Api(busy, busy.owner_email)
    owner_a.http = host_client(quiet.host)
    assert_error(owner_a.call("get", "/api/analytics/overview/"), 401)


def test_the_schema_documents_the_endpoints(two: tuple[Pair, Pair], db_open: None) -> None:
    (tenant, _raw), _ = two
    response = host_client(tenant.host).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/analytics/series/", "/api/analytics/overview/", "/api/analytics/top/"):
        assert path in text
    assert "unknown_metric" in text
