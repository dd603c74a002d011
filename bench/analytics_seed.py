"""The analytics benchmark's big tenant: a year of activity and a million messages, written with
`analytics.seeding` (the demo's and the tests' history), then backfilled by `analytics.fill`.

The tenant is kept between runs; it is seeded again only when it does not hold about the
messages asked for (`seed_history` writes "about" that many: per-day counts are rounded).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bench.lib.tenant import bench_tenant

SLUG = "bench-analytics"
OWNER_EMAIL = f"owner@{SLUG}.bench.test"
# Ids of no development or test database (bench/lib/tenant.py); the 1,000 others follow it.
TENANT_ID_FLOOR = 980_000
PEOPLE, BOTS, ROOMS, DAYS = 200, 2, 30, 365
PEOPLE_PREFIX = "bench"
# seed_history rounds each day's count: a tenant within this share of the count asked is reused.
TOLERANCE = 0.01


@dataclass
class BigTenant:
    client: Any
    owner: Any
    host: str
    messages: int
    seed_seconds: float | None  # None: reused from an earlier run


def message_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM chat_message")
        return int(cursor.fetchone()[0])


def drop_tenant(slug: str) -> None:
    """The tenant's schema, domains, rows in public (fill states, counts, activity) and itself."""
    from django.db import connection, transaction

    from tenants.db import use_public_schema
    from tenants.models import Client, Domain

    use_public_schema()
    client = Client.objects.filter(slug=slug).first()
    if client is None:
        return
    print(f"==> Dropping the tenant {slug} to seed it again ...", flush=True)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{client.schema_name}" CASCADE')
        Domain.objects.filter(tenant_id=client.pk).delete()
        Client.objects.filter(pk=client.pk).delete()  # its public analytics rows cascade


def seed(messages: int) -> float:
    """People who joined over the year (a few of them bots), rooms they all belong to, and a year
    of messages and reads; then VACUUM ANALYZE, as autovacuum would have run on a live table."""
    from django.db import connection
    from django.utils import timezone

    from analytics.seeding import Cast, make_people, make_rooms, seed_history

    started = time.perf_counter()
    now = timezone.now()
    joined = [now - timedelta(days=DAYS - DAYS * n // PEOPLE) for n in range(PEOPLE)]
    people = make_people(PEOPLE, prefix=PEOPLE_PREFIX, joined=joined, bots=BOTS)
    rooms = make_rooms(ROOMS, prefix=PEOPLE_PREFIX, members=people)
    cast = Cast(people=[p.pk for p in people], rooms=[r.pk for r in rooms])
    written = seed_history(cast=cast, days=DAYS, messages=messages, end=now)
    print(f"    {written:,} messages written in {time.perf_counter() - started:.0f}s; VACUUM ANALYZE ...", flush=True)
    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        for table in ("chat_message", "chat_readevent", "accounts_user"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def ensure_big_tenant(messages: int, *, reseed: bool) -> BigTenant:
    """The tenant with about `messages` messages over a year, seeded if it is missing or holds
    another number; the connection is left on its schema."""
    from django.conf import settings
    from django.db import connection

    from accounts.models import User
    from tenants.db import in_tenant

    client = bench_tenant(SLUG, name="Bench Analytics", owner_email=OWNER_EMAIL, id_floor=TENANT_ID_FLOOR)
    with in_tenant(client):
        present = message_count()
    seed_seconds = None
    if reseed or abs(present - messages) > messages * TOLERANCE:
        # Whatever is there (another count, or a seeding that was interrupted) goes first.
        drop_tenant(SLUG)
        client = bench_tenant(SLUG, name="Bench Analytics", owner_email=OWNER_EMAIL, id_floor=TENANT_ID_FLOOR)
        print(
            f"==> Seeding {SLUG}: {PEOPLE} people, {ROOMS} rooms, {messages:,} messages over {DAYS} days ...",
            flush=True,
        )
        with in_tenant(client):
            seed_seconds = seed(messages)
            present = message_count()
        print(f"    ({seed_seconds:.0f}s)", flush=True)
    else:
        print(f"==> Reusing {SLUG}'s {present:,} messages", flush=True)
    connection.set_tenant(client)  # type: ignore[attr-defined]  # django-tenants' backend
    owner = User.objects.get(email=OWNER_EMAIL)
    return BigTenant(
        client=client,
        owner=owner,
        host=f"{SLUG}.{settings.PLATFORM_DOMAIN}",
        messages=present,
        seed_seconds=seed_seconds,
    )


def clear_rollups(client: Any) -> None:
    """Every rollup and fill state of the tenant, so the backfill counts the year from nothing."""
    from django.db import connection, transaction

    from analytics.platform.models import ClientActivity, ClientCount, FillState
    from tenants.db import in_tenant, use_public_schema

    with in_tenant(client), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE analytics_usercount, analytics_roomcount, analytics_tenantcount")
    use_public_schema()
    with transaction.atomic():
        FillState.objects.filter(client=client).delete()
        ClientCount.objects.filter(client=client).delete()
        ClientActivity.objects.filter(client=client).delete()


def backfill(client: Any) -> dict[str, Any]:
    """The full backfill of a year (what `analytics.fill_one` does for a new or far-behind
    tenant), timed; then ANALYZE of the rollups, as autovacuum would after so many inserts."""
    from django.db import connection

    from analytics.fill import fill_tenant
    from tenants.db import in_tenant

    clear_rollups(client)
    started = time.perf_counter()
    report = fill_tenant(client)
    seconds = time.perf_counter() - started
    rows: dict[str, int] = {}
    with in_tenant(client), connection.cursor() as cursor:
        for table in ("analytics_usercount", "analytics_roomcount", "analytics_tenantcount"):
            cursor.execute(f"ANALYZE {table}")
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            rows[table] = int(cursor.fetchone()[0])
    return {"seconds": seconds, "stats_filled": report.stats_filled, "rows": rows}
