"""Activity written straight into a tenant's schema with chosen dates: a year of history for the
demo, the benchmark (a million messages) and the tests, and exact rows for the tests that compare
rollups with the raw data.

Rows go in with plain SQL (sequence numbers, read positions and all), never through the actions:
actions date everything now, and a year of history needs last year's dates. Nothing here runs
in a request; the connection must be set to the tenant's schema.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from chat.models import Membership, Room

LINES = (
    "Morning! Has anyone looked at the release notes yet?",
    "I'll take the customer call at two.",
    "The new build is on staging, please give it a spin.",
    "Can someone review my pull request before lunch?",
    "Thanks, that fixed it.",
    "Pushing the deadline to Friday, the numbers need another pass.",
    "Shared the slides in the documents tab.",
    "Who's around for a quick sync?",
    "Great work on the launch, everyone!",
    "The invoice export is done, details in the thread.",
    "Reminder: retro at four.",
    "Looks good to me, ship it.",
)


@dataclass(frozen=True)
class Cast:
    people: list[int]
    rooms: list[int]


def make_people(count: int, *, prefix: str, joined: Sequence[datetime] = (), bots: int = 0) -> list[User]:
    """`count` people (the last `bots` of them bot accounts) who cannot sign in, joined at the
    given dates (now where none is given)."""
    now = timezone.now()
    password = make_password(None)
    users = [
        User(
            email=f"{prefix}-{n}@people.example",
            name=f"{prefix.title()} {n}",
            password=password,
            date_joined=joined[n] if n < len(joined) else now,
            is_bot=n >= count - bots,
        )
        for n in range(count)
    ]
    return User.objects.bulk_create(users)


def make_rooms(count: int, *, prefix: str, members: Sequence[User]) -> list[Room]:
    rooms = Room.objects.bulk_create(
        Room(name=f"{prefix} {n}", slug=f"{prefix}-{n}", kind=Room.Kind.PUBLIC) for n in range(count)
    )
    Membership.objects.bulk_create(Membership(room=room, user=user) for room in rooms for user in members)
    return rooms


_INSERT_MESSAGES = """
WITH input AS (
    SELECT * FROM unnest(%(rooms)s::bigint[], %(authors)s::bigint[], %(times)s::timestamptz[], %(bodies)s::text[])
        WITH ORDINALITY AS i (room_id, author_id, created_at, body, position)
), counted AS (
    SELECT room_id, count(*) AS n FROM input GROUP BY room_id
), numbered AS (
    UPDATE chat_room SET last_seq = last_seq + counted.n FROM counted WHERE chat_room.id = counted.room_id
    RETURNING chat_room.id, chat_room.last_seq - counted.n AS before
)
INSERT INTO chat_message (room_id, seq, author_id, body, html, created_at, updated_at, reply_count)
SELECT i.room_id, numbered.before + row_number() OVER (PARTITION BY i.room_id ORDER BY i.created_at, i.position),
       i.author_id, i.body, i.body, i.created_at, i.created_at, 0
FROM input i JOIN numbered ON numbered.id = i.room_id
ORDER BY i.created_at, i.position
RETURNING id
"""


def insert_messages(rows: Sequence[tuple[int, int | None, datetime, str]]) -> list[int]:
    """(room, author, time, body) rows, stored in time order; their ids, in that order."""
    if not rows:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_MESSAGES,
            {
                "rooms": [row[0] for row in rows],
                "authors": [row[1] for row in rows],
                "times": [row[2] for row in rows],
                "bodies": [escape(row[3]) for row in rows],
            },
        )
        return [row[0] for row in cursor.fetchall()]


def insert_reads(rows: Sequence[tuple[int, int, int, int, datetime]]) -> None:
    """(user, room, from id, to id, time) read events."""
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO chat_readevent (user_id, room_id, from_id, to_id, at) VALUES (%s, %s, %s, %s, %s)", rows
        )


# One statement writes the whole history: per day, a number of messages that grows through the
# year, dips at weekends and wobbles, spread over working hours; authors and rooms drawn at
# random (setseed makes it repeatable). Every tenth message is read by someone five minutes on.
_HISTORY = """
WITH params AS (SELECT setseed(%(seed)s)),
days AS (
    SELECT d, (0.35 + 0.65 * d / %(days)s::float)
              * (CASE WHEN extract(isodow FROM %(first)s::timestamptz + d * interval '1 day') >= 6 THEN 0.25 ELSE 1 END)
              * (0.8 + 0.4 * random()) AS weight
    FROM params, generate_series(0, %(days)s - 1) AS d
), per_day AS (
    SELECT d, round(weight * %(messages)s / sum(weight) OVER ())::int AS n FROM days
), drawn AS (
    SELECT (%(people)s::bigint[])[1 + floor(random() * cardinality(%(people)s::bigint[]))::int] AS author_id,
           (%(rooms)s::bigint[])[1 + floor(power(random(), 2) * cardinality(%(rooms)s::bigint[]))::int] AS room_id,
           %(first)s::timestamptz + d * interval '1 day' + interval '8 hours'
               + (i::float / n) * interval '11 hours' AS created_at,
           (%(lines)s::text[])[1 + floor(random() * cardinality(%(lines)s::text[]))::int] AS body
    FROM per_day, generate_series(1, n) AS i
    WHERE n > 0
), numbered AS (
    SELECT drawn.*, r.last_seq + row_number() OVER (PARTITION BY drawn.room_id ORDER BY drawn.created_at) AS seq
    FROM drawn JOIN chat_room r ON r.id = drawn.room_id
)
INSERT INTO chat_message (room_id, seq, author_id, body, html, created_at, updated_at, reply_count)
SELECT room_id, seq, author_id, body, body, created_at, created_at, 0 FROM numbered ORDER BY created_at
"""

_AFTER_HISTORY = (
    "UPDATE chat_room r SET last_seq = m.seq FROM "
    "(SELECT room_id, max(seq) AS seq FROM chat_message GROUP BY room_id) m WHERE m.room_id = r.id",
    """INSERT INTO chat_readevent (user_id, room_id, from_id, to_id, at)
       SELECT (%(people)s::bigint[])[1 + (m.id %% cardinality(%(people)s::bigint[]))::int], m.room_id,
              greatest(m.id - 10, 0), m.id, m.created_at + interval '5 minutes'
       FROM chat_message m WHERE m.id %% 10 = 0 AND m.created_at >= %(first)s""",
)


def seed_history(*, cast: Cast, days: int, messages: int, end: datetime | None = None, seed: float = 0.42) -> int:
    """About `messages` messages over the `days` days before `end` (today), in the rooms and by
    the people of `cast`. Returns how many were written."""
    end = end or timezone.now()
    first = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    params: dict[str, Any] = {
        "seed": seed,
        "days": days,
        "first": first,
        "messages": messages,
        "people": cast.people,
        "rooms": cast.rooms,
        "lines": [escape(line) for line in LINES],
    }
    with connection.cursor() as cursor:
        cursor.execute(_HISTORY, params)
        written = cursor.rowcount
        for statement in _AFTER_HISTORY:
            cursor.execute(statement, params)
    return written


def random_times(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    """`count` sorted random instants in [start, end)."""
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=rng.random() * span) for _ in range(count))
