"""Every rollup equals the same figure counted straight from the raw rows: after a normal run,
runs in steps, a backfill from nothing, a run interrupted mid-stat, and across time-zone
boundaries. The workspaces are new for each test and committed (the fill commits per chunk)."""

from __future__ import annotations

import random
import zoneinfo
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from analytics.fill import fill_target, fill_tenant, local_midnight
from analytics.models import RoomCount, TenantCount, UserCount
from analytics.platform.models import ClientActivity, ClientCount, FillState
from analytics.stats import BY_PROPERTY
from tenants.models import Client
from tenants.workspace_actions import do_update_workspace_settings
from tests.support.analytics import (
    assert_rollups_equal_direct_counts,
    build_activity,
    fresh_workspace,
)
from tests.support.tenants import TenantInfo

UTC = zoneinfo.ZoneInfo("UTC")


@pytest.fixture
def workspace(request: pytest.FixtureRequest, django_db_blocker: Any) -> Iterator[TenantInfo]:
    zone = getattr(request, "param", "Europe/Berlin")
    with django_db_blocker.unblock(), fresh_workspace(time_zone=zone) as tenant:
        yield tenant


def test_a_normal_run_equals_the_direct_counts(workspace: TenantInfo, django_db_blocker: Any) -> None:
    # given: 45 days of activity by people, a bot and a deleted account, reads and documents
    now = timezone.now()
    with django_db_blocker.unblock():
        build_activity(workspace, random.Random(1), start=now - timedelta(days=45), end=now - timedelta(minutes=5))

        # when
        report = fill_tenant(workspace.client, now=now)

        # then: every stat filled, every row right, and the summary staff sort on written
        assert report.stats_filled > 0
        assert_rollups_equal_direct_counts(workspace, now)
        states = FillState.objects.filter(client=workspace.client)
        assert {s.property for s in states} == set(BY_PROPERTY)
        assert all(s.state == FillState.State.DONE for s in states)
        activity = ClientActivity.objects.get(client=workspace.client)
        assert activity.messages_last_7_days > 0
        assert activity.last_activity_at is not None


def test_runs_in_steps_a_rerun_and_a_backfill_from_nothing_agree(workspace: TenantInfo, django_db_blocker: Any) -> None:
    now = timezone.now()
    with django_db_blocker.unblock():
        build_activity(workspace, random.Random(2), start=now - timedelta(days=40), end=now - timedelta(minutes=5))

        # when: filled as beat would, a day at a time over the last ten days, then run again
        fill_tenant(workspace.client, now=now - timedelta(days=10))
        for days_ago in range(9, -1, -1):
            fill_tenant(workspace.client, now=now - timedelta(days=days_ago))
        with schema_context(workspace.schema):
            count_before = TenantCount.objects.count()
        again = fill_tenant(workspace.client, now=now)

        # then: the same as counting once, and the rerun wrote nothing
        assert again.stats_filled == 0
        with schema_context(workspace.schema):
            assert TenantCount.objects.count() == count_before
        assert_rollups_equal_direct_counts(workspace, now)

        # when: everything counted is thrown away and filled again from the first message
        with schema_context(workspace.schema):
            for model in (TenantCount, UserCount, RoomCount):
                model.objects.all().delete()
        ClientCount.objects.filter(client=workspace.client).delete()
        FillState.objects.filter(client=workspace.client).delete()
        fill_tenant(workspace.client, now=now)

        # then
        assert_rollups_equal_direct_counts(workspace, now)


def test_new_rows_in_a_later_hour_are_counted_by_the_next_run(workspace: TenantInfo, django_db_blocker: Any) -> None:
    now = timezone.now()
    with django_db_blocker.unblock():
        build_activity(workspace, random.Random(3), start=now - timedelta(days=3), end=now - timedelta(hours=5))
        fill_tenant(workspace.client, now=now - timedelta(hours=4))
        build_activity(
            workspace, random.Random(4), start=now - timedelta(hours=4), end=now - timedelta(minutes=5), people=False
        )

        fill_tenant(workspace.client, now=now)

        assert_rollups_equal_direct_counts(workspace, now)


def test_a_stat_left_started_is_counted_again_not_twice(workspace: TenantInfo, django_db_blocker: Any) -> None:
    # given: a fill, then rows written past the filled end by a run that died before DONE
    now = timezone.now()
    with django_db_blocker.unblock():
        build_activity(workspace, random.Random(5), start=now - timedelta(days=5), end=now - timedelta(minutes=5))
        fill_tenant(workspace.client, now=now - timedelta(days=1))
        state = FillState.objects.get(client=workspace.client, property="messages_sent:hour")
        partial = state.end_time + timedelta(hours=1)
        with schema_context(workspace.schema):
            TenantCount.objects.create(property="messages_sent:hour", subgroup="people", end_time=partial, value=999)
        ClientCount.objects.create(
            client=workspace.client, property="messages_sent:hour", subgroup="people", end_time=partial, value=999
        )
        FillState.objects.filter(pk=state.pk).update(state=FillState.State.STARTED)

        # when
        fill_tenant(workspace.client, now=now)

        # then
        assert_rollups_equal_direct_counts(workspace, now)


@pytest.mark.parametrize("workspace", ["Asia/Kolkata", "America/New_York", "Pacific/Chatham"], indirect=True)
def test_days_are_the_workspaces_own_across_its_midnight(workspace: TenantInfo, django_db_blocker: Any) -> None:
    # given: messages a minute either side of the workspace's midnight three days ago (a
    # half-hour zone, a zone with daylight saving, a 45-minute zone)
    tz = zoneinfo.ZoneInfo(workspace.client.time_zone)
    now = timezone.now()
    midnight = local_midnight(now - timedelta(days=3), tz)
    with django_db_blocker.unblock():
        cast = build_activity(workspace, random.Random(6), start=now - timedelta(days=20), end=now - timedelta(days=6))
        from analytics.seeding import insert_messages

        with schema_context(workspace.schema):
            room, author = cast.rooms[0], cast.people[0]
            insert_messages(
                [
                    (room, author, midnight - timedelta(minutes=1), "late"),
                    (room, author, midnight + timedelta(minutes=1), "early"),
                    (room, author, midnight + timedelta(minutes=2), "early again"),
                ]
            )

        fill_tenant(workspace.client, now=now)

        # then: the day before midnight holds one, the day after two, and all else agrees
        assert_rollups_equal_direct_counts(workspace, now)
        with schema_context(workspace.schema):
            days = dict(
                TenantCount.objects.filter(property="messages_sent:day", subgroup="people").values_list(
                    "end_time", "value"
                )
            )
        next_midnight = local_midnight(midnight + timedelta(hours=30), tz)
        assert days[midnight] == 1
        assert days[next_midnight] == 2
        assert midnight.astimezone(tz).hour == 0


def test_changing_the_time_zone_counts_the_days_again(workspace: TenantInfo, django_db_blocker: Any) -> None:
    # given: days counted in Berlin
    now = timezone.now()
    with django_db_blocker.unblock():
        build_activity(workspace, random.Random(7), start=now - timedelta(days=10), end=now - timedelta(minutes=5))
        fill_tenant(workspace.client, now=now)

        # when: the owners move the workspace to Tokyo, and the next fill runs
        do_update_workspace_settings(
            client=workspace.client, open_signup=False, signup_domains="", time_zone="Asia/Tokyo"
        )
        fill_tenant(Client.objects.get(pk=workspace.client.pk), now=now)

        # then: every day is Tokyo's
        workspace.client.refresh_from_db()

        assert_rollups_equal_direct_counts(workspace, now)


def test_the_fill_lag_leaves_the_current_hour_alone(settings: Any) -> None:
    tz = zoneinfo.ZoneInfo("UTC")
    now = datetime(2026, 3, 1, 10, 1, tzinfo=UTC)
    assert settings.ANALYTICS_FILL_LAG_SECONDS >= 60
    assert fill_target(BY_PROPERTY["messages_sent:hour"], now, tz) == datetime(2026, 3, 1, 9, tzinfo=UTC)
    later = now + timedelta(seconds=settings.ANALYTICS_FILL_LAG_SECONDS)
    assert fill_target(BY_PROPERTY["messages_sent:hour"], later, tz) == datetime(2026, 3, 1, 10, tzinfo=UTC)


def test_a_stat_left_started_with_nothing_new_is_cleaned_and_done(
    workspace: TenantInfo, django_db_blocker: Any
) -> None:
    # given: a workspace counted up to now, then a stray row past the end by a run that died
    now = timezone.now()
    with django_db_blocker.unblock():
        build_activity(workspace, random.Random(8), start=now - timedelta(days=4), end=now - timedelta(hours=3))
        fill_tenant(workspace.client, now=now)
        state = FillState.objects.get(client=workspace.client, property="messages_sent:hour")
        with schema_context(workspace.schema):
            TenantCount.objects.create(
                property="messages_sent:hour", subgroup="bots", end_time=state.end_time + timedelta(hours=1), value=5
            )
        FillState.objects.filter(pk=state.pk).update(state=FillState.State.STARTED)

        # when: the next run, in the same hour and an hour on
        fill_tenant(workspace.client, now=now)
        fill_tenant(workspace.client, now=now + timedelta(hours=1))

        # then
        assert FillState.objects.get(pk=state.pk).state == FillState.State.DONE
        assert_rollups_equal_direct_counts(workspace, now + timedelta(hours=1))
