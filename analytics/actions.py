"""Writes to analytics from outside the fill: counting again what a change made wrong, or
everything from the first message."""

from __future__ import annotations

from django.db import connection, transaction

from analytics.locks import FILL_LOCK
from analytics.models import RoomCount, TenantCount, UserCount
from analytics.platform.models import ClientCount, FillState
from analytics.stats import STATS, Frequency, Stat
from tenants.db import in_tenant
from tenants.models import Client


def do_recount_days(client: Client) -> None:
    """Forget every daily figure of the workspace, so the next fill counts them again from its
    first data: days are the workspace's own, and its time zone just changed. Hourly figures
    (hours of UTC) stay."""
    _forget(client, [stat for stat in STATS if stat.frequency is Frequency.DAY])


def do_recount_all(client: Client) -> None:
    """Forget every figure of the workspace: the next fill is a backfill from its first data."""
    _forget(client, list(STATS))


def _forget(client: Client, stats: list[Stat]) -> None:
    """Delete the stats' rows (both schemas) and fill states in one transaction, holding the
    workspace's fill lock: a fill running now is waited for, and none starts meanwhile."""
    keys = [key for stat in stats for key in stat.keys]
    with in_tenant(client), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [FILL_LOCK, client.pk])
        for model in (UserCount, RoomCount, TenantCount):
            model.objects.filter(property__in=keys).delete()
        ClientCount.objects.filter(client=client, property__in=keys).delete()
        FillState.objects.filter(client=client, property__in=[stat.key for stat in stats]).delete()
