"""Beat's fill: tenants far behind go to a task of their own (on a real worker), the rest are
filled in the run; one fill per tenant at a time; a quiet hour only moves the states on."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from subprocess import Popen
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.fill import fill_tenant
from analytics.locks import FILL_LOCK
from analytics.platform.models import FillState
from analytics.stats import STATS
from analytics.tasks import fill_all
from tests.support.analytics import build_activity, fresh_workspace, wait_until
from tests.support.tenants import TenantInfo


@pytest.fixture
def workspaces(django_db_blocker: Any) -> Iterator[tuple[TenantInfo, TenantInfo]]:
    with django_db_blocker.unblock(), fresh_workspace(prefix="beat") as one, fresh_workspace(prefix="beat") as two:
        yield one, two


def test_beat_sends_a_new_tenant_to_its_own_task_and_fills_a_current_one_in_the_run(
    workspaces: tuple[TenantInfo, TenantInfo], celery_worker: Popen[bytes], django_db_blocker: Any
) -> None:
    new, current = workspaces
    now = timezone.now()
    with django_db_blocker.unblock():
        build_activity(new, random.Random(21), start=now - timedelta(days=20), end=now - timedelta(hours=1))
        build_activity(current, random.Random(22), start=now - timedelta(days=20), end=now - timedelta(hours=1))
        fill_tenant(current.client, now=now - timedelta(hours=3))

        # when
        outcome = fill_all()

        # then: the never-filled one was queued and the worker filled it; the other is current
        assert outcome["queued"] >= 1 and outcome["failed"] == 0
        wait_until(
            lambda: FillState.objects.filter(client=new.client, state="done").count() == len(STATS),
            what="the worker to fill the new workspace",
            # every workspace the test database holds that was never filled is queued before it
            timeout=240,
        )
        hourly = FillState.objects.get(client=current.client, property="messages_sent:hour")
        assert hourly.end_time >= now - timedelta(hours=1, minutes=3)


def test_a_tenant_being_filled_elsewhere_is_skipped(
    workspaces: tuple[TenantInfo, TenantInfo], django_db_blocker: Any
) -> None:
    tenant, _ = workspaces
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"] or "postgres",
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [FILL_LOCK, tenant.client.pk])
        with django_db_blocker.unblock():
            report = fill_tenant(tenant.client)
            assert report.skipped_locked
            assert not FillState.objects.filter(client=tenant.client).exists()


def test_a_quiet_hour_moves_the_states_on_without_counting(
    workspaces: tuple[TenantInfo, TenantInfo], django_db_blocker: Any
) -> None:
    tenant, _ = workspaces
    now = timezone.now()
    with django_db_blocker.unblock():
        build_activity(tenant, random.Random(23), start=now - timedelta(days=5), end=now - timedelta(hours=6))
        fill_tenant(tenant.client, now=now - timedelta(hours=1))

        with CaptureQueriesContext(connection) as queries:
            report = fill_tenant(tenant.client, now=now)

        # then: the hourly stats moved on without their SQL, in a handful of statements
        assert report.stats_filled == 0 or report.stats_moved_on > 0
        hourly = FillState.objects.get(client=tenant.client, property="messages_sent:hour")
        assert hourly.end_time > now - timedelta(hours=1)
        assert not [q for q in queries.captured_queries if "INSERT INTO analytics_usercount" in q["sql"]]
