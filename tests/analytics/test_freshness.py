"""Freshness: each stat's reach over every client, stale ones reported, on /healthz/analytics."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from analytics.fill import fill_tenant
from analytics.platform.freshness import freshness
from analytics.platform.models import FillState
from analytics.stats import STATS
from tests.support.analytics import build_activity, fresh_workspace
from tests.support.tenants import TenantInfo, host_client


@pytest.fixture
def workspace(django_db_blocker: Any) -> Iterator[TenantInfo]:
    with django_db_blocker.unblock(), fresh_workspace(prefix="fresh", time_zone="Asia/Kolkata") as tenant:
        yield tenant


def stale_counts() -> dict[str, tuple[int, int]]:
    return {stat.key: (stat.stale_clients, stat.stuck_clients) for stat in freshness().stats}


def test_a_filled_client_is_fresh_and_one_left_behind_is_reported(
    workspace: TenantInfo, django_db_blocker: Any
) -> None:
    now = timezone.now()
    with django_db_blocker.unblock():
        build_activity(workspace, random.Random(31), start=now - timedelta(days=3), end=now - timedelta(hours=1))
        fill_tenant(workspace.client, now=now)
        before = stale_counts()

        # when: its hourly messages stat is left three hours behind, and a daily one STARTED
        # long ago by a worker that never came back
        FillState.objects.filter(client=workspace.client, property="messages_sent:hour").update(
            end_time=now - timedelta(hours=4)
        )
        FillState.objects.filter(client=workspace.client, property="active_rooms:day").update(state="started")
        FillState.objects.filter(client=workspace.client, property="active_rooms:day").update(
            last_modified=now - timedelta(hours=5)
        )
        after = stale_counts()
        report = freshness()

    # then
    assert after["messages_sent:hour"][0] == before["messages_sent:hour"][0] + 1
    assert after["active_rooms:day"][1] == before["active_rooms:day"][1] + 1
    assert report.is_stale
    assert {stat.key for stat in report.stats} == {stat.key for stat in STATS}


def test_healthz_analytics_says_when_each_stat_was_filled(workspace: TenantInfo, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        fill_tenant(workspace.client)
        response = host_client("localhost").get("/healthz/analytics")
        expected_status = 503 if freshness().is_stale else 200

    body = response.json()
    assert response.status_code == expected_status
    assert set(body["stats"]) == {stat.key for stat in STATS}
    assert body["stats"]["messages_sent:hour"]["last_filled_at"] is not None
    assert body["status"] in {"ok", "stale"}
