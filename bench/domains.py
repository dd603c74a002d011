"""How fast does the TLS ask endpoint answer, and does it slow down with the number of domains?

What is measured
    `GET /internal/tls/ask?domain=<host>`, what Caddy's on-demand TLS calls before each new
    certificate, answered by daphne started as the Procfile starts it (`daphne -b 127.0.0.1
    -p PORT --proxy-headers config.asgi:application`) with the production settings (DEBUG off,
    persistent database connections, SECURE_SSL_REDIRECT on, the request log at INFO). One
    client on loopback asks over one keep-alive HTTP/1.1 connection, by IP address as the front
    end does, one request at a time: 90% of the names are verified domains (200), 10% names
    nobody has (404). Each request is timed from send to the last byte of the answer; p50, p99
    and max are reported per level.

    Two levels in the same run, against the same warm server: 10 verified domains, and 10,000
    (`--large`). The verified domains are a bench tenant's claims with their `Domain` rows,
    written in bulk (as a day of sign-ups would leave them), then ANALYZE. `--rounds` rounds
    measure small, then large (filled), then small again (emptied back to 10), and so on: the
    two levels are interleaved, so a machine that grows busier mid-run does not favour either.

    Targets: p99 < 5 ms with 10,000 domains, and at most 1.5 x the p99 with 10 domains. The
    ratio printed is p99(10,000) / p99(10).

How to run
    make bench-domains                       # 10 and 10,000 domains, 3,000 requests per level and round
    make bench-domains ARGS="--quick"        # 10 and 1,000 domains, 300 requests: well under a minute

The script never touches the database named in DATABASE_URL: it works in its own database on the
same server, `<name>_bench_domains` (the first run migrates it, about two minutes because of
dj-stripe). `--same-database --tenant SLUG` works in DATABASE_URL's own, already migrated
database instead, on an existing tenant, and removes everything it added afterwards (the test
suite runs `--quick` that way). Results are printed and written to bench/results/domains.json
(`--results` elsewhere).
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.lib.database import open_bench_database, setup_django, source_database_url  # noqa: E402
from bench.lib.machine import load_average, machine_info, machine_line, now  # noqa: E402
from bench.lib.report import RESULTS_DIR, write_json  # noqa: E402
from bench.lib.stats import percentile, verdict  # noqa: E402
from bench.lib.tenant import bench_tenant  # noqa: E402
from bench.lib.webserver import WebServer, production_env  # noqa: E402

DB_SUFFIX = "_bench_domains"
SLUG = "bench-domains"
# Every name the benchmark writes ends so; the clean-up removes exactly these.
SUFFIX = ".bench-domains.example"
TARGET_P99_MS = 5.0
TARGET_RATIO = 1.5
MISS_SHARE = 0.1
RESULTS_FILE = RESULTS_DIR / "domains.json"
SECRET_KEY = "bench-domains-not-secret-but-long-enough-for-production-settings"


# ----------------------------------------------------------------------------------------------
# The domains
# ----------------------------------------------------------------------------------------------
def name_of(index: int) -> str:
    return f"d{index:06d}{SUFFIX}"


def bench_domain_count() -> int:
    from tenants.models import Domain

    return Domain.objects.filter(domain__endswith=SUFFIX).count()


def fill_to(tenant: Any, count: int) -> float:
    """Exactly `count` verified bench domains of `tenant` (claims and Domain rows); seconds taken."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tenants.models import CustomDomain, Domain

    started = time.perf_counter()
    present = bench_domain_count()
    with transaction.atomic():
        if present > count:
            extra = [name_of(i) for i in range(count, present)]
            Domain.objects.filter(domain__in=extra).delete()
            CustomDomain.objects.filter(domain__in=extra).delete()
        elif present < count:
            moment = timezone.now()
            names = [name_of(i) for i in range(present, count)]
            CustomDomain.objects.bulk_create(
                [
                    CustomDomain(
                        tenant=tenant,
                        domain=name,
                        status=CustomDomain.Status.VERIFIED,
                        token=f"{i:032x}",
                        checked_at=moment,
                        verified_at=moment,
                        next_check_at=moment + timedelta(days=1),
                    )
                    for i, name in enumerate(names)
                ],
                batch_size=2000,
            )
            Domain.objects.bulk_create(
                [Domain(domain=name, tenant=tenant, is_primary=False) for name in names], batch_size=2000
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tenants_domain")
        cursor.execute("ANALYZE tenants_customdomain")
    return time.perf_counter() - started


def remove_bench_domains() -> None:
    from tenants.models import CustomDomain, Domain

    Domain.objects.filter(domain__endswith=SUFFIX).delete()
    CustomDomain.objects.filter(domain__endswith=SUFFIX).delete()


# ----------------------------------------------------------------------------------------------
# The server and the client
# ----------------------------------------------------------------------------------------------
class Daphne(WebServer):
    """The Procfile's `web` command on a free loopback port, production settings; ready once
    the ask endpoint answers."""

    def __init__(self, results_dir: Path) -> None:
        super().__init__(results_dir / "domains-daphne.log", production_env(SECRET_KEY))

    def answers(self) -> bool:
        try:
            status, _ = ask_once(http.client.HTTPConnection("127.0.0.1", self.port, timeout=2), "probe.example")
        except OSError:
            return False
        return status in (200, 404)


def ask_once(conn: http.client.HTTPConnection, host: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn.request("GET", f"/internal/tls/ask?domain={host}", headers={"Host": f"127.0.0.1:{conn.port}"})
    response = conn.getresponse()
    response.read()
    return response.status, time.perf_counter() - started


def measure(
    port: int, domains: int, requests: int, warm_up: int, rng: random.Random, *, floor: str | None = None
) -> dict[str, Any]:
    """`requests` asks (after `warm_up` untimed ones) over one keep-alive connection. With
    `floor` (the platform's own host, refused before any lookup), every ask is that one: the
    same server and path without the database, what the machine itself costs."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    samples: list[float] = []
    wrong = 0
    try:
        for n in range(warm_up + requests):
            miss = floor is not None or rng.random() < MISS_SHARE
            if floor is not None:
                host = floor
            elif miss:
                host = f"nobody-{rng.randrange(10**9)}.example.net"
            else:
                host = name_of(rng.randrange(domains))
            status, seconds = ask_once(conn, host)
            if status != (404 if miss else 200):
                wrong += 1
            if n >= warm_up:
                samples.append(seconds * 1000)
    finally:
        conn.close()
    return {"domains": domains, "samples": samples, "wrong": wrong}


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(samples, 0.50),
        "p99_ms": percentile(samples, 0.99),
        "max_ms": max(samples),
        "mean_ms": statistics.fmean(samples),
        "count": len(samples),
    }


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=10, help="domains of the small level (10)")
    parser.add_argument("--large", type=int, default=10_000, help="domains of the large level (10,000)")
    parser.add_argument("--requests", type=int, default=3000, help="timed requests per level and round")
    parser.add_argument("--warm-up", type=int, default=300, help="untimed requests before each measurement")
    parser.add_argument("--rounds", type=int, default=2, help="small-then-large rounds")
    parser.add_argument("--quick", action="store_true", help="10 and 1,000 domains, 300 requests, one round")
    parser.add_argument("--same-database", action="store_true", help="use DATABASE_URL's database as it is")
    parser.add_argument("--tenant", default=SLUG, help="slug of the tenant owning the domains")
    parser.add_argument("--results", type=Path, default=RESULTS_FILE)
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args(argv)
    if args.quick:
        args.large, args.requests, args.warm_up, args.rounds = 1000, 300, 50, 1
    if not 0 < args.small < args.large:
        parser.error("--small must be positive and below --large")
    return args


def tenant_for(slug: str, *, existing_only: bool) -> Any:
    from tenants.models import Client

    client = Client.objects.filter(slug=slug).first()
    if client is not None:
        return client
    if existing_only:
        raise SystemExit(f"no tenant {slug!r} in this database")
    return bench_tenant(slug, name="Bench Domains", owner_email=f"owner@{slug}.example.com", id_floor=970_000)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if args.same_database:
        setup_django(source_database_url("bench-domains"))
    else:
        open_bench_database(DB_SUFFIX, "bench-domains")  # and DATABASE_URL names it, for the server

    tenant = tenant_for(args.tenant, existing_only=args.same_database)
    remove_bench_domains()
    rng = random.Random(args.seed)
    levels: dict[int, list[float]] = {args.small: [], args.large: []}
    floor_samples: list[float] = []
    from django.conf import settings

    wrong = 0
    fill_seconds: dict[int, float] = {}
    load_start = load_average()
    print(f"==> {machine_line(load_start)}", flush=True)
    server = Daphne(args.results.parent)
    try:
        server.wait_ready()
        for round_number in range(1, args.rounds + 1):
            for domains in (args.small, args.large):
                fill_seconds[domains] = fill_to(tenant, domains)
                result = measure(server.port, domains, args.requests, args.warm_up, rng)
                levels[domains].extend(result["samples"])
                wrong += result["wrong"]
                stats = summary(result["samples"])
                print(
                    f"  round {round_number}: {domains:>6} domains  p50 {stats['p50_ms']:.2f} ms"
                    f"  p99 {stats['p99_ms']:.2f} ms  max {stats['max_ms']:.2f} ms",
                    flush=True,
                )
            result = measure(server.port, 0, args.requests, args.warm_up, rng, floor=settings.PLATFORM_DOMAIN)
            floor_samples.extend(result["samples"])
            wrong += result["wrong"]
    finally:
        server.stop()
        remove_bench_domains()

    small, large, floor = summary(levels[args.small]), summary(levels[args.large]), summary(floor_samples)
    ratio = large["p99_ms"] / small["p99_ms"]
    report = {
        "date": now(),
        "machine": machine_info(),
        "load_average": {"start": load_start, "end": load_average()},
        "settings": "config.settings.production, daphne --proxy-headers (the Procfile's web)",
        "requests_per_level_and_round": args.requests,
        "rounds": args.rounds,
        "miss_share": MISS_SHARE,
        "levels": {str(args.small): small, str(args.large): large},
        # The same server and path refusing the platform's own host before any lookup.
        "floor": floor,
        "fill_seconds": fill_seconds,
        "wrong_answers": wrong,
        "ratio_p99": ratio,
        "targets": {
            f"p99_under_{TARGET_P99_MS:g}ms_at_{args.large}": large["p99_ms"] < TARGET_P99_MS,
            f"ratio_at_most_{TARGET_RATIO:g}": ratio <= TARGET_RATIO,
        },
    }
    print(f"\n{'domains':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'mean ms':>8} {'requests':>9}")
    for label, stats in ((str(args.small), small), (str(args.large), large), ("no db", floor)):
        print(
            f"{label:>8} {stats['p50_ms']:>8.2f} {stats['p99_ms']:>8.2f} {stats['max_ms']:>8.2f}"
            f" {stats['mean_ms']:>8.2f} {stats['count']:>9}"
        )
    print(f"\nratio p99 {args.large} / p99 {args.small}: {ratio:.2f}x")
    print(f"p99 < {TARGET_P99_MS:g} ms with {args.large} domains: {verdict(large['p99_ms'] < TARGET_P99_MS)}")
    print(f"ratio <= {TARGET_RATIO:g}: {verdict(ratio <= TARGET_RATIO)}")
    print(f"wrong answers: {wrong}")
    write_json(args.results, report)
    print(f"results: {args.results}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
