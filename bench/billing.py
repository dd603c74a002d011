"""What billing costs where it is in the way: sending a message, and acknowledging Stripe.

What is measured
    1. The send path with plan limits enforced and without. The product on daphne, started as
       the Procfile's `web` line with the production settings, once with
       `BILLING_ENFORCE_LIMITS=true` (as deployed: every send asks config.limits, which reads
       the tenant's cached entitlement and counts the message in billing_usage) and once with
       `=false` (billing.apps registers no gate: config.limits allows everything and counts
       nothing). Same tenant, same room, same users. N WebSocket clients (`--clients`)
       subscribe to the tenant's `general` room; 4 of them (`--senders`) send in a closed
       loop: each sends its next `message.send` as soon as its previous message has reached
       all N clients (the moment the fan-out benchmark measures). After `--warm-up` seconds
       untimed, messages completed in the next `--duration` seconds are counted: messages a
       second, p50 / p95 of send-to-last-delivery, and the server's CPU per message. The
       per-socket send limit (CHAT_SEND_RATE, 5 a second) is lifted on both servers: with it
       the loop would measure the limit. Each measurement gets a fresh server process; the
       on and off measurements alternate (on, off, on, off...) so that a machine growing
       busier favours neither. The ratio is off / on messages a second (how much slower the
       send path is with limits on); after each run the messages counted in the tenant's
       usage row are compared with the messages sent (all of them with limits on, none off).

    2. Stripe's webhook under a burst. `POST /stripe/webhook/<djstripe_uuid>/` on the
       platform host (Host: the platform domain, X-Forwarded-Proto: https as the front end
       sends it), the endpoint being a dj-stripe `WebhookEndpoint` row with a known secret.
       `--events` distinct `customer.subscription.updated` events, each signed as Stripe
       signs (`Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "<t>.<body>">`), are posted
       by `--concurrency` keep-alive connections at once, as fast as they are answered; each
       is timed from the first byte sent to the last byte of the answer: p50 / p95 / p99.
       Baseline, the same burst in the same run against the same server: `GET /healthz` (the
       same handler, one PostgreSQL and one Redis round trip). For scale, the same events
       signed with a wrong secret (refused after the signature check, nothing stored). No
       worker runs (the events are stored, not applied; the tasks queued for them go to a
       queue of the benchmark's own, emptied afterwards); every event answered 200 must be
       stored exactly once as a `billing.StripeEvent`, and no refused one at all.

    The server is pinned to CPU 0, this process (the load generator) to CPU 1; PostgreSQL and
    Redis are not pinned.

    Targets: limits on at most 5% slower than off (ratio <= 1.05); the webhook's p95 under
    50 ms. Three runs (`--runs`); medians and the spread (lowest to highest) are printed.

How to run
    make bench-billing                        # 3 runs: 100 clients, 15 s per measurement; 500 events
    make bench-billing ARGS="--quick"         # 1 run, 10 clients, 2 s; 40 events (seconds, for CI)
    make bench-billing ARGS="--skip-webhook"  # the send path only
    make bench-billing ARGS="--profile"       # and cProfile the send action in this process

The script never touches the database named in DATABASE_URL: it works in its own database on
the same server, `<name>_bench_billing`, kept between runs with its tenant `bench-billing` (the
first run migrates it, about two minutes). Results are printed and written to
bench/results/billing.json; server logs go to bench/results/billing-*.log.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.billing_profile import profile_send  # noqa: E402
from bench.billing_send import measure_send, send_header  # noqa: E402
from bench.billing_setup import DB_SUFFIX, RESULTS_FILE, SECRET_KEY, ensure_target  # noqa: E402
from bench.billing_webhook import (  # noqa: E402
    burst_header,
    drop_queue,
    ensure_endpoint,
    measure_webhook,
    remove_bench_events,
)
from bench.lib.database import open_bench_database  # noqa: E402
from bench.lib.machine import load_average, machine_info, machine_line, now  # noqa: E402
from bench.lib.processes import GENERATOR_CPU, pin  # noqa: E402
from bench.lib.report import write_json  # noqa: E402
from bench.lib.stats import spread, verdict  # noqa: E402
from bench.lib.tenant import Target  # noqa: E402

TARGET_RATIO = 1.05
TARGET_P95_MS = 50.0


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 run, 10 clients, 2 s, 40 events: seconds, for CI")
    parser.add_argument("--runs", type=int, help="on/off pairs and webhook bursts (3; --quick 1)")
    parser.add_argument("--clients", type=int, help="sockets in the room, senders included (100; --quick 10)")
    parser.add_argument("--senders", type=int, default=4, help="sockets that send, in a closed loop (4)")
    parser.add_argument("--listener-users", type=int, default=20, help="users the other sockets share (20)")
    parser.add_argument("--duration", type=float, help="measured seconds per server (15; --quick 2)")
    parser.add_argument("--warm-up", type=float, help="untimed seconds of sending first (3; --quick 1)")
    parser.add_argument("--events", type=int, help="webhook events per burst (500; --quick 40)")
    parser.add_argument("--concurrency", type=int, help="connections posting at once (20; --quick 5)")
    parser.add_argument(
        "--db-pool-max-size",
        type=int,
        help="DB_POOL_MAX_SIZE of the webhook's server (default: the settings' pool; 0: no pool, CONN_MAX_AGE)",
    )
    parser.add_argument("--skip-send", action="store_true", help="no send-path measurement")
    parser.add_argument("--skip-webhook", action="store_true", help="no webhook burst")
    parser.add_argument("--profile", action="store_true", help="also time and cProfile the send action in-process")
    args = parser.parse_args(argv)
    quick = args.quick
    args.runs = args.runs or (1 if quick else 3)
    args.clients = args.clients or (10 if quick else 100)
    args.duration = args.duration or (2.0 if quick else 15.0)
    args.warm_up = args.warm_up if args.warm_up is not None else (1.0 if quick else 3.0)
    args.events = args.events or (40 if quick else 500)
    args.concurrency = args.concurrency or (5 if quick else 20)
    if args.clients <= args.senders or args.senders < 1 or args.listener_users < 1:
        parser.error("--clients must exceed --senders, and both and --listener-users be positive")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    pin(GENERATOR_CPU)  # the servers take CPU 0
    queue = f"bench-billing-{os.getpid()}"
    env = {"DJANGO_SECRET_KEY": SECRET_KEY, "CELERY_QUEUE": queue}
    database = open_bench_database(DB_SUFFIX, "bench-billing", env=env)
    target = ensure_target(args.senders, args.listener_users)
    path = ensure_endpoint()
    remove_bench_events()
    # The send path counts messages when an action of chat calls config.limits.record_message.
    wired = any("record_message" in path.read_text() for path in (ROOT / "chat" / "actions").glob("*.py"))
    view = (ROOT / "billing" / "webhooks.py").exists()
    load_start = load_average()
    print(f"==> {machine_line(load_start)}", flush=True)
    report: dict[str, Any] = {
        "date": now(),
        "machine": machine_info(),
        "database": database,
        "options": {k: v for k, v in vars(args).items()},
        "record_message_in_send_path": wired,
        "webhook_view_present": view,
        "load_average": {"start": load_start},
        "send": [],
        "webhook": [],
    }
    print(
        f"==> {args.runs} run(s); send path: {args.clients} clients, {args.senders} senders in a closed loop,"
        f" {args.warm_up:g} s warm-up + {args.duration:g} s per server; webhook: {args.events} events,"
        f" {args.concurrency} connections; load average {load_start}",
        flush=True,
    )
    if not wired:
        print(
            "    note: no action of chat calls record_message: only the gate's other checks count",
            flush=True,
        )
    if not view:
        print("    note: billing/webhooks.py is missing: dj-stripe's own view answers the webhook URL", flush=True)
    failures = 0
    try:
        failures += measure_all(args, target, path, queue, report)
    finally:
        drop_queue(queue)  # what the servers queued for a worker (none runs here)
        remove_bench_events()
    if args.profile:
        report["profile"] = profile_send(target, 100 if args.quick else 1000)

    report["load_average"]["end"] = load_average()
    print(f"\nLoad average at start {load_start}, at end {report['load_average']['end']}")
    failures += summarise(report, args)
    write_json(RESULTS_FILE, report)
    print(f"Results written to {RESULTS_FILE.relative_to(ROOT)}")
    return 1 if failures else 0


def measure_all(args: argparse.Namespace, target: Target, path: str, queue: str, report: dict[str, Any]) -> int:
    failures = 0
    if not args.skip_send:
        print("\n==> Send path, limits on and off (messages per second; counted = added to the usage row)")
        print(send_header(), flush=True)
        for run in range(1, args.runs + 1):
            for enforce in (True, False):
                result = measure_send(
                    enforce, run, args.clients, args.senders, args.listener_users, target, args.warm_up, args.duration
                )
                report["send"].append(asdict(result))
                if result.note or not result.messages:
                    failures += 1
                write_json(RESULTS_FILE, report)
    if not args.skip_webhook:
        print(f"\n==> Webhook acknowledgement, {args.events} requests per burst, {args.concurrency} at once")
        print(burst_header(), flush=True)
        for run in range(1, args.runs + 1):
            results = measure_webhook(run, args.events, args.concurrency, target, path, queue, args.db_pool_max_size)
            report["webhook"].extend(asdict(r) for r in results)
            write_json(RESULTS_FILE, report)
    return failures


def summarise(report: dict[str, Any], args: argparse.Namespace) -> int:
    """Print the medians, ratios and targets; return how many checks failed (not targets)."""
    failures = 0
    summary: dict[str, Any] = {}
    send = report["send"]
    pairs = [
        (on, off)
        for on in send
        for off in send
        if on["limits"] == "on"
        and off["limits"] == "off"
        and on["run"] == off["run"]
        and on["messages"]
        and off["messages"]
    ]
    if pairs:
        on_rates = [on["messages_per_second"] for on, _ in pairs]
        off_rates = [off["messages_per_second"] for _, off in pairs]
        ratios = [off["messages_per_second"] / on["messages_per_second"] for on, off in pairs]
        cpu = [
            on["cpu_ms_per_message"] / off["cpu_ms_per_message"]
            for on, off in pairs
            if on["cpu_ms_per_message"] and off["cpu_ms_per_message"]
        ]
        ratio = statistics.median(ratios)
        print("\nSend path, messages per second, median (lowest to highest)")
        print(f"  limits on   {spread(on_rates)}")
        print(f"  limits off  {spread(off_rates)}")
        print(f"  ratio off / on: {spread(ratios)}: limits on {ratio - 1:+.1%} slower")
        if cpu:
            print(f"  server CPU per message, on / off: {spread(cpu)}")
        print(f"  limits on at most {TARGET_RATIO - 1:.0%} slower: {verdict(ratio <= TARGET_RATIO)}")
        uncounted = [on for on, _ in pairs if on["counted"] != on["sent_total"]]
        counted_off = [off for _, off in pairs if off["counted"]]
        if report["record_message_in_send_path"]:
            print(
                "  every message sent with limits on was counted, none with limits off: "
                + ("yes" if not uncounted and not counted_off else "NO")
            )
            failures += bool(uncounted or counted_off)
        summary["send"] = {
            "on_median": statistics.median(on_rates),
            "off_median": statistics.median(off_rates),
            "ratio_off_on": ratios,
            "ratio_median": ratio,
            "cpu_ratio": cpu,
            "target_met": ratio <= TARGET_RATIO,
        }
    hooks = report["webhook"]
    if hooks:
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for r in hooks:
            by_kind.setdefault(r["kind"], []).append(r)
        print("\nWebhook acknowledgement, milliseconds, median of the runs (lowest to highest)")
        for kind, rows in by_kind.items():
            print(
                f"  {kind:<14} p50 {spread([r['p50_ms'] for r in rows])}  p95 {spread([r['p95_ms'] for r in rows])}"
                f"  p99 {spread([r['p99_ms'] for r in rows])}"
            )
        webhook, healthz = by_kind.get("webhook", []), by_kind.get("healthz", [])
        if webhook and healthz:
            ratios = [w["p95_ms"] / h["p95_ms"] for w, h in zip(webhook, healthz, strict=True)]
            p95 = statistics.median(r["p95_ms"] for r in webhook)
            print(f"  ratio p95 webhook / healthz: {spread(ratios)}")
            print(f"  p95 under {TARGET_P95_MS:g} ms: {verdict(p95 < TARGET_P95_MS)} ({p95:.1f} ms)")
            good = all(r["statuses"] == {"200": r["requests"]} and r["stored"] == r["requests"] for r in webhook)
            refused = all("200" not in r["statuses"] and not r["stored"] for r in by_kind.get("bad-signature", []))
            print(f"  every event answered 200 and stored exactly once: {'yes' if good else 'NO'}")
            print(f"  every wrongly signed event refused, none stored: {'yes' if refused else 'NO'}")
            failures += (not good) + (not refused)
            summary["webhook"] = {
                "p95_median_ms": p95,
                "ratio_p95": ratios,
                "target_met": p95 < TARGET_P95_MS,
                "stored_exactly_once": good,
                "refused": refused,
            }
    report["summary"] = summary
    return failures


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
