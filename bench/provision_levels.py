"""The provisioning benchmark's levels: filling the database up to a number of tenants, and
timing sign-ups there (with the clone and the password hashing timed alone between them)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field, replace

from bench.lib.machine import now
from bench.lib.stats import percentile

SLUG_PREFIX = "bench-"
OWNER_PASSWORD = "bench-correct-horse-battery"
CLONE_PROBE_SCHEMA = "bench_clone_probe"


@dataclass
class LevelResult:
    level: int
    status: str  # "measured" (in this run), "previous" (an earlier run's, see note) or "skipped"
    note: str = ""
    measured_on: str = ""  # UTC date and time of the measurement
    present: int = 0  # tenants present before the first sample
    samples: list[float] = field(default_factory=list)
    p50: float | None = None
    p95: float | None = None
    max: float | None = None
    mean: float | None = None
    # The breakdown of the mean, probed between the samples so both see the same load.
    clone_samples: list[float] = field(default_factory=list)
    hash_samples: list[float] = field(default_factory=list)
    clone_mean: float | None = None
    hash_mean: float | None = None
    rest_mean: float | None = None


def use_production_password_hashers() -> None:
    from django.test.utils import override_settings

    from config.settings import base

    override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS).enable()


def tenant_count() -> int:
    from tenants.models import Client

    return Client.objects.exclude(schema_name="public").count()


def next_index() -> int:
    from tenants.models import Client

    slugs = Client.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True)
    numbers = [int(s.removeprefix(SLUG_PREFIX)) for s in slugs if s.removeprefix(SLUG_PREFIX).isdigit()]
    return max(numbers, default=0) + 1


def provision(index: int, *, password: str | None) -> float:
    """Provision tenant number `index`; return the seconds the action took."""
    from tenants.actions import do_provision_workspace

    slug = f"{SLUG_PREFIX}{index:05d}"
    started = time.perf_counter()
    do_provision_workspace(
        slug=slug,
        name=f"Bench {index}",
        owner_email=f"owner@{slug}.example.com",
        owner_password=password,
        owner_name="Bench Owner",
    )
    return time.perf_counter() - started


def fill_to(target: int) -> float:
    """Provision filler tenants (no usable password) until `target` are present; return seconds."""
    missing = target - tenant_count()
    if missing <= 0:
        return 0.0
    print(f"  filling {missing} tenants up to {target} ...", flush=True)
    index = next_index()
    started = time.perf_counter()
    for done in range(1, missing + 1):
        provision(index, password=None)
        index += 1
        if done % 100 == 0 or done == missing:
            elapsed = time.perf_counter() - started
            print(f"    {done}/{missing} in {elapsed:.0f}s ({elapsed / done:.3f}s each)", flush=True)
    return time.perf_counter() - started


def drop_newest_tenants(count: int) -> None:
    """Drop the `count` newest benchmark tenants (schema, domains, row)."""
    from django.db import connection, transaction

    from tenants.db import use_public_schema
    from tenants.models import Client, Domain

    use_public_schema()
    newest = list(Client.objects.filter(slug__startswith=SLUG_PREFIX).order_by("-pk")[:count])
    print(f"  dropping the {len(newest)} newest tenants ...", flush=True)
    for client in newest:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{client.schema_name}" CASCADE')
            Domain.objects.filter(tenant_id=client.pk).delete()
            Client.objects.filter(pk=client.pk).delete()


def summarise(result: LevelResult) -> None:
    result.p50 = percentile(result.samples, 0.50)
    result.p95 = percentile(result.samples, 0.95)
    result.max = max(result.samples)
    result.mean = statistics.fmean(result.samples)
    result.clone_mean = statistics.fmean(result.clone_samples)
    result.hash_mean = statistics.fmean(result.hash_samples)
    result.rest_mean = result.mean - result.clone_mean - result.hash_mean


def clone_once_rolled_back() -> float:
    """Time `clone_template_into` alone, inside a transaction that is then rolled back."""
    from django.db import transaction

    from tenants.db import use_public_schema
    from tenants.provisioning import clone_template_into

    use_public_schema()
    with transaction.atomic():
        started = time.perf_counter()
        clone_template_into(CLONE_PROBE_SCHEMA)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def hash_once() -> float:
    from django.contrib.auth.hashers import make_password

    started = time.perf_counter()
    make_password(OWNER_PASSWORD)
    return time.perf_counter() - started


def measure_level(level: int, samples: int, previous: dict[int, LevelResult]) -> tuple[LevelResult, float]:
    """Bring the database to `level` tenants and time `samples` sign-ups; also return fill seconds.

    A level the database has grown past (see the module docstring) is skipped, and shown with
    its result from `previous` runs on the same database if there is one.

    After each sign-up, the clone alone and the password hashing alone are timed once, so the
    breakdown of the mean is taken under the same conditions as the mean itself.
    """
    present = tenant_count()
    if present > level and present - level <= level:
        drop_newest_tenants(present - level)
        present = tenant_count()
    if present > level:
        note = f"{present} tenants already present; --fresh measures this level"
        print(f"  skipped: {note}", flush=True)
        if level in previous:
            print(f"  showing the result measured on {previous[level].measured_on}", flush=True)
            return replace(previous[level], status="previous", note=note), 0.0
        return LevelResult(level=level, status="skipped", note=note, present=present), 0.0
    fill_seconds = fill_to(level)
    result = LevelResult(level=level, status="measured", present=tenant_count(), measured_on=now())
    index = next_index()
    for _ in range(samples):
        result.samples.append(provision(index, password=OWNER_PASSWORD))
        index += 1
        result.clone_samples.append(clone_once_rolled_back())
        result.hash_samples.append(hash_once())
    summarise(result)
    print(
        f"  {result.present:>6} present: p50 {result.p50:.3f}s  p95 {result.p95:.3f}s  max {result.max:.3f}s"
        f"  (clone {result.clone_mean:.3f}s, hashing {result.hash_mean:.3f}s, rest {result.rest_mean:.3f}s)",
        flush=True,
    )
    return result, fill_seconds
