"""The stats: what each one counts, for which period, and the SQL that counts it.

Each stat's collector is SQL run in the tenant's schema over a range of whole periods
[start, end): it groups the raw rows by the period they fall in and inserts one count row per
(user, room or workspace, period) that is not zero. Hourly periods are hours of UTC; daily
periods are days of the workspace's time zone (`Client.time_zone`), so a day's end_time is a
local midnight, with daylight saving and half-hour zones as PostgreSQL's zone data has them.

What counts (the definitions the dashboard's help text repeats):
- messages_sent: messages posted, deleted ones included, split into `people` and `bots`.
- messages_read: messages of others someone marked read (chat.ReadEvent).
- active_users: people who sent or read a message that day; `_week` and `_month` are the people
  active in the 7 and 30 days ending that day. Bots are not counted.
- new_users: accounts created that day (people).
- active_rooms: rooms with at least one message that day.
- documents_uploaded, pages_extracted: documents stored and pages stored that day.
- storage_bytes: the size of the workspace's documents at the end of the day.
- first_response_seconds_median: in each room, a message's first answer by someone else
  (a run of messages by one person is one question; its first message starts the clock),
  counted on the day of the answer; answers after more than a week are not responses.
  `first_responses` counts them, so medians of days can be weighed into weeks and months.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Frequency(enum.StrEnum):
    HOUR = "hour"
    DAY = "day"


class Source(enum.StrEnum):
    """Raw tables a stat reads, with the column that dates a row. A fill whose sources have no
    row dated after what is filled writes nothing, so it only moves the fill state on."""

    MESSAGES = "chat_message.created_at"
    READS = "chat_readevent.at"
    USERS = "accounts_user.date_joined"
    DOCUMENTS = "documents_document.created_at"
    PAGES = "documents_documentpage.extracted_at"

    @property
    def table(self) -> str:
        return self.value.split(".")[0]

    @property
    def column(self) -> str:
        return self.value.split(".")[1]


# The newest row of each source, found by primary key (the newest id is the newest row, give or
# take rows written in the same moment): one statement with an index probe per table.
NEWEST_ROWS = "SELECT " + ", ".join(
    f"(SELECT {source.column} FROM {source.table} ORDER BY id DESC LIMIT 1)" for source in Source
)

# When the workspace's data begins (the start of a backfill).
FIRST_ROW = "SELECT LEAST(" + ", ".join(f"(SELECT min({source.column}) FROM {source.table})" for source in Source) + ")"

# What an interrupted fill may have left past the last complete period of its stat.
DELETE_AFTER = tuple(
    f"DELETE FROM {table} WHERE property = ANY(%(properties)s) AND end_time > %(end)s"
    for table in ("analytics_usercount", "analytics_roomcount", "analytics_tenantcount")
)


def bucket(column: str, frequency: Frequency) -> str:
    """SQL for the end of the period `column` falls in."""
    if frequency is Frequency.HOUR:
        return f"(date_trunc('hour', {column} AT TIME ZONE 'UTC') + interval '1 hour') AT TIME ZONE 'UTC'"
    return f"(date_trunc('day', {column} AT TIME ZONE %(tz)s) + interval '1 day') AT TIME ZONE %(tz)s"


# The ends of the days in [start, end), for stats that have a value on every day (snapshots and
# rolling windows) rather than one per event.
DAY_ENDS = """
    SELECT (g + interval '1 day') AT TIME ZONE %(tz)s AS end_time
    FROM generate_series(%(start)s AT TIME ZONE %(tz)s, %(end)s AT TIME ZONE %(tz)s - interval '1 day',
                         interval '1 day') AS g
"""

IN_RANGE = "{column} >= %(start)s AND {column} < %(end)s"


@dataclass(frozen=True)
class Stat:
    name: str
    frequency: Frequency
    # Statements run in order, each with the parameters start, end, tz and property.
    statements: tuple[str, ...]
    # Every property the statements write (a stat can write a companion, as the median does its
    # count); all of them are deleted when an interrupted fill is counted again.
    extra_properties: tuple[str, ...] = ()
    # Empty: the stat has a value every period whatever happened (computed at each period end).
    sources: tuple[Source, ...] = ()
    depends_on: str | None = None
    # Levels the stat has rows at, for readers (the dashboard, the tests).
    levels: tuple[str, ...] = field(default=("tenant",))

    @property
    def key(self) -> str:
        """The stat's `property` in count rows and fill states: "messages_sent:day"."""
        return f"{self.name}:{self.frequency}"

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key, *self.extra_properties)


def _messages_sent(frequency: Frequency) -> Stat:
    end = bucket("m.created_at", frequency)
    in_range = IN_RANGE.format(column="m.created_at")
    who = "CASE WHEN u.is_bot THEN 'bots' ELSE 'people' END"
    return Stat(
        name="messages_sent",
        frequency=frequency,
        sources=(Source.MESSAGES,),
        levels=("user", "room", "tenant"),
        statements=(
            f"""INSERT INTO analytics_usercount (user_id, property, subgroup, end_time, value)
                SELECT m.author_id, %(property)s, {who}, {end}, count(*)
                FROM chat_message m JOIN accounts_user u ON u.id = m.author_id
                WHERE {in_range} GROUP BY 1, 3, 4""",
            f"""INSERT INTO analytics_roomcount (room_id, property, subgroup, end_time, value)
                SELECT m.room_id, %(property)s, '', {end}, count(*)
                FROM chat_message m WHERE {in_range} GROUP BY 1, 4""",
            # From the messages themselves, not the people's rows: a message whose author's
            # account is gone still counts for the workspace (as people's).
            f"""INSERT INTO analytics_tenantcount (property, subgroup, end_time, value)
                SELECT %(property)s, {who}, {end}, count(*)
                FROM chat_message m LEFT JOIN accounts_user u ON u.id = m.author_id
                WHERE {in_range} GROUP BY 2, 3""",
        ),
    )


def _messages_read(frequency: Frequency) -> Stat:
    end = bucket("e.at", frequency)
    return Stat(
        name="messages_read",
        frequency=frequency,
        sources=(Source.READS,),
        levels=("user", "tenant"),
        statements=(
            f"""INSERT INTO analytics_usercount (user_id, property, subgroup, end_time, value)
                SELECT e.user_id, %(property)s, '', {end}, count(*)
                FROM chat_readevent e
                JOIN accounts_user u ON u.id = e.user_id
                JOIN chat_message m ON m.room_id = e.room_id AND m.id > e.from_id AND m.id <= e.to_id
                WHERE {IN_RANGE.format(column="e.at")} AND m.author_id IS DISTINCT FROM e.user_id
                GROUP BY 1, 4""",
            _tenant_sum_of_users(),
        ),
    )


def _tenant_sum_of_users() -> str:
    """The workspace's rows as the sum of its people's, for the periods just filled."""
    return """INSERT INTO analytics_tenantcount (property, subgroup, end_time, value)
              SELECT property, subgroup, end_time, sum(value) FROM analytics_usercount
              WHERE property = %(property)s AND end_time > %(start)s AND end_time <= %(end)s
              GROUP BY 1, 2, 3"""


def _active_users() -> Stat:
    day = Frequency.DAY
    return Stat(
        name="active_users",
        frequency=day,
        sources=(Source.MESSAGES, Source.READS),
        levels=("user", "tenant"),
        statements=(
            f"""INSERT INTO analytics_usercount (user_id, property, subgroup, end_time, value)
                SELECT a.user_id, %(property)s, '', a.end_time, 1
                FROM (
                    SELECT m.author_id AS user_id, {bucket("m.created_at", day)} AS end_time
                    FROM chat_message m WHERE {IN_RANGE.format(column="m.created_at")}
                    UNION
                    SELECT e.user_id, {bucket("e.at", day)} FROM chat_readevent e
                    WHERE {IN_RANGE.format(column="e.at")}
                ) a JOIN accounts_user u ON u.id = a.user_id AND NOT u.is_bot""",
            _tenant_sum_of_users(),
        ),
    )


def _rolling_active_users(name: str, days: int) -> Stat:
    """People active on any of the `days` days ending on each day (from active_users' rows)."""
    return Stat(
        name=name,
        frequency=Frequency.DAY,
        depends_on="active_users:day",
        statements=(
            f"""INSERT INTO analytics_tenantcount (property, subgroup, end_time, value)
                SELECT %(property)s, '', d.end_time, count(DISTINCT c.user_id)
                FROM ({DAY_ENDS}) d
                JOIN analytics_usercount c ON c.property = 'active_users:day'
                    AND c.end_time <= d.end_time
                    AND c.end_time > (d.end_time AT TIME ZONE %(tz)s - interval '{days} days') AT TIME ZONE %(tz)s
                GROUP BY d.end_time""",
        ),
    )


def _dated_count(name: str, source: Source, levels: tuple[str, ...], where: str = "TRUE") -> Stat:
    """Rows of `source` counted by the day they are dated (and per person, for `user_id`)."""
    day = Frequency.DAY
    column = f"t.{source.column}"
    statements = []
    if "user" in levels:
        statements.append(
            f"""INSERT INTO analytics_usercount (user_id, property, subgroup, end_time, value)
                SELECT t.uploader_id, %(property)s, '', {bucket(column, day)}, count(*)
                FROM {source.table} t
                WHERE {IN_RANGE.format(column=column)} AND t.uploader_id IS NOT NULL AND {where}
                GROUP BY 1, 4"""
        )
    statements.append(
        f"""INSERT INTO analytics_tenantcount (property, subgroup, end_time, value)
            SELECT %(property)s, '', {bucket(column, day)}, count(*)
            FROM {source.table} t WHERE {IN_RANGE.format(column=column)} AND {where}
            GROUP BY 3"""
    )
    return Stat(name=name, frequency=day, sources=(source,), levels=levels, statements=tuple(statements))


def _active_rooms() -> Stat:
    day = Frequency.DAY
    return Stat(
        name="active_rooms",
        frequency=day,
        sources=(Source.MESSAGES,),
        statements=(
            f"""INSERT INTO analytics_tenantcount (property, subgroup, end_time, value)
                SELECT %(property)s, '', {bucket("m.created_at", day)}, count(DISTINCT m.room_id)
                FROM chat_message m WHERE {IN_RANGE.format(column="m.created_at")}
                GROUP BY 3""",
        ),
    )


def _storage_bytes() -> Stat:
    return Stat(
        name="storage_bytes",
        frequency=Frequency.DAY,
        statements=(
            f"""INSERT INTO analytics_tenantcount (property, subgroup, end_time, value)
                SELECT %(property)s, '', d.end_time, s.bytes
                FROM ({DAY_ENDS}) d
                CROSS JOIN LATERAL (
                    SELECT coalesce(sum(size), 0) AS bytes FROM documents_document WHERE created_at < d.end_time
                ) s
                WHERE s.bytes > 0""",
        ),
    )


# A run of messages by one person is one question, answered by the next run's first message.
# The look-back is the longest answer counted (a week): a question older than that cannot have
# an answer in the range. The first message of each room in the look-back is a question only if
# the message before it (outside the look-back) is someone else's; if it carries on an older run,
# that run's answer came too late to count and the next run has nothing to answer.
_RESPONSES = """
WITH win AS (
    SELECT id, room_id, author_id, created_at FROM chat_message
    WHERE created_at >= %(start)s - interval '7 days' AND created_at < %(end)s AND author_id IS NOT NULL
), marked AS (
    SELECT w.*, lag(w.author_id) OVER (PARTITION BY w.room_id ORDER BY w.id) AS prev_author,
           row_number() OVER (PARTITION BY w.room_id ORDER BY w.id) AS n
    FROM win w
), starts AS (
    SELECT m.id, m.room_id, m.created_at FROM marked m
    WHERE CASE WHEN m.n > 1 THEN m.prev_author <> m.author_id
               ELSE (SELECT p.author_id FROM chat_message p
                     WHERE p.room_id = m.room_id AND p.id < m.id AND p.author_id IS NOT NULL
                     ORDER BY p.id DESC LIMIT 1) IS DISTINCT FROM m.author_id END
), pairs AS (
    SELECT room_id, created_at AS answered_at,
           lag(created_at) OVER (PARTITION BY room_id ORDER BY id) AS asked_at
    FROM starts
), answered AS (
    SELECT room_id, {end} AS end_time, extract(epoch FROM answered_at - asked_at) AS seconds
    FROM pairs
    WHERE answered_at >= %(start)s AND asked_at IS NOT NULL AND answered_at - asked_at <= interval '7 days'
), per_room AS (
    INSERT INTO analytics_roomcount (room_id, property, subgroup, end_time, value)
    SELECT room_id, p.property, '', end_time, p.value
    FROM (
        SELECT room_id, end_time, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)) AS median,
               count(*) AS n
        FROM answered GROUP BY 1, 2
    ) r CROSS JOIN LATERAL (VALUES (%(property)s, r.median), ('first_responses:day', r.n)) AS p(property, value)
)
INSERT INTO analytics_tenantcount (property, subgroup, end_time, value)
SELECT p.property, '', end_time, p.value
FROM (
    SELECT end_time, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)) AS median, count(*) AS n
    FROM answered GROUP BY 1
) t CROSS JOIN LATERAL (VALUES (%(property)s, t.median), ('first_responses:day', t.n)) AS p(property, value)
"""


def _first_response() -> Stat:
    return Stat(
        name="first_response_seconds_median",
        frequency=Frequency.DAY,
        sources=(Source.MESSAGES,),
        levels=("room", "tenant"),
        extra_properties=("first_responses:day",),
        statements=(_RESPONSES.replace("{end}", bucket("answered_at", Frequency.DAY)),),
    )


# In fill order: a stat comes after the one it depends on.
STATS: tuple[Stat, ...] = (
    _messages_sent(Frequency.HOUR),
    _messages_sent(Frequency.DAY),
    _messages_read(Frequency.HOUR),
    _messages_read(Frequency.DAY),
    _active_users(),
    _rolling_active_users("active_users_week", 7),
    _rolling_active_users("active_users_month", 30),
    _dated_count("new_users", Source.USERS, levels=("tenant",), where="NOT t.is_bot"),
    _active_rooms(),
    _dated_count("documents_uploaded", Source.DOCUMENTS, levels=("user", "tenant")),
    _dated_count("pages_extracted", Source.PAGES, levels=("tenant",)),
    _storage_bytes(),
    _first_response(),
)

BY_PROPERTY: dict[str, Stat] = {stat.key: stat for stat in STATS}
