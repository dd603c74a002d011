"""Writes to analytics from outside the fill: counting again what a change made wrong."""

from __future__ import annotations

from django.db import transaction

from analytics.models import RoomCount, TenantCount, UserCount
from analytics.platform.models import ClientCount, FillState
from analytics.stats import STATS, Frequency
from tenants.db import in_tenant
from tenants.models import Client


def do_recount_days(client: Client) -> None:
    """Forget every daily figure of the workspace, so the next fill counts them again from its
    first data: days are the workspace's own, and its time zone just changed. Hourly figures
    (hours of UTC) stay. Runs in one transaction with the fill state reset."""
    properties = [p for stat in STATS if stat.frequency is Frequency.DAY for p in stat.keys]
    with in_tenant(client), transaction.atomic():
        for model in (UserCount, RoomCount, TenantCount):
            model.objects.filter(property__in=properties).delete()
        ClientCount.objects.filter(client=client, property__in=properties).delete()
        FillState.objects.filter(
            client=client, property__in=[s.key for s in STATS if s.frequency is Frequency.DAY]
        ).delete()
