"""Analytics at scale: a year of a busy tenant on its dashboard, 1,000 tenants for staff, and the
hourly fill when nothing is new.

What is measured
    1. Seeding and backfill. One tenant (`bench-analytics`) with 200 people (2 of them bots)
       who joined over the year, 30 rooms and `--messages` (1,000,000) messages over 365 days,
       written by `analytics.seeding.seed_history` (every tenth message read five minutes on),
       then VACUUM ANALYZE. Its rollups are cleared and `analytics.fill.fill_tenant` backfills
       the year, timed (what `analytics.fill_one` costs a new or far-behind tenant).
    2. The dashboard API of that tenant on the product as deployed (daphne started as the
       Procfile's `web` line, production settings, a fresh process), signed in as its owner
       with an access token: `GET /api/analytics/overview/?range=365&interval=week` and
       `GET /api/analytics/series/?metric=<m>&range=365&interval=week` for every metric,
       `--samples` each, interleaved, over one keep-alive connection, each timed from the
       first byte sent to the last byte received (the API's throttles lifted on this server);
       and `GET /api/me/` the same way, for scale. Baseline, in the same run: the same figures
       counted from the raw tables (`count(*) ... GROUP BY` the week over chat_message,
       chat_readevent, accounts_user and documents, for the range and the one before it),
       `--raw-samples` times (each takes seconds), spread evenly among the requests; the ratio
       printed is raw p95 / API p95.
    3. The staff overview: `/admin/tenants/client/` on the platform host, signed in as platform
       staff (a session), with `--tenants` (1,000) tenants, `--samples` times, plain and sorted
       on each sortable column whose name speaks of messages (`?o=`).
    4. The hourly fill with nothing new: every tenant filled once at a moment T, then the beat
       task's pass (`analytics.tasks.fill_due`) at T + 1 hour, timed as a whole (it fills the
       tenants one after another in this process), and per tenant; then the pass of the hour
       after with `synchronous_commit` off in this session, for comparison (what the commits
       waiting for the disk cost).

    The crowd of tenants is provisioned as bench/provision.py fills its levels (the same code),
    each with 1 to 30 messages in the day and a half before the run, filled once.

    Targets: dashboard API p95 < 100 ms; staff overview p95 < 300 ms at 1,000 tenants; the hourly
    pass over 1,000 tenants < 10 s.

How to run
    make bench-analytics                     # 1,000,000 messages, 1,000 tenants, 200 samples
    make bench-analytics ARGS="--skip-backfill"   # keep the big tenant's rollups of the last run
    make bench-analytics ARGS="--quick"      # 20,000 messages, 20 tenants, 20 samples (CI)

The script never touches the database named in DATABASE_URL: it works in its own database on the
same server, `<name>_bench_analytics`, kept between runs with its tenants (the first run migrates
it, a minute or two, seeds and backfills the year, about two more, and provisions the tenants,
10 to 15 minutes; a re-run takes about 8 minutes, most of it the raw baseline). The big tenant
is seeded again only when it holds another number of messages (or with `--reseed`); its
backfill is timed on every run (`--skip-backfill` keeps the rollups of the last run).
Results are printed and written to bench/results/analytics.json; the server's log goes to
bench/results/analytics-daphne.log.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.analytics_report import RESULTS_FILE, print_report, targets, unanswered  # noqa: E402
from bench.analytics_seed import backfill, ensure_big_tenant  # noqa: E402
from bench.analytics_tenants import (  # noqa: E402
    ensure_tenants,
    fill_each,
    give_activity,
    hourly_pass,
    tenants,
    up_to_date_moment,
)
from bench.analytics_web import SECRET_KEY, measure_web  # noqa: E402
from bench.billing_webhook import drop_queue  # noqa: E402
from bench.lib.database import open_bench_database  # noqa: E402
from bench.lib.machine import load_average, machine_info, machine_line, now  # noqa: E402
from bench.lib.report import write_json  # noqa: E402

DB_SUFFIX = "_bench_analytics"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 messages, 20 tenants, 20 samples (CI)")
    parser.add_argument("--messages", type=int, help="messages of the big tenant (1,000,000; --quick 20,000)")
    parser.add_argument("--tenants", type=int, help="tenants in all, the big one included (1,000; --quick 20)")
    parser.add_argument("--samples", type=int, help="requests per case (200; --quick 20)")
    parser.add_argument(
        "--raw-samples", type=int, help="raw counts per case, spread among the requests (10; --quick 20)"
    )
    parser.add_argument("--reseed", action="store_true", help="seed the big tenant again")
    parser.add_argument("--skip-backfill", action="store_true", help="keep the big tenant's rollups (no backfill)")
    parser.add_argument("--skip-web", action="store_true", help="no server: seeding and fills only")
    args = parser.parse_args(argv)
    args.messages = args.messages or (20_000 if args.quick else 1_000_000)
    args.tenants = args.tenants or (20 if args.quick else 1000)
    args.samples = args.samples or (20 if args.quick else 200)
    args.raw_samples = min(args.raw_samples or (20 if args.quick else 10), args.samples)
    if args.messages < 1000 or args.tenants < 2 or args.samples < 2:
        parser.error("--messages must be at least 1,000, --tenants at least 2 and --samples at least 2")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    # A tenant the hourly pass finds far behind is queued for a worker: on a queue of the run's own,
    # emptied at the end (no worker takes it; every tenant is filled just before the pass).
    queue = f"bench-analytics-{os.getpid()}"
    env = {"DJANGO_SECRET_KEY": SECRET_KEY, "CELERY_QUEUE": queue}
    database = open_bench_database(DB_SUFFIX, "bench-analytics", env=env)
    try:
        return run(args, database)
    finally:
        drop_queue(queue)


def run(args: argparse.Namespace, database: str) -> int:
    report: dict[str, Any] = {"date": now(), "machine": machine_info(), "database": database, "options": vars(args)}
    load_start = load_average()
    print(f"==> {machine_line(load_start)}", flush=True)

    big = ensure_big_tenant(args.messages, reseed=args.reseed)
    report["big_tenant"] = {"messages": big.messages, "seed_seconds": big.seed_seconds}
    if not args.skip_backfill:
        print(f"==> Backfilling a year of {big.messages:,} messages ...", flush=True)
        report["backfill"] = backfill(big.client)
        print(f"    ({report['backfill']['seconds']:.1f}s)", flush=True)

    report["provision_seconds"] = ensure_tenants(args.tenants)
    clients = tenants()
    moment = up_to_date_moment()
    report["activity_given"] = give_activity(clients, moment)
    print(f"==> Filling {len(clients)} tenants once (at {moment:%H:%M:%S} UTC) ...", flush=True)
    report["first_fill"] = vars(fill_each(clients, moment))
    print(f"    ({report['first_fill']['seconds']:.1f}s)", flush=True)
    later = moment + timedelta(hours=1)
    print(f"==> The hourly pass an hour later (at {later:%H:%M:%S} UTC), nothing new ...", flush=True)
    report["hourly_pass"] = vars(hourly_pass(later))
    print(f"    ({report['hourly_pass']['seconds']:.1f}s)", flush=True)
    print("==> The pass of the hour after, its commits not waiting for the disk (for comparison) ...", flush=True)
    report["hourly_pass_async_commit"] = vars(hourly_pass(later + timedelta(hours=1), wait_for_disk=False))
    print(f"    ({report['hourly_pass_async_commit']['seconds']:.1f}s)", flush=True)

    if not args.skip_web:
        report["web"] = measure_web(big, args.samples, args.raw_samples)
    report["load_average"] = {"start": load_start, "end": load_average()}
    report["targets"] = targets(report)
    print_report(report)
    write_json(RESULTS_FILE, report)
    print(f"\nResults written to {RESULTS_FILE.relative_to(ROOT)}")
    return 1 if unanswered(report) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
