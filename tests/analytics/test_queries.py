"""The dashboard's reads (analytics.queries) against rollups filled from seeded activity: every
figure equals the same figure counted from the raw rows by the workspace's local days, by day,
week and month, for the range and the one before it; days not counted yet are absent, not
zero; an empty workspace answers zeros; and a read is a handful of statements."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from analytics.fill import fill_tenant
from analytics.metrics import weighted_median
from analytics.models import RoomCount, TenantCount
from analytics.queries import METRICS, InvalidQuery, Range, overview, series, today_for, top
from analytics.ranges import day_end, period_start
from documents.models import Document
from tests.support.analytics import fresh_workspace
from tests.support.analytics_reads import Raw, days_between, grouped, last_counted_day, raw_figures, seeded
from tests.support.tenants import TenantInfo


@pytest.fixture(scope="module")
def workspace(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[TenantInfo, Raw]]:
    # A zone with daylight saving: the 75 days cross its change in November.
    with django_db_blocker.unblock(), seeded(prefix="qa", zone="America/New_York", seed=11, messages=700) as tenant:
        yield tenant, raw_figures(tenant)


@pytest.fixture
def db_open(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        yield


def last_days(tenant: TenantInfo, count: int) -> Range:
    today = today_for(tenant.client)
    return Range(start=today - timedelta(days=count), end=today)


def test_messages_by_day_equal_the_raw_counts_of_each_local_day(
    workspace: tuple[TenantInfo, Raw], db_open: None
) -> None:
    # given: the last 41 days, today included (not counted yet)
    tenant, raw = workspace
    days = last_days(tenant, 40)
    counted = last_counted_day(tenant)

    # when
    found = series(tenant.client, metric="messages_sent", range=days, interval="day")

    # then: one point per counted day, today absent rather than zero
    expected_days = days_between(days.start, counted)
    assert found["filled_through"] == counted.isoformat()
    assert [point["t"] for point in found["points"]] == [day.isoformat() for day in expected_days]
    assert [point["value"] for point in found["points"]] == [raw.sent([day]) for day in expected_days]
    assert [point["bots"] for point in found["points"]] == [raw.sent_bots[day] for day in expected_days]
    assert [point["people"] for point in found["points"]] == [raw.sent_people[day] for day in expected_days]
    assert found["total"] == raw.sent(expected_days) > 0
    # and the previous 41 days, wholly counted
    previous = days_between(days.previous.start, days.previous.end)
    assert [point["value"] for point in found["previous"]] == [raw.sent([day]) for day in previous]
    assert found["previous_total"] == raw.sent(previous)
    assert found["unit"] == "count" and found["label"] == "Messages sent" and found["help"]


@pytest.mark.parametrize("interval", ["week", "month"])
def test_weeks_and_months_add_up_their_days_and_start_on_monday_and_the_first(
    workspace: tuple[TenantInfo, Raw], db_open: None, interval: str
) -> None:
    tenant, raw = workspace
    counted = last_counted_day(tenant)
    days = Range(start=counted - timedelta(days=60), end=counted)

    found = series(tenant.client, metric="messages_sent", range=days, interval=interval)

    by_period = grouped(days, interval)
    assert [point["t"] for point in found["points"]] == [start.isoformat() for start in by_period]
    assert [point["value"] for point in found["points"]] == [raw.sent(group) for group in by_period.values()]
    starts = [date.fromisoformat(point["t"]) for point in found["points"]]
    if interval == "week":
        assert all(start.weekday() == 0 for start in starts)
        assert len(starts) >= 9
    else:
        assert all(start.day == 1 for start in starts)
        assert len(starts) in (2, 3)
    assert found["total"] == raw.sent(days_between(days.start, days.end))


def test_active_people_in_a_week_are_distinct_people_not_a_sum_of_days(
    workspace: tuple[TenantInfo, Raw], db_open: None
) -> None:
    tenant, raw = workspace
    counted = last_counted_day(tenant)
    days = Range(start=counted - timedelta(days=48), end=counted)

    weekly = series(tenant.client, metric="active_users", range=days, interval="week")
    daily = series(tenant.client, metric="active_users", range=days, interval="day")

    groups = grouped(days, "week")
    want = [len(raw.active_people(group)) for group in groups.values()]
    assert [point["value"] for point in weekly["points"]] == want
    assert weekly["total"] == len(raw.active_people(days_between(days.start, days.end)))
    assert [point["value"] for point in daily["points"]] == [len(raw.active.get(d, ())) for d in days.each_day()]
    # The test can tell a sum from a distinct count: the days' sum is larger.
    assert sum(point["value"] for point in daily["points"]) > weekly["total"]
    previous = days_between(days.previous.start, days.previous.end)
    assert weekly["previous_total"] == len(raw.active_people(previous))


def test_active_channels_by_week_are_distinct_channels(workspace: tuple[TenantInfo, Raw], db_open: None) -> None:
    tenant, raw = workspace
    counted = last_counted_day(tenant)
    days = Range(start=counted - timedelta(days=34), end=counted)

    found = series(tenant.client, metric="active_rooms", range=days, interval="week")

    groups = grouped(days, "week")
    want = [len({room for (day, room) in raw.by_room if day in group}) for group in groups.values()]
    assert [point["value"] for point in found["points"]] == want
    assert found["total"] == len({room for (day, room) in raw.by_room if days.start <= day <= days.end}) > 0


def test_counts_of_people_and_documents_and_the_storage_at_each_period_end(
    workspace: tuple[TenantInfo, Raw], db_open: None
) -> None:
    tenant, raw = workspace
    counted = last_counted_day(tenant)
    days = Range(start=counted - timedelta(days=70), end=counted)
    every_day = days_between(days.start, days.end)

    figures = overview(tenant.client, range=days, interval="month")["metrics"]

    assert figures["new_users"]["total"] == sum(raw.joined[day] for day in every_day)
    assert figures["documents_uploaded"]["total"] == sum(raw.uploads[day] for day in every_day) > 0
    zone = zoneinfo.ZoneInfo(tenant.client.time_zone)
    with schema_context(tenant.schema):
        sizes = list(Document.objects.values_list("created_at", "size"))

    def stored_by(day: date) -> int:
        return sum(size for created, size in sizes if created.astimezone(zone).date() <= day)

    points = figures["storage_bytes"]["points"]
    ends = [min(days.end, _month_end(date.fromisoformat(point["t"]))) for point in points]
    assert [point["value"] for point in points] == [stored_by(end) for end in ends]
    assert figures["storage_bytes"]["total"] == stored_by(days.end) > 0
    assert figures["storage_bytes"]["unit"] == "bytes"


def test_a_weeks_median_first_response_weighs_each_days_median_by_its_responses(
    workspace: tuple[TenantInfo, Raw], db_open: None
) -> None:
    tenant, _raw = workspace
    counted = last_counted_day(tenant)
    days = Range(start=counted - timedelta(days=27), end=counted)

    weekly = series(tenant.client, metric="first_response_seconds_median", range=days, interval="week")
    daily = series(tenant.client, metric="first_response_seconds_median", range=days, interval="day")

    zone = zoneinfo.ZoneInfo(tenant.client.time_zone)
    with schema_context(tenant.schema):
        counts = {
            (end.astimezone(zone).date() - timedelta(days=1)): value
            for end, value in TenantCount.objects.filter(property="first_responses:day").values_list(
                "end_time", "value"
            )
        }
    medians = {date.fromisoformat(p["t"]): p["value"] for p in daily["points"] if p["value"] is not None}
    assert medians, "the seeded conversations have answers"
    assert any(p["value"] is None for p in daily["points"]) or len(medians) == len(daily["points"])
    for point in weekly["points"]:
        start = date.fromisoformat(point["t"])
        week = [(value, counts[day]) for day, value in medians.items() if period_start(day, "week") == start]
        assert point["value"] == _lower_weighted_median(week)
    assert weekly["unit"] == "seconds"


def test_an_overview_reads_every_metric_in_a_handful_of_statements(
    workspace: tuple[TenantInfo, Raw], db_open: None
) -> None:
    tenant, raw = workspace
    days = last_days(tenant, 90)

    with CaptureQueriesContext(connection) as queries:
        found = overview(tenant.client, range=days, interval="week")

    assert len(queries) <= 4, [query["sql"][:80] for query in queries]
    assert list(found["metrics"]) == list(METRICS)
    assert found["filled_through"] == last_counted_day(tenant).isoformat()
    messages = found["metrics"]["messages_sent"]
    assert messages["total"] == raw.sent(days_between(days.start, last_counted_day(tenant)))


def test_top_people_and_rooms_are_ranked_by_their_messages(workspace: tuple[TenantInfo, Raw], db_open: None) -> None:
    tenant, raw = workspace
    days = last_days(tenant, 30)
    counted = days_between(days.start, last_counted_day(tenant))

    people = top(tenant.client, kind="people", range=days, limit=50)["results"]
    rooms = top(tenant.client, kind="rooms", range=days)["results"]

    sent_by: dict[int, int] = {}
    for (day, person), count in raw.by_person.items():
        if day in counted and person not in raw.bots:
            sent_by[person] = sent_by.get(person, 0) + count
    assert {row["id"]: row["messages"] for row in people if row["messages"]} == sent_by
    assert [row["messages"] for row in people] == sorted((row["messages"] for row in people), reverse=True)
    assert all(row["id"] not in raw.bots for row in people)
    assert all((row["name"], row["email"]) == raw.names[row["id"]] for row in people)
    in_room: dict[int, int] = {}
    for (day, room), count in raw.by_room.items():
        if day in counted:
            in_room[room] = in_room.get(room, 0) + count
    assert {row["id"]: row["messages"] for row in rooms} == in_room
    with schema_context(tenant.schema):
        daily = list(
            RoomCount.objects.filter(
                property__in=["first_response_seconds_median:day", "first_responses:day"],
                end_time__gt=day_end(days.start - timedelta(days=1), raw.zone),
            ).values_list("room_id", "end_time", "property", "value")
        )
    for row in rooms:
        mine = {(end, prop): value for room, end, prop, value in daily if room == row["id"]}
        pairs = [
            (value, mine[(end, "first_responses:day")])
            for (end, prop), value in mine.items()
            if prop == "first_response_seconds_median:day"
        ]
        assert row["first_response_seconds_median"] == _lower_weighted_median(pairs)
    assert any(row["first_response_seconds_median"] is not None for row in rooms)


def test_an_empty_workspace_answers_zeros_and_one_never_counted_answers_nothing(
    django_db_setup: None, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock(), fresh_workspace(prefix="qe") as tenant:
        days = last_days(tenant, 30)
        # given: never filled
        before = overview(tenant.client, range=days)
        assert before["filled_through"] is None
        assert all(m["points"] == [] and m["total"] is None for m in before["metrics"].values())

        # when: filled, with nothing but its owner
        fill_tenant(tenant.client)
        after = overview(tenant.client, range=days)

        # then
        assert after["filled_through"] == last_counted_day(tenant).isoformat()
        for name, figures in after["metrics"].items():
            values = {point["value"] for point in figures["points"]}
            if name == "first_response_seconds_median":
                assert values == {None} and figures["total"] is None
            else:
                assert values == {0} and len(figures["points"]) == 30, name
                assert figures["previous_total"] == 0
        assert top(tenant.client, kind="rooms", range=days)["results"] == []


def test_unknown_names_are_refused_in_words(workspace: tuple[TenantInfo, Raw], db_open: None) -> None:
    tenant, _raw = workspace
    days = last_days(tenant, 7)
    with pytest.raises(InvalidQuery, match="messages_sent"):
        series(tenant.client, metric="messages", range=days, interval="day")
    with pytest.raises(InvalidQuery, match="week"):
        series(tenant.client, metric="messages_sent", range=days, interval="year")
    with pytest.raises(InvalidQuery, match="people"):
        top(tenant.client, kind="bots", range=days)


def _month_end(start: date) -> date:
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _lower_weighted_median(pairs: list[tuple[int, int]]) -> int | None:
    """Written out again: expand each day's median by its count and take the lower middle."""
    expanded = sorted(value for value, count in pairs for _ in range(count))
    return expanded[(len(expanded) - 1) // 2] if expanded else None


def test_the_weighted_median_is_the_lower_middle_of_the_weighted_values() -> None:
    assert weighted_median([(10, 1), (100, 3)]) == 100
    assert weighted_median([(10, 2), (100, 2)]) == 10
    assert weighted_median([(5, 0)]) is None
    assert weighted_median([]) is None
