"""The history benchmark's tenant and its one big room, filled with generated messages.

Twelve words a message, from a controlled vocabulary: one word ("project") in about 70% of the
messages (common), one ("harbor") in about 1% (medium), one ("zeppelin") in exactly 10 (rare);
the others drawn uniformly from 4,096 made-up words.
"""

from __future__ import annotations

import time
from typing import Any, cast

from bench.lib.tenant import bench_tenant

SLUG = "bench-history"
ROOM_NAME = "history"
COMMON, MEDIUM, RARE = "project", "harbor", "zeppelin"
COMMON_SHARE, MEDIUM_SHARE, RARE_COUNT = 0.70, 0.01, 10
VOCABULARY = 4096


def tenant_and_room() -> tuple[Any, Any, Any]:
    """The benchmark's tenant (provisioned once), its owner and its big public room."""
    from django.db import connection

    from accounts.models import User
    from chat.actions import do_create_room
    from chat.models import Room

    client = bench_tenant(
        SLUG, name="Bench history", owner_email=f"owner@{SLUG}.example.com", owner_name="Bench Owner", id_floor=1
    )
    cast(Any, connection).set_tenant(client)  # added by django-tenants' backend at run time
    owner = User.objects.get(email=f"owner@{SLUG}.example.com")
    room = Room.objects.filter(name=ROOM_NAME).first()
    if room is None:
        room = do_create_room(tenant=client, name=ROOM_NAME, creator=owner)
    return client, owner, room


def message_count(room: Any) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM chat_message WHERE room_id = %s", [room.pk])
        return int(cursor.fetchone()[0])


def fill(schema: str, room: Any, owner: Any, messages: int) -> float:
    """Replace the room's messages with `messages` generated ones, in one INSERT ... SELECT.

    The GIN index is dropped first and built once at the end (much faster than maintaining it row
    by row); the generated `search_vector` column is computed by PostgreSQL on insert."""
    from django.db import connection, transaction

    started = time.perf_counter()
    step = max(messages // RARE_COUNT, 1)
    with transaction.atomic(), connection.cursor() as cursor:
        # CASCADE empties every table that references messages (mentions, reactions, edits,
        # attachment links, and whatever references them next) with them; only tables of the
        # tenant's own schema reference its messages.
        cursor.execute(f"TRUNCATE {connection.ops.quote_name(schema)}.chat_message CASCADE")
        cursor.execute("DROP INDEX IF EXISTS chat_message_search")
        cursor.execute(
            """
            WITH syllables AS (
                SELECT ARRAY['ka','lo','mi','nu','pe','ra','si','to','vu','ze','ba','do','fi','gu','ho','ja'] AS s
            ), vocabulary AS (
                SELECT array_agg(s[a] || s[b] || s[c] || 'n' ORDER BY a, b, c) AS words
                FROM syllables, generate_series(1, 16) a, generate_series(1, 16) b, generate_series(1, 16) c
            ), generated AS (
                SELECT g,
                       now() - (%(messages)s - g) * interval '2 seconds' AS at,
                       concat_ws(' ',
                           CASE WHEN random() < %(common)s THEN %(common_word)s ELSE words[1 + floor(random() * %(vocabulary)s)::int] END,
                           CASE WHEN random() < %(medium)s THEN %(medium_word)s ELSE words[1 + floor(random() * %(vocabulary)s)::int] END,
                           words[1 + floor(random() * %(vocabulary)s)::int], words[1 + floor(random() * %(vocabulary)s)::int],
                           words[1 + floor(random() * %(vocabulary)s)::int], words[1 + floor(random() * %(vocabulary)s)::int],
                           words[1 + floor(random() * %(vocabulary)s)::int], words[1 + floor(random() * %(vocabulary)s)::int],
                           words[1 + floor(random() * %(vocabulary)s)::int], words[1 + floor(random() * %(vocabulary)s)::int],
                           words[1 + floor(random() * %(vocabulary)s)::int],
                           CASE WHEN g %% %(step)s = 0 THEN %(rare_word)s ELSE words[1 + floor(random() * %(vocabulary)s)::int] END
                       ) AS body
                FROM vocabulary, generate_series(1, %(messages)s) g
            )
            INSERT INTO chat_message (room_id, seq, author_id, body, html, reply_count, created_at, updated_at)
            SELECT %(room)s, g, %(author)s, body, '<p>' || body || '</p>', 0, at, at FROM generated ORDER BY g
            """,
            {
                "messages": messages,
                "common": COMMON_SHARE,
                "medium": MEDIUM_SHARE,
                "common_word": COMMON,
                "medium_word": MEDIUM,
                "rare_word": RARE,
                "vocabulary": VOCABULARY,
                "step": step,
                "room": room.pk,
                "author": owner.pk,
            },
        )
        cursor.execute("UPDATE chat_room SET last_seq = %s WHERE id = %s", [messages, room.pk])
    # After the commit: the foreign keys' deferred checks must have run before an index build.
    build_search_index()
    vacuum_analyze()
    return time.perf_counter() - started


def build_search_index() -> None:
    """The GIN index of the migrations, built in one pass (a no-op when it is there)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("CREATE INDEX IF NOT EXISTS chat_message_search ON chat_message USING gin (search_vector)")
        cursor.execute("RESET maintenance_work_mem")


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute("VACUUM ANALYZE chat_message")
