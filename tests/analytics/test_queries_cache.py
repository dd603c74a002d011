"""Answers kept in the cache: never another workspace's, never older than the last fill."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from analytics.fill import fill_tenant
from analytics.queries import overview, parse_range, today_for
from tests.support.analytics import build_activity, fresh_workspace
from tests.support.tenants import TenantInfo


@pytest.fixture
def pair(django_db_blocker: Any) -> Iterator[tuple[TenantInfo, TenantInfo]]:
    with django_db_blocker.unblock(), fresh_workspace(prefix="ca") as a, fresh_workspace(prefix="cb") as b:
        yield a, b


def sent(tenant: TenantInfo) -> int | None:
    days = parse_range({"range": "30"}, today=today_for(tenant.client))
    return overview(tenant.client, range=days)["metrics"]["messages_sent"]["total"]  # type: ignore[no-any-return]


def test_a_kept_answer_is_the_workspaces_own_and_goes_with_the_next_fill(
    pair: tuple[TenantInfo, TenantInfo], django_db_blocker: Any
) -> None:
    a, b = pair
    now = timezone.now()
    with django_db_blocker.unblock():
        build_activity(a, random.Random(51), start=now - timedelta(days=10), end=now - timedelta(days=2), messages=120)
        build_activity(b, random.Random(52), start=now - timedelta(days=10), end=now - timedelta(days=2), messages=40)
        fill_tenant(a.client, now=now - timedelta(days=5))
        fill_tenant(b.client, now=now)

        # the same question of both, twice each (the second from the cache); a is counted
        # only up to five days ago
        early_a, first_b = sent(a), sent(b)
        assert (sent(a), sent(b)) == (early_a, first_b)
        assert early_a is not None and early_a < 120 and first_b == 40

        # when: a's fill catches up
        fill_tenant(a.client, now=now)

        # then: the kept answer is not served any more
        assert sent(a) == 120
        assert sent(b) == 40
