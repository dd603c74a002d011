"""A real Celery worker killed in the middle of a stat: the stat is left STARTED, and the next
fill counts it again, so every rollup still equals the direct count and nothing is doubled."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from analytics.fill import fill_tenant
from analytics.locks import FILL_LOCK
from analytics.platform.models import FillState
from analytics.tasks import fill_one
from tests.support.analytics import (
    build_activity,
    differences,
    expected,
    fresh_workspace,
    public_copy,
    stored,
    targets,
    wait_until,
)
from tests.support.tenants import ROOT, TenantInfo, database_url_for_subprocess

QUEUE = f"analytics-kill-{os.getpid()}"


@pytest.fixture
def workspace(django_db_blocker: Any) -> Iterator[TenantInfo]:
    with django_db_blocker.unblock(), fresh_workspace(prefix="kill") as tenant:
        yield tenant


def start_worker() -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": settings.REDIS_URL,
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", QUEUE, "-P", "solo"]
    command += ["--without-gossip", "--without-mingle", "--loglevel", "WARNING", "-n", f"{QUEUE}@%h"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_worker_killed_mid_stat_leaves_it_started_and_the_next_fill_counts_it_once(
    workspace: TenantInfo, django_db_blocker: Any
) -> None:
    # given: two months of activity, and the workspace table of counts locked by another
    # session, so the worker stops inside its first stat's transaction, after its people and
    # room rows are written but before the workspace's
    now = timezone.now()
    with django_db_blocker.unblock():
        build_activity(workspace, random.Random(11), start=now - timedelta(days=60), end=now - timedelta(minutes=5))
        database = connection.settings_dict
    blocker = psycopg.connect(
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
        user=database["USER"] or "postgres",
        dbname=database["NAME"],
        password=database["PASSWORD"] or None,
    )
    blocker.execute(f'LOCK TABLE "{workspace.schema}".analytics_tenantcount IN ACCESS EXCLUSIVE MODE')
    worker = start_worker()
    try:
        with django_db_blocker.unblock():
            fill_one.apply_async(args=[workspace.client.pk], queue=QUEUE)

            def stuck() -> bool:
                state = FillState.objects.filter(client=workspace.client, property="messages_sent:hour").first()
                return state is not None and state.state == FillState.State.STARTED and _waiting_on_lock()

            wait_until(stuck, what="the worker to wait on the locked table")

        # when: the worker is killed there (SIGKILL: no clean-up of any kind)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
        blocker.rollback()
        blocker.close()

    with django_db_blocker.unblock():
        # The killed worker's server session ends once it finds its client gone (when the lock
        # it waited for is granted), taking its open transaction and its fill lock with it.
        wait_until(lambda: not _fill_lock_held(workspace.client.pk), what="the dead session to end")

        # then: the stat is left STARTED, before its first chunk
        state = FillState.objects.get(client=workspace.client, property="messages_sent:hour")
        assert state.state == FillState.State.STARTED

        # when: the next run
        fill_tenant(workspace.client, now=now)

        # then: all DONE and every figure equals the direct count
        assert set(FillState.objects.filter(client=workspace.client).values_list("state", flat=True)) == {"done"}
        want = expected(workspace.client, **targets(workspace, now))
        got = stored(workspace.client)
        assert not differences(want, got), "\n".join(differences(want, got)[:40])
        assert public_copy(workspace.client) == {k: v for k, v in got.items() if k[0] == "tenant"}


def _waiting_on_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
            ["%analytics_tenantcount%"],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _fill_lock_held(client_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s",
            [FILL_LOCK, client_id],
        )
        row = cursor.fetchone()
    return bool(row and row[0])
