"""The analytics benchmark's crowd: up to 1,000 tenants provisioned as bench/provision.py does,
each with a little activity (a few messages in the last day and a half), filled once; then the
hourly pass over all of them an hour later, when nothing is new.

Which tenants are quiet or busy is fixed by their position, so the staff overview has figures to
sort by: tenant n gets 1 + (7n mod 30) messages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench.analytics_report import summary
from bench.provision_levels import fill_to, tenant_count

# Activity is dated in the day and a half before the run, and well before what the fill counts.
ACTIVITY_SPAN = timedelta(hours=36)
ACTIVITY_MARGIN = timedelta(minutes=10)
# How far past the first fill the run's passes go (the hourly pass, then the one after it).
PASSES = timedelta(hours=2)


@dataclass
class PassResult:
    """One pass over every tenant: the whole pass timed, and each tenant's fill in it."""

    now: str
    seconds: float
    tenants: int
    per_tenant_ms: dict[str, float] = field(default_factory=dict)
    outcome: dict[str, int] = field(default_factory=dict)


def ensure_tenants(total: int) -> float:
    """Provision tenants (owner without a usable password, as bench/provision.py fills) until
    `total` are present, the big one included; returns the seconds it took."""
    from tenants.db import use_public_schema

    use_public_schema()
    present = tenant_count()
    if present >= total:
        print(f"==> {present} tenants present", flush=True)
        return 0.0
    print(f"==> Provisioning tenants up to {total} ({present} present) ...", flush=True)
    return fill_to(total)


def tenants() -> list[Any]:
    from django_tenants.utils import get_public_schema_name

    from tenants.db import use_public_schema
    from tenants.models import Client

    use_public_schema()
    return list(Client.objects.exclude(schema_name=get_public_schema_name()).order_by("pk"))


def give_activity(clients: list[Any], now: datetime) -> int:
    """A few messages by the owner in `general` for every tenant that has none yet; returns how
    many tenants got some. Dated before `now` minus the fill's lag, so the first fill counts them."""
    from django.conf import settings
    from django.db import connection

    from accounts.models import User
    from analytics.seeding import insert_messages
    from chat.models import Room
    from tenants.db import in_tenant

    latest = now - timedelta(seconds=settings.ANALYTICS_FILL_LAG_SECONDS) - ACTIVITY_MARGIN
    given = 0
    for n, client in enumerate(clients):
        with in_tenant(client):
            with connection.cursor() as cursor:
                cursor.execute("SELECT EXISTS (SELECT 1 FROM chat_message)")
                if cursor.fetchone()[0]:
                    continue
            owner = User.objects.order_by("pk").values_list("pk", flat=True).first()
            room = Room.objects.order_by("pk").values_list("pk", flat=True).first()
            if room is None:
                continue
            count = 1 + (7 * n) % 30
            step = ACTIVITY_SPAN / count
            insert_messages([(room, owner, latest - step * i, f"status update {i}") for i in range(count)])
            given += 1
    return given


def fill_each(clients: list[Any], now: datetime) -> PassResult:
    """`fill_tenant` for each tenant at `now`, one after another, each timed."""
    from analytics.fill import fill_tenant

    times: list[float] = []
    started = time.perf_counter()
    for client in clients:
        one = time.perf_counter()
        fill_tenant(client, now=now)
        times.append((time.perf_counter() - one) * 1000)
    return PassResult(
        now=now.isoformat(),
        seconds=time.perf_counter() - started,
        tenants=len(clients),
        per_tenant_ms=summary(times),
    )


def hourly_pass(now: datetime, *, wait_for_disk: bool = True) -> PassResult:
    """The beat task's pass (`analytics.tasks.fill_due`) at `now`, timed as a whole.

    `wait_for_disk=False` runs it with `synchronous_commit` off for this session: what the pass
    would cost if its commits did not wait for the WAL to reach the disk (a pass with nothing
    new commits a few times per tenant; a commit lost in a crash only moves a fill state back,
    and the next pass moves it on again)."""
    from django.db import connection

    from analytics.tasks import fill_due
    from tenants.db import use_public_schema

    use_public_schema()
    if not wait_for_disk:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    try:
        started = time.perf_counter()
        outcome = fill_due(now=now)
        seconds = time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
    count = sum(outcome.values())
    per = seconds * 1000 / count if count else 0.0
    return PassResult(now=now.isoformat(), seconds=seconds, tenants=count, per_tenant_ms={"mean": per}, outcome=outcome)


def up_to_date_moment() -> datetime:
    """When every tenant's hourly stats are exactly filled: now, or later if an earlier run
    already filled hours ahead (its passes of the hours after), so this run's first fill and its
    passes each have their hour to move on. The two passes after it stay within one day of UTC
    (every bench tenant's zone): a pass across midnight also counts the day that ended, which is
    beat's once-a-day work, not the quiet hour measured here."""
    from django.conf import settings
    from django.db.models import Max
    from django.utils import timezone

    from analytics.platform.models import FillState

    latest = FillState.objects.filter(property__endswith=":hour").aggregate(latest=Max("end_time"))["latest"]
    lag = timedelta(seconds=settings.ANALYTICS_FILL_LAG_SECONDS)
    moment = timezone.now() if latest is None else max(timezone.now(), latest + lag)
    if (moment + PASSES).date() != moment.date():
        midnight = (moment + PASSES).replace(hour=0, minute=0, second=0, microsecond=0)
        moment = midnight + lag + timedelta(minutes=1)
    return moment
