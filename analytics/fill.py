"""Filling the rollups: each stat of one tenant brought up to the last whole period.

In the manner of Zulip's `process_count_stat`, per (tenant, stat):
1. Read the stat's FillState. None yet: start at the period holding the workspace's first data
   (this is the backfill, from the first message on). STARTED: a run died while filling after
   `end_time`; its rows (if any were committed) are deleted and the periods counted again.
2. For each chunk of periods up to the target: mark STARTED (committed on its own), then in one
   transaction insert the chunk's counts, copy the workspace totals to the public table and
   mark DONE at the chunk's end. A worker killed at any point leaves either DONE (all rows in)
   or STARTED (step 1 cleans up), never rows counted twice.
3. A stat whose sources have no row dated after `end_time` has nothing to count: its state just
   moves on, without running its SQL (what keeps an hourly run over 1,000 quiet tenants cheap).

One fill per tenant at a time: a session advisory lock, released when the connection closes,
so a killed worker's lock goes with it. Daily periods end at the tenant's local midnights.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from analytics.locks import FILL_LOCK
from analytics.platform.models import FillState
from analytics.platform.summary import refresh_activity
from analytics.stats import DELETE_AFTER, FIRST_ROW, NEWEST_ROWS, STATS, Frequency, Source, Stat
from tenants.db import in_tenant
from tenants.models import Client

logger = logging.getLogger(__name__)


# Rows written by one fill past which the count tables are analysed at its end.
_ANALYZE_AFTER_ROWS = 5_000

# Periods per transaction in a backfill: small enough that a killed run loses little.
CHUNK = {Frequency.HOUR: timedelta(days=31), Frequency.DAY: timedelta(days=92)}


@dataclass
class FillReport:
    stats_filled: int = 0
    stats_moved_on: int = 0
    skipped_locked: bool = False
    rows_written: int = 0
    # The newest message, read or document seen (for the staff overview's last activity).
    last_activity_at: datetime | None = None


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo("UTC")).replace(minute=0, second=0, microsecond=0)


def local_midnight(moment: datetime, tz: zoneinfo.ZoneInfo) -> datetime:
    """The tenant's midnight at or before `moment`, as an aware instant."""
    local = moment.astimezone(tz)
    return datetime(local.year, local.month, local.day, tzinfo=tz).astimezone(zoneinfo.ZoneInfo("UTC"))


def next_period(end: datetime, frequency: Frequency, tz: zoneinfo.ZoneInfo) -> datetime:
    if frequency is Frequency.HOUR:
        return end + timedelta(hours=1)
    # A local day can be 23 or 25 hours: step on the local calendar, not by 24 hours.
    local = end.astimezone(tz)
    nxt = datetime(local.year, local.month, local.day, tzinfo=tz) + timedelta(days=1)
    return datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).astimezone(zoneinfo.ZoneInfo("UTC"))


def fill_target(stat: Stat, now: datetime, tz: zoneinfo.ZoneInfo) -> datetime:
    """The end of the last whole period a fill at `now` may count: periods that ended at least
    ANALYTICS_FILL_LAG ago, so rows written in a period's last moments (a send committed just
    after the hour) are in before it is counted."""
    settled = now - timedelta(seconds=settings.ANALYTICS_FILL_LAG_SECONDS)
    if stat.frequency is Frequency.HOUR:
        return floor_hour(settled)
    return local_midnight(settled, tz)


def tenant_zone(tenant: Client) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(tenant.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def fill_tenant(tenant: Client, *, now: datetime | None = None, stats: tuple[Stat, ...] = STATS) -> FillReport:
    """Bring every stat of `tenant` up to date. Safe to run at any time, twice, or after a run
    that was killed."""
    now = now or timezone.now()
    report = FillReport()
    with in_tenant(tenant):
        if not _try_lock(tenant):
            report.skipped_locked = True
            return report
        with connection.cursor() as cursor:
            # Commits that do not wait for the disk: a crash can lose only the last few, and
            # each carries its rows with its fill state, so a lost one is simply counted again.
            # A quiet tenant's pass is then a few statements, not a few disk flushes.
            cursor.execute("SET synchronous_commit = off")
        try:
            _fill_locked(tenant, now, stats, report)
            if report.stats_filled or report.stats_moved_on:
                refresh_activity(tenant, now=now, last_activity_at=report.last_activity_at)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
            _unlock(tenant)
    return report


def _fill_locked(tenant: Client, now: datetime, stats: tuple[Stat, ...], report: FillReport) -> None:
    tz = tenant_zone(tenant)
    states = {state.property: state for state in FillState.objects.filter(client=tenant)}
    if _zone_changed(states, tz):
        # Days counted in the old zone end at the wrong midnights: count them all again.
        from analytics.actions import do_recount_days

        do_recount_days(tenant)
        states = {state.property: state for state in FillState.objects.filter(client=tenant)}
    newest = _newest(stats)
    seen = [newest.get(source) for source in (Source.MESSAGES, Source.READS, Source.DOCUMENTS)]
    report.last_activity_at = max((moment - _SETTLE for moment in seen if moment is not None), default=None)
    first: datetime | None = None
    moved: dict[datetime, list[int]] = {}
    for stat in stats:
        target = fill_target(stat, now, tz)
        if stat.depends_on is not None:
            dependency = states.get(stat.depends_on)
            if dependency is None or dependency.state != FillState.State.DONE:
                continue
            target = min(target, dependency.end_time)
        state = states.get(stat.key)
        if state is None:
            if first is None:
                first = _first_data(tenant)
            start = _period_start(first, stat.frequency, tz)
            state = FillState.objects.create(
                client=tenant, property=stat.key, end_time=start, state=FillState.State.DONE
            )
            states[stat.key] = state
        elif state.state == FillState.State.STARTED:
            _delete_after(tenant, stat, state)
        if state.end_time >= target:
            continue
        if stat.sources and not _anything_since(newest, stat.sources, state.end_time):
            # Nothing dated after what is filled: every period to the target counts zero. The
            # states move on together below (one statement, the usual case for a quiet tenant).
            state.end_time, state.state = target, FillState.State.DONE
            moved.setdefault(target, []).append(state.pk)
            report.stats_moved_on += 1
            continue
        while state.end_time < target:
            chunk_end = min(target, _chunk_end(state.end_time, stat.frequency, tz))
            report.rows_written += _fill_chunk(tenant, stat, state, chunk_end, tz)
        report.stats_filled += 1
    for target, pks in moved.items():
        # DONE also for a state left STARTED: what it left was deleted above, and nothing is new.
        FillState.objects.filter(pk__in=pks).update(
            end_time=target, state=FillState.State.DONE, last_modified=timezone.now()
        )
    if report.rows_written >= _ANALYZE_AFTER_ROWS:
        # A backfill: the planner must know the tables grew before the dashboard reads them
        # (without statistics it guesses a handful of rows and sorts a year's on disk).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE analytics_usercount, analytics_roomcount, analytics_tenantcount")


def _anything_since(newest: dict[Source, datetime | None], sources: tuple[Source, ...], end: datetime) -> bool:
    """Whether any of `sources` has a row dated at or after `end` (give or take _SETTLE)."""
    return any((moment := newest.get(source)) is not None and moment >= end for source in sources)


def _zone_changed(states: dict[str, FillState], tz: zoneinfo.ZoneInfo) -> bool:
    """Whether a daily stat was filled to an instant that is not a midnight of the workspace's
    zone now (its owners changed the zone since)."""
    return any(local_midnight(state.end_time, tz) != state.end_time for key, state in states.items() if key in _DAILY)


_DAILY = frozenset(stat.key for stat in STATS if stat.frequency is Frequency.DAY)


def _fill_chunk(tenant: Client, stat: Stat, state: FillState, end: datetime, tz: zoneinfo.ZoneInfo) -> int:
    """Count (start, end] of `stat`; returns how many rows it wrote in the tenant's schema."""
    start = state.end_time
    written = 0
    _mark(state, state.end_time, FillState.State.STARTED)
    params: dict[str, Any] = {"start": start, "end": end, "tz": str(tz.key), "property": stat.key}
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in stat.statements:
            cursor.execute(statement, params)
            written += max(cursor.rowcount, 0)
        cursor.execute(
            """INSERT INTO public.analytics_platform_clientcount (client_id, property, subgroup, end_time, value)
               SELECT %(client)s, property, subgroup, end_time, value FROM analytics_tenantcount
               WHERE property = ANY(%(properties)s) AND end_time > %(start)s AND end_time <= %(end)s""",
            {"client": tenant.pk, "properties": list(stat.keys), "start": start, "end": end},
        )
        _mark(state, end, FillState.State.DONE)
    return written


def _delete_after(tenant: Client, stat: Stat, state: FillState) -> None:
    """Remove whatever an interrupted fill left past the state's end (the last period known
    complete), and mark it DONE there, which it then truly is: both in one transaction."""
    params: dict[str, Any] = {"properties": list(stat.keys), "end": state.end_time, "client": tenant.pk}
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in DELETE_AFTER:
            cursor.execute(statement, params)
        cursor.execute(
            "DELETE FROM public.analytics_platform_clientcount "
            "WHERE client_id = %(client)s AND property = ANY(%(properties)s) AND end_time > %(end)s",
            params,
        )
        _mark(state, state.end_time, FillState.State.DONE)
    logger.info(
        "analytics: %s of %s was interrupted; counting again after %s", stat.key, tenant.schema_name, state.end_time
    )


def _mark(state: FillState, end: datetime, value: str) -> None:
    state.end_time = end
    state.state = value
    state.save(update_fields=["end_time", "state", "last_modified"])


def _chunk_end(start: datetime, frequency: Frequency, tz: zoneinfo.ZoneInfo) -> datetime:
    if frequency is Frequency.HOUR:
        return start + CHUNK[frequency]
    return local_midnight(start + CHUNK[frequency], tz)


def _period_start(moment: datetime, frequency: Frequency, tz: zoneinfo.ZoneInfo) -> datetime:
    if frequency is Frequency.HOUR:
        return floor_hour(moment)
    return local_midnight(moment, tz)


# Rows can be dated slightly out of id order (a send's time is taken before its insert), so
# "nothing new" is only trusted when the newest row is this much older than what is filled.
_SETTLE = timedelta(minutes=1)


def _newest(stats: tuple[Stat, ...]) -> dict[Source, datetime | None]:
    with connection.cursor() as cursor:
        cursor.execute(NEWEST_ROWS)
        row = cursor.fetchone()
    assert row is not None
    return {source: (value + _SETTLE if value is not None else None) for source, value in zip(Source, row, strict=True)}


def _first_data(tenant: Client) -> datetime:
    """When the workspace's data begins: its first message, person, read or document, or its
    creation, whichever is earliest."""
    with connection.cursor() as cursor:
        cursor.execute(FIRST_ROW)
        row = cursor.fetchone()
    found = row[0] if row else None
    candidates = [moment for moment in (found, tenant.created_at) if moment is not None]
    return min(candidates) if candidates else timezone.now()


def _try_lock(tenant: Client) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [FILL_LOCK, tenant.pk])
        row = cursor.fetchone()
    return bool(row and row[0])


def _unlock(tenant: Client) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [FILL_LOCK, tenant.pk])
