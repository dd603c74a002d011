"""The busiest channels and people of a range of days, from the per-channel and per-person daily
rollups (one statement each, plus one for the channels' response medians).

Called by `analytics.queries.top` inside the tenant's schema, with `params` holding the rows'
ends that bound the days (`lo` exclusive, `hi` inclusive: analytics.ranges.day_end) and `limit`.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

TOP_LIMIT_MAX = 50

# Direct messages are left out: who talks privately with whom is not a dashboard's business.
_ROOMS = """
    WITH ranked AS (
        SELECT room_id, sum(value) AS messages FROM analytics_roomcount
        WHERE property = 'messages_sent:day' AND end_time > %(lo)s AND end_time <= %(hi)s
        GROUP BY room_id
    )
    SELECT r.id, r.name, ranked.messages FROM ranked JOIN chat_room r ON r.id = ranked.room_id
    WHERE r.kind <> 'direct'
    ORDER BY ranked.messages DESC, r.id LIMIT %(limit)s
"""

# Each channel's median first response over the days: the median of its daily medians weighed
# by each day's responses (the smallest daily median at which the running weight reaches half).
_MEDIANS = """
    WITH days AS (
        SELECT m.room_id, m.value AS median, n.value AS weight
        FROM analytics_roomcount m
        JOIN analytics_roomcount n ON n.room_id = m.room_id AND n.end_time = m.end_time
            AND n.property = 'first_responses:day' AND n.subgroup = ''
        WHERE m.room_id = ANY(%(rooms)s) AND m.property = 'first_response_seconds_median:day'
          AND m.end_time > %(lo)s AND m.end_time <= %(hi)s
    ), running AS (
        SELECT room_id, median,
               sum(weight) OVER (PARTITION BY room_id ORDER BY median ROWS UNBOUNDED PRECEDING) AS running,
               sum(weight) OVER (PARTITION BY room_id) AS total
        FROM days
    )
    SELECT DISTINCT ON (room_id) room_id, median FROM running
    WHERE total > 0 AND running * 2 >= total
    ORDER BY room_id, median
"""

# Bots are left out: the list is of people.
_PEOPLE = """
    WITH sums AS (
        SELECT user_id,
               sum(value) FILTER (WHERE property = 'messages_sent:day') AS messages,
               sum(value) FILTER (WHERE property = 'messages_read:day') AS messages_read,
               sum(value) FILTER (WHERE property = 'documents_uploaded:day') AS documents_uploaded
        FROM analytics_usercount
        WHERE property IN ('messages_sent:day', 'messages_read:day', 'documents_uploaded:day')
          AND end_time > %(lo)s AND end_time <= %(hi)s
        GROUP BY user_id
    )
    SELECT u.id, u.name, u.email, coalesce(s.messages, 0), coalesce(s.messages_read, 0),
           coalesce(s.documents_uploaded, 0)
    FROM sums s JOIN accounts_user u ON u.id = s.user_id
    WHERE NOT u.is_bot
    ORDER BY 4 DESC, 5 DESC, 6 DESC, u.id LIMIT %(limit)s
"""


def top_rooms(params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(_ROOMS, params)
        ranked = cursor.fetchall()
        if not ranked:
            return []
        cursor.execute(_MEDIANS, {**params, "rooms": [row[0] for row in ranked]})
        medians = dict(cursor.fetchall())
    return [
        {"id": room, "name": name, "messages": int(messages), "first_response_seconds_median": medians.get(room)}
        for room, name, messages in ranked
    ]


def top_people(params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(_PEOPLE, params)
        found = cursor.fetchall()
    return [
        {
            "id": person,
            "name": name or email,
            "email": email,
            "messages": int(messages),
            "messages_read": int(read),
            "documents_uploaded": int(uploaded),
        }
        for person, name, email, messages, read, uploaded in found
    ]
