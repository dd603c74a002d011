"""Celery beat's analytics work: every tenant's stats filled, cheaply when nothing is new."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from analytics.fill import fill_tenant
from analytics.platform.models import FillState
from analytics.stats import STATS
from config.celery import app
from tenants.models import Client

logger = logging.getLogger(__name__)

# A tenant this far behind (or never filled) is filled by a task of its own, so a backfill of
# a year never holds up the hourly run of everyone else.
BEHIND = timedelta(days=2)


@app.task(name="analytics.fill_all", acks_late=True)
def fill_all() -> dict[str, int]:
    """Beat, every few minutes: `fill_due` now."""
    return fill_due(now=timezone.now())


def fill_due(*, now: datetime) -> dict[str, int]:
    """Tenants that are up to date but for the last period or two are filled here, one after
    another (a quiet tenant costs a few statements); tenants far behind get their own `fill_one`
    task. Returns how many went each way. `now` is a parameter so the benchmark can run the pass
    of a later hour."""
    progress = {
        row["client_id"]: row
        for row in FillState.objects.values("client_id").annotate(oldest=Min("end_time"), stats=Count("id"))
    }
    inline = queued = failed = 0
    for tenant in Client.objects.exclude(schema_name=get_public_schema_name()).order_by("pk"):
        row = progress.get(tenant.pk)
        if row is None or row["stats"] < len(STATS) or row["oldest"] < now - BEHIND:
            fill_one.delay(tenant.pk)
            queued += 1
            continue
        try:
            fill_tenant(tenant, now=now)
            inline += 1
        except Exception:
            # One tenant's failure (its state stays STARTED and is redone) stops no other.
            logger.exception("analytics: filling %s failed", tenant.schema_name)
            failed += 1
    return {"inline": inline, "queued": queued, "failed": failed}


@app.task(name="analytics.fill_one", acks_late=True)
def fill_one(client_id: int) -> dict[str, Any]:
    """One tenant brought up to date (a backfill, or a tenant far behind)."""
    tenant = Client.objects.filter(pk=client_id).first()
    if tenant is None:
        return {"filled": 0}
    report = fill_tenant(tenant)
    return {"filled": report.stats_filled, "moved_on": report.stats_moved_on, "locked": report.skipped_locked}
