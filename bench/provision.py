"""How long does it take to provision a tenant, and how does that grow with the tenant count?

What is measured
    The sign-up path: one full `tenants.actions.do_provision_workspace` call WITH an owner
    password (row, domain, schema cloned from the template, PBKDF2-hashed owner, brand and
    `general` room, in one transaction), timed wall-clock, with 10, 100 and 1,000 tenants
    already present (`--levels`). At each level `--samples` calls are made, each creating a
    new tenant (they count towards the next level), and p50 / p95 / max are reported (p95
    interpolated between the closest ranks). The database is filled up to each level with the
    same action (owner without a usable password, which keeps filling fast). Each level's mean
    is broken down into `clone_template_into` alone (run in a transaction that is rolled back),
    password hashing alone (`make_password`) and the rest; both are timed once after every
    sample, so they run under the same conditions as the samples.

    The baseline, measured once per run after the levels: migration-based creation, as
    django-tenants does it without a template (`CREATE SCHEMA`, then `migrate_schemas` for
    that schema), after which the schema is dropped. The ratio printed is
    baseline / p95 at the highest level.

    Targets: p95 under 1 s at 1,000 tenants, and at least 50 times faster than the baseline.

    The test settings hash passwords with MD5 to keep the tests fast; this script switches
    back to the production hashers (PBKDF2) so the sign-up path costs what it costs in
    production.

How to run
    make bench-provision                       # all levels, with the baseline
    make bench-provision ARGS="--levels 10 --samples 5 --skip-baseline"   # quick iteration

    or directly, against servers of your own:
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dev REDIS_URL=redis://127.0.0.1:6379/9 \\
        DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/provision.py

The script never touches the database named in DATABASE_URL: it works in its own database on
the same server, `<name>_bench_provision`, which it keeps between runs together with the
tenants already created (the first run migrates it, about two minutes because of dj-stripe,
then fills 1,000 tenants, a few minutes; a re-run takes about three, most of it the baseline).
A level below the number of tenants already present is brought back to exactly its count by
dropping the newest tenants when that costs no more than filling it did (at most as many
tenants as the level); otherwise it is skipped, and its result from an earlier run on the same
database is shown instead, marked with its date. `--fresh` drops and recreates the database,
so that every level is measured in one run. The ratio and the targets only use this run's
measurements.

Results are printed as a table and written to bench/results/provision.json (rewritten after
each level, so an interrupted run keeps what it measured).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DB_SUFFIX = "_bench_provision"
SLUG_PREFIX = "bench-"
OWNER_PASSWORD = "bench-correct-horse-battery"
BASELINE_SCHEMA = "bench_migrate_baseline"
CLONE_PROBE_SCHEMA = "bench_clone_probe"
TARGET_P95_SECONDS = 1.0
TARGET_LEVEL = 1000
TARGET_RATIO = 50.0
RESULTS_FILE = ROOT / "bench" / "results" / "provision.json"


# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------
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


@dataclass
class Report:
    date: str
    complete: bool  # False while the run is in progress (the file is rewritten after each level)
    machine: dict[str, Any]
    database: str
    samples_per_level: int
    load_average: dict[str, list[float]]
    levels: list[LevelResult]
    fill_seconds: float
    baseline_seconds: float | None
    ratio: float | None
    ratio_level: int | None
    targets: dict[str, Any]


# ----------------------------------------------------------------------------------------------
# The benchmark's own database (before django.setup())
# ----------------------------------------------------------------------------------------------
def bench_database_url(url: str, suffix: str = DB_SUFFIX) -> str:
    """DATABASE_URL with its database name (the last path segment) suffixed with `suffix`, or
    with BENCH_DATABASE_SUFFIX when set: `make bench-quick` runs every benchmark in one database,
    migrated once, instead of one each (migrating a new database takes minutes)."""
    suffix = os.environ.get("BENCH_DATABASE_SUFFIX") or suffix
    base, sep, query = url.partition("?")
    head, slash, name = base.rpartition("/")
    if not slash or not name:
        raise SystemExit(f"cannot find a database name in DATABASE_URL {url!r}")
    if name.endswith(suffix):
        return url
    return f"{head}/{name}{suffix}{sep}{query}"


def server_connection_kwargs(url: str) -> dict[str, Any]:
    """psycopg keyword arguments for the server's maintenance database `postgres`."""
    import environ

    config = environ.Env.db_url_config(url)
    kwargs: dict[str, Any] = {"dbname": "postgres", "autocommit": True}
    for key, option in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
        if config.get(key):
            kwargs[option] = config[key]
    kwargs.update(config.get("OPTIONS", {}))
    return kwargs


def prepare_database(url: str, *, fresh: bool) -> str:
    """Create (or with `fresh`, drop and recreate) the benchmark database; return its name."""
    import environ
    import psycopg
    from psycopg import sql

    name = str(environ.Env.db_url_config(url)["NAME"])
    with psycopg.connect(**server_connection_kwargs(url)) as conn:
        if fresh:
            print(f"Dropping database {name} (--fresh) ...", flush=True)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"Creating database {name} ...", flush=True)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    # One line per provisioned tenant would drown the table.
    logging.getLogger("tenants").setLevel(logging.WARNING)


def use_production_password_hashers() -> None:
    from django.test.utils import override_settings

    from config.settings import base

    override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS).enable()


# ----------------------------------------------------------------------------------------------
# Tenants
# ----------------------------------------------------------------------------------------------
def use_public_schema() -> None:
    from django.db import connection

    cast(Any, connection).set_schema_to_public()  # added by django-tenants' backend at run time


def bench_tenant(slug: str, *, name: str, owner_email: str, owner_name: str = "", id_floor: int) -> Any:
    """The benchmark's own tenant, provisioned on first use with an id of at least `id_floor`.

    PubSub channels belong to the whole Redis server, not to one of its databases, and group
    names carry the tenant id: an id no development or test database uses keeps a benchmark's
    events out of other processes on the same Redis, and theirs out of it."""
    from django.db import connection

    from tenants.actions import do_provision_workspace
    from tenants.db import use_public_schema
    from tenants.models import Client

    use_public_schema()
    client = Client.objects.filter(slug=slug).first()
    if client is None:
        print(f"==> Creating the tenant {slug} ...", flush=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('tenants_client', 'id'),"
                " GREATEST((SELECT MAX(id) FROM tenants_client), %s))",
                [id_floor],
            )
        client = do_provision_workspace(
            slug=slug, name=name, owner_email=owner_email, owner_password=None, owner_name=owner_name
        ).client
    return client


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 20) -> None:
    """SIGTERM (a server's or a worker's warm shutdown), then SIGKILL after `timeout` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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


# ----------------------------------------------------------------------------------------------
# Measurements
# ----------------------------------------------------------------------------------------------
def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default, `inclusive` quantiles)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


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


def drop_schema(name: str) -> None:
    from django.db import connection

    use_public_schema()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def measure_baseline() -> float:
    """Migration-based creation, as django-tenants does without a template schema."""
    from django.core.management import call_command
    from django.db import connection

    drop_schema(BASELINE_SCHEMA)
    try:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{BASELINE_SCHEMA}"')
        call_command("migrate_schemas", tenant=True, schema_name=BASELINE_SCHEMA, interactive=False, verbosity=0)
        return time.perf_counter() - started
    finally:
        drop_schema(BASELINE_SCHEMA)


# ----------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------
def machine_info() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    return {**host_info(), "postgresql": row[0] if row else "?"}


def host_info() -> dict[str, Any]:
    """The machine and Python of a run, for every benchmark's report."""
    import django

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def previous_results(database: str) -> dict[int, LevelResult]:
    """Levels measured by earlier runs on `database`, from the results file (if any)."""
    try:
        data = json.loads(RESULTS_FILE.read_text())
    except (OSError, ValueError):
        return {}
    if data.get("database") != database:
        return {}
    names = {f.name for f in fields(LevelResult)}
    results = {}
    for item in data.get("levels", []):
        if item.get("status") in ("measured", "previous") and item.get("measured_on"):
            result = LevelResult(**{k: v for k, v in item.items() if k in names})
            results[result.level] = result
    return results


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def targets(levels: list[LevelResult], ratio: float | None) -> dict[str, Any]:
    at_target = next((r for r in levels if r.level == TARGET_LEVEL and r.status == "measured"), None)
    p95 = at_target.p95 if at_target else None
    return {
        "p95_under_1s_at_1000": None if p95 is None else p95 < TARGET_P95_SECONDS,
        "ratio_at_least_50": None if ratio is None else ratio >= TARGET_RATIO,
    }


def verdict(value: bool | None) -> str:
    return "not measured" if value is None else ("MET" if value else "NOT MET")


def print_report(report: Report) -> None:
    print()
    print(f"Provisioning a tenant (sign-up path), {report.samples_per_level} samples per level, seconds")
    print(
        f"{'tenants present':>16} {'p50':>7} {'p95':>7} {'max':>7} {'mean':>7}   {'clone':>7} {'hashing':>7} {'rest':>7}"
    )
    for r in report.levels:
        if r.status == "skipped":
            print(f"{r.level:>16} skipped: {r.note}")
            continue
        marker = "*" if r.status == "previous" else " "
        print(
            f"{r.present:>15}{marker} {r.p50:>7.3f} {r.p95:>7.3f} {r.max:>7.3f} {r.mean:>7.3f}"
            f"   {r.clone_mean:>7.3f} {r.hash_mean:>7.3f} {r.rest_mean:>7.3f}"
        )
    print("(clone: clone_template_into alone; hashing: make_password alone; rest: mean - clone - hashing)")
    for r in report.levels:
        if r.status == "previous":
            print(f"* measured on {r.measured_on} by an earlier run; {r.note}")
    print()
    if report.baseline_seconds is None:
        print("Baseline skipped (--skip-baseline): no ratio.")
    else:
        print(f"Baseline, migration-based creation: {report.baseline_seconds:.1f}s")
        if report.ratio is not None:
            print(f"Ratio baseline / p95 at {report.ratio_level} tenants: {report.ratio:.0f}x")
    print(
        f"Target p95 < {TARGET_P95_SECONDS:.0f} s at {TARGET_LEVEL:,} tenants: {verdict(report.targets['p95_under_1s_at_1000'])}"
    )
    print(f"Target ratio >= {TARGET_RATIO:.0f}: {verdict(report.targets['ratio_at_least_50'])}")
    load = report.load_average
    print(f"Load average (1, 5, 15 min) at start {load['start']}, at end {load['end']}; {report.machine['cpus']} CPUs")


def write_json(report: Report, *, quiet: bool = False) -> None:
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(asdict(report), indent=2) + "\n")
    if not quiet:
        print(f"\nResults written to {RESULTS_FILE.relative_to(ROOT)}")


@dataclass
class Run:
    """What one run has measured so far."""

    database: str
    samples: int
    load_start: list[float]
    levels: list[LevelResult] = field(default_factory=list)
    fill_seconds: float = 0.0
    baseline: float | None = None


def build_report(run: Run, *, complete: bool) -> Report:
    """The report; the ratio only uses levels measured in this run, like the baseline."""
    measured = [r for r in run.levels if r.status == "measured"]
    ratio = ratio_level = None
    if run.baseline is not None and measured and measured[-1].p95:
        ratio, ratio_level = run.baseline / measured[-1].p95, measured[-1].level
    return Report(
        date=now(),
        complete=complete,
        machine=machine_info(),
        database=run.database,
        samples_per_level=run.samples,
        load_average={"start": run.load_start, "end": load_average()},
        levels=run.levels,
        fill_seconds=run.fill_seconds,
        baseline_seconds=run.baseline,
        ratio=ratio,
        ratio_level=ratio_level,
        targets=targets(run.levels, ratio),
    )


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------
def parse_levels(value: str) -> list[int]:
    try:
        levels = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError("levels are comma-separated whole numbers") from exc
    if not levels or levels[0] < 1:
        raise argparse.ArgumentTypeError("levels must be positive")
    return levels


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", type=parse_levels, default=[10, 100, 1000], help="default 10,100,1000")
    parser.add_argument("--samples", type=int, default=20, help="sign-ups timed per level (default 20)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database")
    parser.add_argument("--skip-baseline", action="store_true", help="skip migration-based creation (no ratio)")
    args = parser.parse_args(argv)
    if args.samples < 1:
        parser.error("--samples must be at least 1")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    source_url = os.environ.get("DATABASE_URL")
    if not source_url:
        print("DATABASE_URL is not set; run through `make bench-provision`.", file=sys.stderr)
        return 2
    url = bench_database_url(source_url)
    database = prepare_database(url, fresh=args.fresh)
    setup_django(url)
    use_production_password_hashers()

    from django.core.management import call_command

    print(f"==> Migrating {database} (public, template, tenants) ...", flush=True)
    started = time.perf_counter()
    call_command("migrate_all", verbosity=1)
    print(f"    ({time.perf_counter() - started:.1f}s; {tenant_count()} tenants present)", flush=True)

    run = Run(database=database, samples=args.samples, load_start=load_average())
    previous = previous_results(database)
    for level in args.levels:
        print(f"==> Level {level}", flush=True)
        result, filled = measure_level(level, args.samples, previous)
        run.levels.append(result)
        run.fill_seconds += filled
        write_json(build_report(run, complete=False), quiet=True)  # survives an interrupted run

    if not args.skip_baseline:
        print("==> Baseline: migration-based creation of one schema (over a minute) ...", flush=True)
        run.baseline = measure_baseline()

    report = build_report(run, complete=True)
    print_report(report)
    write_json(report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
