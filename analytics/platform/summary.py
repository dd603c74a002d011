"""The one-row-per-client summary (ClientActivity) the staff overview sorts and filters on,
rewritten from the client's public counts after each fill."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from tenants.models import Client

_REFRESH = """
WITH latest AS (
    SELECT max(end_time) AS day_end FROM analytics_platform_clientcount
    WHERE client_id = %(client)s AND property = 'messages_sent:day'
)
INSERT INTO analytics_platform_clientactivity AS a (
    client_id, messages_this_month, messages_last_7_days, messages_previous_28_days,
    active_users_last_7_days, storage_bytes, last_activity_at, filled_through, updated_at
)
SELECT %(client)s,
    (SELECT coalesce(sum(value), 0) FROM analytics_platform_clientcount
     WHERE client_id = %(client)s AND property = 'messages_sent:hour' AND end_time > %(month_start)s),
    (SELECT coalesce(sum(value), 0) FROM analytics_platform_clientcount, latest
     WHERE client_id = %(client)s AND property = 'messages_sent:day'
       AND end_time > latest.day_end - interval '7 days'),
    (SELECT coalesce(sum(value), 0) FROM analytics_platform_clientcount, latest
     WHERE client_id = %(client)s AND property = 'messages_sent:day'
       AND end_time > latest.day_end - interval '35 days' AND end_time <= latest.day_end - interval '7 days'),
    coalesce((SELECT value FROM analytics_platform_clientcount
              WHERE client_id = %(client)s AND property = 'active_users_week:day'
              ORDER BY end_time DESC LIMIT 1), 0),
    coalesce((SELECT value FROM analytics_platform_clientcount
              WHERE client_id = %(client)s AND property = 'storage_bytes:day'
              ORDER BY end_time DESC LIMIT 1), 0),
    %(last_activity_at)s,
    (SELECT min(end_time) FROM analytics_platform_fillstate WHERE client_id = %(client)s),
    now()
ON CONFLICT (client_id) DO UPDATE SET
    messages_this_month = EXCLUDED.messages_this_month,
    messages_last_7_days = EXCLUDED.messages_last_7_days,
    messages_previous_28_days = EXCLUDED.messages_previous_28_days,
    active_users_last_7_days = EXCLUDED.active_users_last_7_days,
    storage_bytes = EXCLUDED.storage_bytes,
    last_activity_at = coalesce(EXCLUDED.last_activity_at, a.last_activity_at),
    filled_through = EXCLUDED.filled_through,
    updated_at = EXCLUDED.updated_at
"""


def month_start(now: datetime) -> datetime:
    """The first instant of `now`'s month in UTC (staff figures are in UTC months)."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def refresh_activity(client: Client, *, now: datetime, last_activity_at: datetime | None) -> None:
    # The rows read are public ones; the qualified names work from any schema.
    with connection.cursor() as cursor:
        cursor.execute(
            _REFRESH.replace("analytics_platform_", "public.analytics_platform_"),
            {"client": client.pk, "month_start": month_start(now), "last_activity_at": last_activity_at},
        )
