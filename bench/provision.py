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
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.lib.cli import parse_counts  # noqa: E402
from bench.lib.database import open_bench_database  # noqa: E402
from bench.lib.machine import load_average  # noqa: E402
from bench.provision_levels import measure_level, tenant_count, use_production_password_hashers  # noqa: E402
from bench.provision_report import Run, build_report, previous_results, print_report, write_json  # noqa: E402

DB_SUFFIX = "_bench_provision"
BASELINE_SCHEMA = "bench_migrate_baseline"


def drop_schema(name: str) -> None:
    from django.db import connection

    from tenants.db import use_public_schema

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


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", type=parse_counts, default=[10, 100, 1000], help="default 10,100,1000")
    parser.add_argument("--samples", type=int, default=20, help="sign-ups timed per level (default 20)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database")
    parser.add_argument("--skip-baseline", action="store_true", help="skip migration-based creation (no ratio)")
    args = parser.parse_args(argv)
    if args.samples < 1:
        parser.error("--samples must be at least 1")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    database = open_bench_database(DB_SUFFIX, "bench-provision", fresh=args.fresh, verbosity=1)
    use_production_password_hashers()
    print(f"    ({tenant_count()} tenants present)", flush=True)

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
