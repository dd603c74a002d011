"""The staff overview's totals equal the sum of each workspace's own figures: three new
workspaces with activity, filled as beat fills them, on different plans, in different zones."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import schema_context

from analytics.fill import fill_tenant
from analytics.models import TenantCount
from analytics.platform.selectors import totals
from analytics.platform.summary import month_start
from billing.models import Entitlement, Plan
from tenants.models import Client
from tests.support.analytics import build_activity, fresh_workspace
from tests.support.tenants import TenantInfo


@pytest.fixture
def workspaces(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[TenantInfo]]:
    with django_db_blocker.unblock(), ExitStack() as stack:
        yield [
            stack.enter_context(fresh_workspace(prefix="st", time_zone=zone))
            for zone in ("UTC", "Europe/Berlin", "America/Los_Angeles")
        ]


def own_figures(tenant: TenantInfo, now: Any) -> tuple[int, int]:
    """Messages this (UTC) month and storage, as the workspace's own rollups hold them."""
    with schema_context(tenant.schema):
        messages = TenantCount.objects.filter(property="messages_sent:hour", end_time__gt=month_start(now)).aggregate(
            n=Sum("value")
        )["n"]
        storage = (
            TenantCount.objects.filter(property="storage_bytes:day")
            .order_by("-end_time")
            .values_list("value", flat=True)
        ).first()
    return messages or 0, storage or 0


def test_staff_totals_equal_the_sum_of_each_workspaces_figures(
    workspaces: list[TenantInfo], django_db_blocker: Any
) -> None:
    # given: activity over the last 40 days in each, filled; the first pays for 4 Team seats a
    # month, the second for 2 Business seats a year, the third is on a trial
    now = timezone.now()
    with django_db_blocker.unblock():
        for seed, tenant in enumerate(workspaces):
            build_activity(tenant, random.Random(seed), start=now - timedelta(days=40), end=now - timedelta(minutes=5))
            fill_tenant(tenant.client, now=now)
        plans = {p.code: p for p in Plan.objects.all()}
        states = [("team", "active", "month", 4), ("business", "active", "year", 2), ("team", "trialing", "month", 9)]
        for tenant, (plan, status, interval, quantity) in zip(workspaces, states, strict=True):
            Entitlement.objects.filter(client=tenant.client).update(
                plan=plans[plan], status=status, interval=interval, quantity=quantity, is_comped=False
            )
        among = Client.objects.filter(pk__in=[t.client.pk for t in workspaces])

        # when
        found = totals(now=now, among=among)
        own = [own_figures(tenant, now) for tenant in workspaces]

    # then
    assert found.clients == 3
    assert found.messages_this_month == sum(messages for messages, _ in own) > 0
    assert found.storage_bytes == sum(storage for _, storage in own) > 0
    assert found.mrr_cents == 4 * plans["team"].monthly_price_cents + 2 * plans["business"].yearly_price_cents // 12
    assert (found.paying, found.trialing) == (2, 1)
