"""The fan-out benchmark's handshake-rate mode: how fast one web process takes on new sockets
while it already holds many, as after a deployment or a network blip when clients reconnect.

The process first gets `--held` sockets (2,400), each authenticated and subscribed to the room,
untimed. Then `--total` more (800) are opened in bursts of `--burst` (50) at a time, as real
clients connect: the WebSocket handshake with a bearer token, then `subscribe` until `subscribed`
comes back; a burst starts when the previous one has finished. No retries: a socket that fails
is counted with its reason ("connection lost during handshake", a refused upgrade, a timeout).
Reported: handshakes a second (succeeded / the bursts' wall time), p50 / p95 of one socket's
handshake and subscription, the failures, and the sockets held before that closed meanwhile. The
product runs the Procfile's `web` line; the bare `websockets` server is the baseline.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.fanout_repeat import alternate, print_summary, rows, summarise
from bench.fanout_servers import describe, running
from bench.fanout_target import Tokens
from bench.lib.processes import cpu_seconds
from bench.lib.report import notes
from bench.lib.stats import fmt, percentile
from bench.lib.tenant import Target
from bench.lib.wsclient import Client, Step, connect, connect_all, handshake, settle

FIGURES = ("handshakes_per_second", "p50_ms", "p95_ms", "failed")
LABELS = {"handshakes_per_second": "handshakes/s", "p50_ms": "p50 ms", "p95_ms": "p95 ms", "failed": "failed"}
DIGITS = {"handshakes_per_second": 1, "p50_ms": 1, "p95_ms": 1, "failed": 0}


@dataclass(frozen=True)
class HandshakeOptions:
    held: int
    burst: int
    total: int
    listener_users: int
    connect_concurrency: int


@dataclass
class HandshakeResult:
    kind: str
    run: int
    held: int
    held_connected: int = 0
    attempted: int = 0
    succeeded: int = 0
    failed: int = 0
    seconds: float = 0.0  # wall time of the bursts
    handshakes_per_second: float = 0.0
    p50_ms: float | None = None  # one socket: connect, upgrade, subscribe, subscribed
    p95_ms: float | None = None
    server_cpu: float = 0.0  # share of one core during the bursts
    held_closed: int = 0  # held sockets the server closed during the bursts
    errors: dict[str, int] = field(default_factory=dict)
    note: str = ""


async def run_bursts(result: HandshakeResult, port: int, server_pid: int, target: Target, tokens: Tokens,
                     options: HandshakeOptions) -> None:  # fmt: skip
    step = Step()

    def request(index: int) -> bytes:
        return handshake(target.host, port, tokens.for_socket(index, 0))

    requests = [request(i) for i in range(options.held)]
    held = await connect_all(step, port, requests, target.room, options.connect_concurrency)
    sockets = [client for client in held if client is not None]
    result.held_connected = len(sockets)
    try:
        if result.held_connected < options.held:
            result.note = f"{options.held - result.held_connected} held sockets could not connect"
            result.errors = dict(step.errors)
            return
        await settle(step)
        step.errors.clear()
        step.measuring = True
        timings: list[float] = []

        async def one(index: int, burst: asyncio.Semaphore) -> Client | None:
            started = time.perf_counter()
            client = await connect(step, port, request(index), target.room, burst, attempts=1)
            if client is not None:
                timings.append((time.perf_counter() - started) * 1000)
            return client

        server_cpu = cpu_seconds(server_pid)
        for first in range(options.held, options.held + options.total, options.burst):
            last = min(first + options.burst, options.held + options.total)
            burst = asyncio.Semaphore(last - first)
            began = time.perf_counter()
            made = await asyncio.gather(*(one(i, burst) for i in range(first, last)))
            result.seconds += time.perf_counter() - began
            sockets.extend(client for client in made if client is not None)
        result.server_cpu = (cpu_seconds(server_pid) - server_cpu) / max(result.seconds, 1e-9)
        result.attempted = options.total
        result.succeeded = len(timings)
        result.failed = result.attempted - result.succeeded
        result.handshakes_per_second = result.succeeded / max(result.seconds, 1e-9)
        if timings:
            result.p50_ms = percentile(timings, 0.50)
            result.p95_ms = percentile(timings, 0.95)
        result.held_closed = step.closed
        result.errors = dict(step.errors)
    finally:
        for client in sockets:
            client.close()


def measure_once(kind: str, run: int, target: Target, options: HandshakeOptions) -> HandshakeResult:
    result = HandshakeResult(kind=kind, run=run, held=options.held)
    with running(kind, target, 0, options.listener_users, procfile=True) as (server, tokens):
        asyncio.run(run_bursts(result, server.port, server.process.pid, target, tokens, options))
    print_row(result)
    return result


def header() -> str:
    return (
        f"{'run':>3} {'server':<9} {'held':>6} {'hs/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'srv cpu':>7}"
        f" {'failed':>6} {'closed':>6}  failures"
    )


def print_row(r: HandshakeResult) -> None:
    found = notes(r.note, r.errors)
    print(
        f"{r.run:>3} {r.kind:<9} {r.held_connected:>6} {r.handshakes_per_second:>8.1f} {fmt(r.p50_ms, 1):>7}"
        f" {fmt(r.p95_ms, 1):>7} {r.server_cpu:>7.0%} {r.failed:>6} {r.held_closed:>6}  {'; '.join(found) or 'none'}",
        flush=True,
    )


def run_handshakes(
    kinds: list[str], repeat: int, target: Target, options: HandshakeOptions
) -> tuple[dict[str, Any], int]:
    """Every kind `repeat` times; the report and how many runs could not hold their sockets
    (failed handshakes are a figure, not a failure of the run)."""
    print(
        f"\n==> Handshake rate: {options.total} sockets in bursts of {options.burst}, {options.held:,} held; {describe(kinds)}",
        flush=True,
    )
    print(header(), flush=True)
    results = alternate(kinds, repeat, lambda kind, run: measure_once(kind, run, target, options))
    summary = summarise(results, FIGURES, "handshakes_per_second")
    print_summary(summary, LABELS, DIGITS)
    failures = sum(bool(r.note) for runs in results.values() for r in runs)
    return {"options": asdict(options), "runs": rows(results), "summary": summary}, failures
