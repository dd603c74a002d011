"""How fresh each stat is over every client: when it was last filled, how far it reaches, and
which clients are behind (the manner of Zulip's `check_analytics_state`). Read by
`/healthz/analytics` for monitoring and by the staff pages.

A stat is stale for a client when its fill reaches less far than it should by more than
ANALYTICS_STALE_AFTER_SECONDS: hourly stats should reach the last whole hour, daily ones the
client's last local midnight (both less the fill lag). A client never filled counts as behind
once it is older than that allowance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone

from analytics.stats import STATS

_BY_STAT = """
SELECT f.property, min(f.end_time), max(f.last_modified), count(*),
       count(*) FILTER (WHERE f.end_time < (
           CASE WHEN f.property LIKE '%%:hour'
                THEN date_trunc('hour', %(settled)s AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                ELSE date_trunc('day', %(settled)s AT TIME ZONE c.time_zone) AT TIME ZONE c.time_zone
           END) - %(allowance)s),
       count(*) FILTER (WHERE f.state = 'started' AND f.last_modified < %(now)s - %(allowance)s)
FROM public.analytics_platform_fillstate f JOIN public.tenants_client c ON c.id = f.client_id
GROUP BY f.property
"""

_NEVER_FILLED = """
SELECT count(*) FROM public.tenants_client c
WHERE c.schema_name <> 'public' AND c.created_at < %(now)s - %(allowance)s
  AND NOT EXISTS (SELECT 1 FROM public.analytics_platform_fillstate f WHERE f.client_id = c.id)
"""


@dataclass(frozen=True)
class StatFreshness:
    key: str
    # The least far any client's fill reaches, and the last time any was written.
    filled_through: datetime | None
    last_filled_at: datetime | None
    clients: int
    stale_clients: int
    # Fills marked STARTED long ago: a worker died and no run has come back to them.
    stuck_clients: int

    @property
    def is_stale(self) -> bool:
        return self.stale_clients > 0 or self.stuck_clients > 0


@dataclass(frozen=True)
class Freshness:
    checked_at: datetime
    stats: list[StatFreshness]
    never_filled: int

    @property
    def is_stale(self) -> bool:
        return self.never_filled > 0 or any(stat.is_stale for stat in self.stats)


def freshness(now: datetime | None = None) -> Freshness:
    now = now or timezone.now()
    params: dict[str, Any] = {
        "now": now,
        "settled": now - timedelta(seconds=settings.ANALYTICS_FILL_LAG_SECONDS),
        "allowance": timedelta(seconds=settings.ANALYTICS_STALE_AFTER_SECONDS),
    }
    with connection.cursor() as cursor:
        cursor.execute(_BY_STAT, params)
        found = {row[0]: row for row in cursor.fetchall()}
        cursor.execute(_NEVER_FILLED, params)
        never = cursor.fetchone()
    stats = []
    for stat in STATS:
        row = found.get(stat.key)
        if row is None:
            stats.append(StatFreshness(stat.key, None, None, 0, 0, 0))
        else:
            stats.append(StatFreshness(stat.key, row[1], row[2], row[3], row[4], row[5]))
    return Freshness(checked_at=now, stats=stats, never_filled=int(never[0]) if never else 0)


def report() -> JsonResponse:
    """`/healthz/analytics`: 200 when every stat is fresh, 503 when one is not (or the database
    does not answer)."""
    try:
        state = freshness()
    except Exception as exc:  # the database is down: say so, as /healthz does
        return JsonResponse({"status": "unavailable", "error": type(exc).__name__}, status=503)
    return JsonResponse(as_json(state), status=503 if state.is_stale else 200)


def as_json(state: Freshness) -> dict[str, object]:
    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "status": "stale" if state.is_stale else "ok",
        "checked_at": moment(state.checked_at),
        "never_filled_clients": state.never_filled,
        "stats": {
            stat.key: {
                "status": "stale" if stat.is_stale else "ok",
                "filled_through": moment(stat.filled_through),
                "last_filled_at": moment(stat.last_filled_at),
                "clients": stat.clients,
                "stale_clients": stat.stale_clients,
                "stuck_clients": stat.stuck_clients,
            }
            for stat in state.stats
        },
    }
