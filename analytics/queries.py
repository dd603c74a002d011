"""The dashboard's reads: a metric's series over a range of days, every metric at once, and the
busiest channels and people. Read from the rollups only (never the raw messages): the
workspace's daily rows, and the per-person and per-channel daily rows where a period needs
distinct people or channels.

Precondition, as everywhere in analytics: the rollups read are `tenant`'s own; each read enters
its schema (`in_tenant`), so a caller cannot read one workspace's rows for another.

Days not counted yet (after the fill states' end) are left out, never shown as zeros: the points
stop at `filled_through`, the last local day every stat read has been counted for.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection

from analytics.fill import tenant_zone
from analytics.leaders import TOP_LIMIT_MAX, top_people, top_rooms
from analytics.metrics import BY_NAME, METRICS, RESPONSES, Kind, Metric, weighted_median
from analytics.platform.models import FillState
from analytics.ranges import (
    INTERVALS,
    InvalidQuery,
    Range,
    day_end,
    parse_interval,
    parse_range,
    period_start,
    periods,
    today_for,
)
from tenants.db import in_tenant
from tenants.models import Client

__all__ = [
    "INTERVALS",
    "KINDS",
    "METRICS",
    "InvalidQuery",
    "Range",
    "overview",
    "parse_range",
    "series",
    "today_for",
    "top",
]

KINDS = ("rooms", "people")
_PEOPLE_METRICS = ("messages_sent", "messages_read", "documents_uploaded")
# The per-channel rows that say a channel was active on a day.
ROOM_ACTIVITY = "messages_sent:day"

# A day's row ends at the local midnight that starts the next day (`day_end`): the day is the
# local date of its end, less one (right too where that midnight does not exist and PostgreSQL
# puts the end at 01:00). Reads bound end_time by exact instants, so the (property, end_time)
# indexes do the picking and no row is converted just to be filtered.
_TENANT_ROWS = """
    SELECT property, subgroup, (end_time AT TIME ZONE %(tz)s)::date - 1 AS day, value FROM analytics_tenantcount
    WHERE property = ANY(%(properties)s) AND end_time > %(lo)s AND end_time <= %(hi)s
"""

# Who was active in each segment (a period of the range or of the previous one), by width_bucket
# over the segments' edges, and how many distinct ones over each whole range (-1 the previous,
# -2 the current). The per-segment pairs are made distinct first, so the totals count few rows.
_DISTINCT_PARTS = {
    "active_users": "SELECT 'active_users' AS metric, user_id AS who, end_time FROM analytics_usercount "
    "WHERE property = 'active_users:day' AND end_time >= %(lo)s AND end_time < %(hi)s",
    "active_rooms": "SELECT 'active_rooms' AS metric, room_id AS who, end_time FROM analytics_roomcount "
    "WHERE property = 'messages_sent:day' AND end_time >= %(lo)s AND end_time < %(hi)s",
}
_DISTINCT = """
    WITH hits AS (
        SELECT metric, width_bucket(end_time, %(edges)s::timestamptz[]) AS bucket, who
        FROM ({parts}) counted
        GROUP BY 1, 2, 3
    )
    SELECT metric, bucket, count(*) FROM hits GROUP BY 1, 2
    UNION ALL
    SELECT metric, CASE WHEN bucket > %(split)s THEN -2 ELSE -1 END, count(DISTINCT who) FROM hits GROUP BY 1, 2
"""


@dataclass
class _Rows:
    """What one read fetched: daily values by (property, subgroup) and day, and the distinct
    counts by (metric, current range?, period start or None for the whole range)."""

    daily: dict[tuple[str, str], dict[date, int]] = field(default_factory=lambda: defaultdict(dict))
    distinct: dict[tuple[str, bool, date | None], int] = field(default_factory=dict)
    _summed: dict[str, dict[date, int]] = field(default_factory=dict)

    def day_values(self, prop: str) -> dict[date, int]:
        """A property's daily values, its subgroups added up (worked out once a read)."""
        if prop in self._summed:
            return self._summed[prop]
        found: dict[date, int] = defaultdict(int)
        for (name, _subgroup), days in self.daily.items():
            if name == prop:
                for day, value in days.items():
                    found[day] += value
        self._summed[prop] = found
        return found


def series(tenant: Client, *, metric: str, range: Range, interval: str) -> dict[str, Any]:
    """One metric over `range` by `interval`, with the previous range of as many days."""
    chosen = _metric(metric)
    interval = parse_interval(interval)

    def compute(ends: dict[str, datetime]) -> dict[str, Any]:
        through = _filled_through(tenant, [chosen], ends)
        rows = _read(tenant, [chosen], range, interval, through)
        return _series(chosen, rows, range, interval, through)

    with in_tenant(tenant):
        return _remembered(tenant, f"series:{chosen.name}:{range.start}:{range.end}:{interval}", compute)


def overview(tenant: Client, *, range: Range, interval: str = "day") -> dict[str, Any]:
    """Every metric over `range` (one read of all their daily rows), cut at one common
    `filled_through` so the figures agree with each other."""
    interval = parse_interval(interval)
    chosen = [BY_NAME[name] for name in METRICS]

    def compute(ends: dict[str, datetime]) -> dict[str, Any]:
        through = _filled_through(tenant, chosen, ends)
        rows = _read(tenant, chosen, range, interval, through)
        return {
            "from": range.start.isoformat(),
            "to": range.end.isoformat(),
            "interval": interval,
            "filled_through": _iso(through),
            "metrics": {metric.name: _series(metric, rows, range, interval, through) for metric in chosen},
        }

    with in_tenant(tenant):
        return _remembered(tenant, f"overview:{range.start}:{range.end}:{interval}", compute)


# How long an answer is kept at most; it is never served once a fill has moved on (the key
# carries the fill states' version), so this only bounds the memory a range nobody asks again
# holds.
REMEMBER_SECONDS = 60 * 60


def _remembered(tenant: Client, what: str, compute: Callable[[dict[str, datetime]], dict[str, Any]]) -> dict[str, Any]:
    """`compute(ends)` (`ends`: each stat's fill end), kept in the cache under the version of
    the workspace's fill states. The figures read come only from rows a fill writes, and every
    fill that writes (or forgets) changes a state, so an answer kept under the current version
    is the answer now. The key carries the schema too (django-tenants' cache key), so it can
    never answer another tenant."""
    states = list(FillState.objects.filter(client_id=tenant.pk).values_list("property", "end_time", "last_modified"))
    # Only daily rows are read, and only daily stats' fills write them: the hourly stats, whose
    # states move on every hour, leave a kept answer standing (so it lasts the day).
    daily = [(prop, modified) for prop, _end, modified in states if prop.endswith(":day")]
    changed = max((modified for _prop, modified in daily), default=None)
    stamp = f"{changed.timestamp() if changed else 0}:{len(daily)}"
    key = f"analytics:{tenant.pk}:{stamp}:{what}"
    found = cache.get(key)
    if found is None:
        found = compute({prop: end for prop, end, _modified in states})
        cache.set(key, found, REMEMBER_SECONDS)
    return found


def top(tenant: Client, *, kind: str, range: Range, limit: int = 10) -> dict[str, Any]:
    """The busiest channels (by messages; direct messages left out) or people (by messages,
    then reads and uploads; bots left out) over `range`."""
    if kind not in KINDS:
        raise InvalidQuery(f"Unknown kind {kind[:40]!r}; use one of: {', '.join(KINDS)}.", "unknown_kind")
    limit = max(1, min(limit, TOP_LIMIT_MAX))

    def compute(ends: dict[str, datetime]) -> dict[str, Any]:
        read = ("messages_sent", "first_response_seconds_median") if kind == "rooms" else _PEOPLE_METRICS
        through = _filled_through(tenant, [BY_NAME[name] for name in read], ends)
        last = range.end if through is None else min(range.end, through)
        results: list[dict[str, Any]] = []
        if through is not None and last >= range.start:
            zone = tenant_zone(tenant)
            params = {"lo": day_end(range.start - timedelta(days=1), zone), "hi": day_end(last, zone), "limit": limit}
            results = top_rooms(params) if kind == "rooms" else top_people(params)
        return {
            "kind": kind,
            "from": range.start.isoformat(),
            "to": range.end.isoformat(),
            "filled_through": _iso(through),
            "results": results,
        }

    with in_tenant(tenant):
        return _remembered(tenant, f"top:{kind}:{range.start}:{range.end}:{limit}", compute)


def _metric(name: str) -> Metric:
    found = BY_NAME.get(name)
    if found is None:
        raise InvalidQuery(f"Unknown metric {name[:40]!r}; use one of: {', '.join(METRICS)}.", "unknown_metric")
    return found


def _filled_through(tenant: Client, metrics: Iterable[Metric], states: dict[str, datetime]) -> date | None:
    """The last local day every stat behind `metrics` has been counted for (None: one of them
    has never been filled). A fill state's end is the local midnight ending its last day."""
    keys = {metric.property for metric in metrics}
    if "active_rooms:day" in keys:
        keys.add(ROOM_ACTIVITY)
    ends = {key: states[key] for key in keys if key in states}
    if set(ends) != keys:
        return None
    zone = tenant_zone(tenant)
    return min(ends.values()).astimezone(zone).date() - timedelta(days=1)


def _read(tenant: Client, metrics: list[Metric], days: Range, interval: str, through: date | None) -> _Rows:
    rows = _Rows()
    first, last = days.previous.start, days.end if through is None else min(days.end, through)
    if through is None or last < first:
        return rows
    zone = tenant_zone(tenant)
    properties = {metric.property for metric in metrics}
    if any(metric.kind is Kind.MEDIAN for metric in metrics):
        properties.add(RESPONSES)
    params: dict[str, Any] = {
        "tz": zone.key,
        "lo": day_end(first - timedelta(days=1), zone),
        "hi": day_end(last, zone),
        "properties": sorted(properties),
    }
    with connection.cursor() as cursor:
        cursor.execute(_TENANT_ROWS, params)
        for prop, subgroup, day, value in cursor.fetchall():
            rows.daily[(prop, subgroup)][day] = value
        distinct = [metric.name for metric in metrics if metric.kind is Kind.DISTINCT]
        if distinct:
            _read_distinct(cursor, rows, distinct, days, interval, through, zone)
    return rows


def _read_distinct(
    cursor: Any, rows: _Rows, names: list[str], days: Range, interval: str, through: date, zone: ZoneInfo
) -> None:
    """Distinct people or channels per period (week, month) and over each whole range. By day
    the workspace's daily rows say it already, so then only the two ranges are segments."""
    segments: list[tuple[bool, date | None, date]] = []  # (current range?, period or None, first day)
    for current, span in ((False, days.previous), (True, days)):
        if interval == "day":
            segments += [(current, None, span.start)] if span.start <= through else []
        else:
            segments += [(current, start, max(start, span.start)) for start in periods(span, interval, through=through)]
    if not segments:
        return
    last = min(days.end, through)
    # A segment's rows end from its first day's end on, up to the next segment's first day's.
    edges = [day_end(first, zone) for _current, _start, first in segments]
    edges.append(day_end(last, zone) + timedelta(microseconds=1))
    parts = " UNION ALL ".join(_DISTINCT_PARTS[name] for name in names)
    split = sum(1 for current, _start, _first in segments if not current)
    # Put together from this module's fragments only; the values go as parameters.
    cursor.execute(
        _DISTINCT.format(parts=parts),  # nosec B608
        {"edges": edges, "lo": edges[0], "hi": edges[-1], "split": split},
    )
    for name, bucket, count in cursor.fetchall():
        if bucket < 0:
            rows.distinct[(name, bucket == -2, None)] = count
        elif 1 <= bucket <= len(segments):
            current, start, _first = segments[bucket - 1]
            if start is not None:
                rows.distinct[(name, current, start)] = count


def _series(metric: Metric, rows: _Rows, days: Range, interval: str, through: date | None) -> dict[str, Any]:
    current, current_total = _points(metric, rows, days, interval, through, current=True)
    previous, previous_total = _points(metric, rows, days.previous, interval, through, current=False)
    return {
        "metric": metric.name,
        "interval": interval,
        "from": days.start.isoformat(),
        "to": days.end.isoformat(),
        "filled_through": _iso(through),
        "points": current,
        "previous": previous,
        "total": current_total,
        "previous_total": previous_total,
        "unit": metric.unit,
        "label": metric.label,
        "help": metric.help,
    }


def _points(
    metric: Metric, rows: _Rows, days: Range, interval: str, through: date | None, *, current: bool
) -> tuple[list[dict[str, Any]], int | None]:
    """The range's points (one per period, every period present) and its total."""
    starts, counted, by_period = _calendar(days, interval, through)
    if not starts:
        return [], None
    values = rows.day_values(metric.property)
    weights = rows.day_values(RESPONSES) if metric.kind is Kind.MEDIAN else {}

    def value(chosen: list[date], period: date | None) -> int | None:
        """The metric over `chosen` days: one period's, or the whole range's (period None)."""
        if metric.kind is Kind.SUM:
            return sum(values.get(day, 0) for day in chosen)
        if metric.kind is Kind.SNAPSHOT:
            return values.get(chosen[-1], 0)
        if metric.kind is Kind.MEDIAN:
            return weighted_median([(values[day], weights.get(day, 0)) for day in chosen if day in values])
        if interval == "day" and period is not None:
            return values.get(period, 0)  # one day: the workspace's own row for it
        return rows.distinct.get((metric.name, current, period), 0)

    points: list[dict[str, Any]] = [
        {"t": start.isoformat(), "value": value(by_period[start], start)} for start in starts
    ]
    if metric.name == "messages_sent":
        people, bots = rows.daily[(metric.property, "people")], rows.daily[(metric.property, "bots")]
        for point, start in zip(points, starts, strict=True):
            point["people"] = sum(people.get(day, 0) for day in by_period[start])
            point["bots"] = sum(bots.get(day, 0) for day in by_period[start])
    return points, value(counted, None)


@functools.lru_cache(maxsize=64)
def _calendar(
    days: Range, interval: str, through: date | None
) -> tuple[list[date], list[date], dict[date, list[date]]]:
    """The range's period starts, its counted days and the days of each period: the same for
    every metric of a request, so worked out once (a year by day is 365 periods)."""
    starts = periods(days, interval, through=through)
    if not starts:
        return [], [], {}
    last = min(days.end, through) if through is not None else days.end
    counted = list(Range(start=days.start, end=last).each_day())
    by_period: dict[date, list[date]] = defaultdict(list)
    for day in counted:
        by_period[period_start(day, interval)].append(day)
    return starts, counted, dict(by_period)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None
