"""The analytics benchmark's baseline: the dashboard's figures counted straight from the raw tables,
as a dashboard without rollups would, for the same days and weeks the API is asked about (the
range and the same number of days before it, which the series' `previous` covers).

Weeks are the workspace's local weeks (Monday first), as `analytics.ranges` groups them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

WEEK = "date_trunc('week', {column} AT TIME ZONE %(tz)s)"
IN_DAYS = "{column} >= %(start)s AND {column} < %(end)s"


def _counted(column: str, table: str, value: str = "count(*)", where: str = "TRUE") -> str:
    return (
        f"SELECT {WEEK.format(column=column)} AS week, {value} FROM {table} "  # noqa: S608 - fixed names
        f"WHERE {IN_DAYS.format(column=column)} AND {where} GROUP BY 1 ORDER BY 1"
    )


# One statement per metric, each with the parameters start, end (instants) and tz.
RAW: dict[str, str] = {
    "messages_sent": _counted("m.created_at", "chat_message m"),
    "active_users": (
        f"SELECT a.week, count(DISTINCT a.user_id) FROM ("  # noqa: S608 - fixed names
        f" SELECT {WEEK.format(column='m.created_at')} AS week, m.author_id AS user_id FROM chat_message m"
        f" WHERE {IN_DAYS.format(column='m.created_at')}"
        f" UNION SELECT {WEEK.format(column='e.at')}, e.user_id FROM chat_readevent e"
        f" WHERE {IN_DAYS.format(column='e.at')}"
        f") a JOIN accounts_user u ON u.id = a.user_id AND NOT u.is_bot GROUP BY 1 ORDER BY 1"
    ),
    "new_users": _counted("u.date_joined", "accounts_user u", where="NOT u.is_bot"),
    "active_rooms": _counted("m.created_at", "chat_message m", value="count(DISTINCT m.room_id)"),
    "documents_uploaded": _counted("d.created_at", "documents_document d"),
    "pages_extracted": _counted("p.extracted_at", "documents_documentpage p"),
    "storage_bytes": (
        "SELECT w.week, (SELECT coalesce(sum(size), 0) FROM documents_document WHERE created_at < w.week_end)"
        " FROM (SELECT g AS week, (g + interval '7 days') AT TIME ZONE %(tz)s AS week_end"
        "       FROM generate_series(date_trunc('week', %(start)s AT TIME ZONE %(tz)s),"
        "                            %(end)s AT TIME ZONE %(tz)s, interval '7 days') g) w ORDER BY 1"
    ),
    # In each room, the first message of each run by one person answers the run before it.
    "first_response_seconds_median": (
        "WITH marked AS ("
        " SELECT room_id, author_id, created_at,"
        "        lag(author_id) OVER (PARTITION BY room_id ORDER BY id) AS prev_author"
        " FROM chat_message WHERE created_at >= %(start)s - interval '7 days' AND created_at < %(end)s"
        "   AND author_id IS NOT NULL"
        "), starts AS ("
        " SELECT room_id, created_at,"
        "        lag(created_at) OVER (PARTITION BY room_id ORDER BY created_at) AS asked_at"
        " FROM marked WHERE prev_author IS DISTINCT FROM author_id"
        ") SELECT date_trunc('week', created_at AT TIME ZONE %(tz)s) AS week,"
        "         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM created_at - asked_at))"
        " FROM starts WHERE created_at >= %(start)s AND asked_at IS NOT NULL"
        "   AND created_at - asked_at <= interval '7 days' GROUP BY 1 ORDER BY 1"
    ),
}


@dataclass(frozen=True)
class Days:
    """The instants bounding the range of `days` whole local days ending yesterday, and as many
    days before it."""

    start: datetime
    end: datetime
    tz: str

    @property
    def params(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "tz": self.tz}


def days_asked(client: Any, days: int) -> Days:
    """What `range=<days>` covers for `client` (the API's `analytics.ranges.parse_range`), with the
    previous period in front."""
    import zoneinfo

    from django.utils import timezone

    from analytics.fill import tenant_zone

    tz = tenant_zone(client)
    today = timezone.now().astimezone(tz).date()
    first = today - timedelta(days=2 * days)

    def midnight(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(zoneinfo.ZoneInfo("UTC"))

    return Days(start=midnight(first), end=midnight(today), tz=str(tz.key))


def raw_case(metrics: list[str], days: Days) -> Callable[[], Any]:
    """Run the statements of `metrics` one after another, fetching every row (the connection set
    to the tenant's schema)."""
    from django.db import connection

    statements = [RAW[m] for m in metrics]

    def run() -> list[Any]:
        rows = []
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement, days.params)
                rows.append(cursor.fetchall())
        return rows

    return run
