"""One room, many WebSocket clients, one web process: fan-out, a closed send loop, handshakes.

Modes (`--mode`), each measuring the product against a bare `websockets` server (the ceiling,
bench/fanout_baseline.py) in the same run:

  fixed-rate (default; bench/fanout_fixed_rate.py, bench/fanout_summary.py)
    How many clients can one room hold while a message still reaches all of them within 500 ms?
    N clients subscribe to one room; 4 of them (`--broadcasters`) send `message.send` frames at a
    fixed combined rate (`--rate`, 20 a second: 5 per socket, the consumer's sustained limit
    CHAT_SEND_RATE) for `--duration` seconds. For each message, the time from its send until the
    LAST of the N clients has received its `message.new`: p50 / p95 / p99 / max. Lost:
    deliveries still missing `--drain` seconds after the last send. N grows over `--levels`; a
    server kind stops at the first level where p95 exceeds 500 ms, a delivery is lost or a client
    cannot connect, and the gap is then bisected `--refine` times. Kinds: baseline, core
    (`CHANNEL_LAYER=core`) and pubsub (`CHANNEL_LAYER=pubsub`). Each level also reports the
    server's CPU and the deliveries per second of that CPU, which do not fall when the machine is
    shared. Target: the better layer holds at least half the baseline's N, nothing lost.

  closed-loop (bench/fanout_closed_loop.py)
    `--senders` (4) of `--clients` (50) each send their next message when the last one reached
    every client: messages a second per web process, p50 / p95 from the send to the last
    recipient, nothing lost (every client got every message once, in order), and the share of the
    baseline's messages a second.

  handshake (bench/fanout_handshakes.py)
    With `--held` (2,400) sockets already open, `--total` (800) more in bursts of `--burst` (50),
    as real clients connect (handshake, subscribe): handshakes a second, and how many failed and
    why ("connection lost during handshake" ...).

  The closed-loop and handshake modes run every kind `--repeat` times (3), alternating, and report
  each figure's median and spread (lowest to highest); their product runs the Procfile's `web`
  line. `--quick` makes any mode a few seconds' check.

  Servers run with the production settings (DEBUG off, persistent database connections), pinned
  to CPU 0; this process, the load generator (bench/lib/wsclient.py: no per-frame JSON parsing),
  to CPU 1; PostgreSQL and Redis are not pinned. Each measurement gets a fresh server process. The
  machine (cores, CPU model, load average at the start) is printed first.

How to run
    make bench-fanout                                   # fixed-rate, everything (10 to 15 minutes)
    make bench-fanout ARGS="--quick"                    # levels 50,100,200, short steps
    make bench-fanout ARGS="--kinds core,pubsub --max-clients 800"
    make bench-fanout ARGS="--mode closed-loop"         # 50 clients, 4 senders, 3 runs
    make bench-fanout ARGS="--mode handshake"           # 2,400 held, 800 in bursts of 50, 3 runs
    make bench-fanout ARGS="--mode handshake --quick"   # seconds

The script never touches the database named in DATABASE_URL: it works in its own database on
the same server, `<name>_bench_fanout`, kept between runs with its tenant `fanout` (the first run
migrates it, about two minutes). Results are printed and written to
bench/results/ws_fanout[-<mode>].json; server logs go to bench/results/ws_fanout-<kind>.log.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fanout_closed_loop import LoopOptions, run_closed_loop  # noqa: E402
from bench.fanout_fixed_rate import Options  # noqa: E402
from bench.fanout_handshakes import HandshakeOptions, run_handshakes  # noqa: E402
from bench.fanout_servers import KINDS  # noqa: E402
from bench.fanout_summary import run_fixed_rate  # noqa: E402
from bench.fanout_target import DB_SUFFIX, SECRET_KEY, ensure_target  # noqa: E402
from bench.lib.cli import parse_counts  # noqa: E402
from bench.lib.database import open_bench_database  # noqa: E402
from bench.lib.machine import host_info, load_average, machine_line, now  # noqa: E402
from bench.lib.processes import GENERATOR_CPU, SERVER_CPU, pin, raise_fd_limit  # noqa: E402
from bench.lib.report import RESULTS_DIR, write_json  # noqa: E402

MODES = ("fixed-rate", "closed-loop", "handshake")
LEVELS = [50, 100, 200, 400, 800, 1600, 3200, 4800, 6400]
QUICK_LEVELS = [50, 100, 200]
# (full, --quick) defaults of the options that differ
DEFAULTS: dict[str, tuple[Any, Any]] = {
    "refine": (2, 0),
    "drain": (10.0, 5.0),
    "warm_up": (3.0, 1.0),
    "clients": (50, 10),
    "senders": (4, 2),
    "held": (2400, 50),
    "burst": (50, 10),
    "total": (800, 40),
    "repeat": (3, 1),
}


def machine_info() -> dict[str, Any]:
    import channels
    import channels_redis
    import daphne
    import websockets

    return {
        **host_info(),
        "channels": channels.__version__,
        "channels_redis": getattr(channels_redis, "__version__", "?"),
        "daphne": daphne.__version__,
        "websockets": websockets.__version__,
    }


def parse_kinds(value: str) -> list[str]:
    kinds = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"kinds are among {', '.join(KINDS)}")
    return [kind for kind in KINDS if kind in kinds]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--mode", choices=MODES, default="fixed-rate", help="what to measure (default fixed-rate)")
    add("--quick", action="store_true", help="tiny sizes, seconds: levels 50,100,200, 2 s steps, one run")
    add("--kinds", type=parse_kinds, help="default baseline,core,pubsub (fixed-rate), baseline,pubsub (others)")
    add("--listener-users", type=int, default=100, help="users the listening sockets share (100)")
    add("--connect-concurrency", type=int, default=64, help="handshakes in flight while connecting (64)")
    fixed = parser.add_argument_group("fixed-rate")
    fixed.add_argument("--levels", type=parse_counts, help=f"default {','.join(map(str, LEVELS))}")
    fixed.add_argument("--max-clients", type=int, help="drop the levels above this")
    fixed.add_argument("--refine", type=int, help="bisections after a kind fails (default 2, --quick 0)")
    fixed.add_argument("--rate", type=float, default=20.0, help="messages a second, all broadcasters (20)")
    add("--duration", type=float, help="measured seconds per level (5) or per closed-loop server (15); --quick 2")
    fixed.add_argument("--drain", type=float, help="seconds to wait for deliveries after the last send (10)")
    fixed.add_argument("--broadcasters", type=int, default=4, help="sockets that send (4)")
    fixed.add_argument("--profile", action="store_true", help="cProfile the server's event loop while measuring")
    loop = parser.add_argument_group("closed-loop")
    loop.add_argument("--clients", type=int, help="sockets in the room, senders included (50; --quick 10)")
    loop.add_argument("--senders", type=int, help="sockets that send in the closed loop (4; --quick 2)")
    loop.add_argument("--warm-up", type=float, help="untimed seconds of sending first (3; --quick 1)")
    shake = parser.add_argument_group("handshake")
    shake.add_argument("--held", type=int, help="sockets the process holds first (2,400; --quick 50)")
    shake.add_argument("--burst", type=int, help="sockets opened at a time (50; --quick 10)")
    shake.add_argument("--total", type=int, help="sockets opened in bursts, in all (800; --quick 40)")
    add("--repeat", type=int, help="runs of the closed-loop and handshake modes (3; --quick 1)")
    args = parser.parse_args(argv)
    for name, (full, quick) in DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    if args.duration is None:
        args.duration = 2.0 if args.quick else (15.0 if args.mode == "closed-loop" else 5.0)
    if args.kinds is None:
        args.kinds = list(KINDS) if args.mode == "fixed-rate" else ["baseline", "pubsub"]
    if args.levels is None:
        args.levels = QUICK_LEVELS if args.quick else LEVELS
    if args.max_clients:
        args.levels = [n for n in args.levels if n <= args.max_clients] or [args.max_clients]
    if min(args.broadcasters, args.listener_users, args.senders, args.burst, args.total, args.repeat) < 1:
        parser.error("--broadcasters, --listener-users, --senders, --burst, --total and --repeat must be positive")
    if args.rate <= 0 or args.held < 0:
        parser.error("--rate must be positive and --held not negative")
    if args.mode == "fixed-rate" and args.levels[0] <= args.broadcasters:
        parser.error("every level needs more clients than broadcasters")
    if args.mode == "closed-loop" and args.clients <= args.senders:
        parser.error("--clients must exceed --senders")
    return args


def measure(args: argparse.Namespace, report: dict[str, Any], results_file: Path) -> int:
    """Run the chosen mode into `report`; how many of its checks failed."""
    if args.mode == "closed-loop":
        target = ensure_target(args.senders, args.listener_users)
        loop = LoopOptions(args.clients, args.senders, args.listener_users, args.warm_up, args.duration)
        measured, failures = run_closed_loop(args.kinds, args.repeat, target, loop)
    elif args.mode == "handshake":
        target = ensure_target(0, args.listener_users)
        shake = HandshakeOptions(args.held, args.burst, args.total, args.listener_users, args.connect_concurrency)
        measured, failures = run_handshakes(args.kinds, args.repeat, target, shake)
    else:
        target = ensure_target(args.broadcasters, args.listener_users)
        options = Options(
            rate=args.rate,
            duration=args.duration,
            drain=args.drain,
            broadcasters=args.broadcasters,
            listener_users=args.listener_users,
            connect_concurrency=args.connect_concurrency,
            profile=args.profile,
        )
        report.update(options=asdict(options), levels=args.levels)
        return run_fixed_rate(args.kinds, args.levels, args.refine, target, options, report, results_file)
    report.update(measured)
    return failures


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    fds = raise_fd_limit()
    largest = max(args.levels) if args.mode == "fixed-rate" else args.held + args.total + args.clients
    if largest + 100 > fds:
        print(f"warning: {fds} file descriptors allowed, fewer than {largest:,} sockets need", flush=True)
    if (os.cpu_count() or 1) < 2:
        print("warning: one CPU: the server and the load generator share it", flush=True)
    pin(GENERATOR_CPU)
    database = open_bench_database(DB_SUFFIX, "bench-fanout", env={"DJANGO_SECRET_KEY": SECRET_KEY})
    load_start = load_average()
    print(f"==> {machine_line(load_start)}; server on CPU {SERVER_CPU}, load generator on CPU {GENERATOR_CPU}")
    suffix = "" if args.mode == "fixed-rate" else f"-{args.mode}"
    results_file = RESULTS_DIR / f"ws_fanout{suffix}.json"
    report: dict[str, Any] = {
        "date": now(),
        "mode": args.mode,
        "quick": args.quick,
        "complete": False,
        "machine": machine_info(),
        "database": database,
        "load_average": {"start": load_start},
    }
    failures = measure(args, report, results_file)
    report["complete"] = True
    report["load_average"]["end"] = load_average()
    print(f"Load average at start {load_start}, at end {report['load_average']['end']}")
    write_json(results_file, report)
    print(f"Results written to {results_file.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
