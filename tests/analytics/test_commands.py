"""The operators' commands: fill (or count again from the first message) and check freshness."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from analytics.platform.models import FillState
from analytics.stats import STATS
from tests.support.analytics import assert_rollups_equal_direct_counts, build_activity, fresh_workspace
from tests.support.tenants import TenantInfo


@pytest.fixture
def workspace(django_db_blocker: Any) -> Iterator[TenantInfo]:
    with django_db_blocker.unblock(), fresh_workspace(prefix="cmd") as tenant:
        yield tenant


def test_fill_then_recount_from_the_first_message(workspace: TenantInfo, django_db_blocker: Any) -> None:
    now = timezone.now()
    with django_db_blocker.unblock():
        build_activity(workspace, random.Random(41), start=now - timedelta(days=30), end=now - timedelta(minutes=5))
        out = io.StringIO()
        call_command("analytics_fill", workspace.client.slug, stdout=out)
        assert f"{workspace.client.slug}: {len(STATS)} stats counted" in out.getvalue()
        first = set(FillState.objects.filter(client=workspace.client).values_list("pk", flat=True))

        call_command("analytics_fill", workspace.client.slug, "--recount", stdout=io.StringIO())

        # then: new states (everything was forgotten) and the same right figures
        again = set(FillState.objects.filter(client=workspace.client).values_list("pk", flat=True))
        assert again and not (again & first)
        assert_rollups_equal_direct_counts(workspace, timezone.now())


def test_fill_refuses_an_unknown_workspace(django_db_blocker: Any) -> None:
    with django_db_blocker.unblock(), pytest.raises(CommandError, match="no-such-place"):
        call_command("analytics_fill", "no-such-place", stdout=io.StringIO())


def test_check_lists_every_stat_and_fails_when_one_is_stale(workspace: TenantInfo, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        call_command("analytics_fill", workspace.client.slug, stdout=io.StringIO())
        FillState.objects.filter(client=workspace.client, property="messages_sent:hour").update(
            end_time=timezone.now() - timedelta(days=1)
        )
        out = io.StringIO()
        with pytest.raises(CommandError, match="stale"):
            call_command("analytics_check", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("STALE messages_sent:hour") for line in lines)
    assert all(any(stat.key in line for line in lines) for stat in STATS)
