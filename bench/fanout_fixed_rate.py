"""The fan-out benchmark's fixed-rate mode: how many clients can one room hold while a message
still reaches all of them within 500 ms?

N clients subscribe to one room; the broadcasters send `message.send` frames at a fixed
combined rate for a few seconds. For each message, the time from its send until the LAST of the N
clients has received its `message.new`. N grows over the levels; a server kind stops at the
first level where p95 exceeds 500 ms, a delivery is lost or a client cannot connect, and the gap
between the last level it held and that one is then bisected.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from dataclasses import dataclass, field

from bench.fanout_servers import DESCRIPTIONS, running
from bench.fanout_target import Tokens
from bench.lib.processes import cpu_seconds
from bench.lib.report import RESULTS_DIR
from bench.lib.stats import percentile
from bench.lib.tenant import Target
from bench.lib.webserver import ROOT
from bench.lib.wsclient import Client, Step, connect_all, handshake, settle, wait_until

P95_LIMIT = 0.5
GENERATOR_BUSY = 0.9
# A server that fails a level while using less of its core than this was short of CPU because
# other work ran on it, not at its own limit.
SERVER_BUSY = 0.8


@dataclass
class StepResult:
    kind: str
    clients: int
    connected: int = 0
    connect_seconds: float = 0.0
    sent: int = 0
    expected: int = 0
    delivered: int = 0
    lost: int = 0
    duplicates: int = 0
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    max: float | None = None
    deliveries_per_second: float = 0.0
    server_cpu: float = 0.0  # share of one core during the measurement
    # Deliveries per second of server CPU (all its threads): what one free core would carry.
    deliveries_per_cpu_second: float | None = None
    generator_cpu: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    closed: int = 0
    note: str = ""

    @property
    def holds(self) -> bool:
        return (
            self.connected == self.clients
            and self.lost == 0
            and self.closed == 0
            and self.p95 is not None
            and self.p95 <= P95_LIMIT
        )

    @property
    def generator_saturated(self) -> bool:
        return self.generator_cpu > GENERATOR_BUSY

    @property
    def server_starved(self) -> bool:
        """Failed while its core had room: the machine was busy with other work."""
        return (
            not self.holds
            and self.connected == self.clients
            and self.lost == 0
            and 0 < self.server_cpu < SERVER_BUSY
            and not self.generator_saturated
        )


@dataclass
class Options:
    rate: float
    duration: float
    drain: float
    broadcasters: int
    listener_users: int
    connect_concurrency: int
    profile: bool = False


async def run_step(
    kind: str, clients: int, port: int, server_pid: int, target: Target, tokens: Tokens, options: Options
) -> StepResult:
    result = StepResult(kind=kind, clients=clients)
    step = Step()
    requests = [handshake(target.host, port, tokens.for_socket(i, options.broadcasters)) for i in range(clients)]
    started = time.perf_counter()
    sockets = await connect_all(
        step, port, requests, target.room, options.connect_concurrency, first=options.broadcasters
    )
    connected = [client for client in sockets if client is not None]
    result.connect_seconds = time.perf_counter() - started
    result.connected = len(connected)
    broadcasters = [client for client in sockets[: options.broadcasters] if client is not None]
    try:
        if result.connected < clients or len(broadcasters) < options.broadcasters:
            result.note = f"{clients - result.connected} clients could not connect"
            result.errors = dict(step.errors)
            return result
        await settle(step)
        await send_round(step, broadcasters, target.room, "warm", options.broadcasters, float(options.broadcasters))
        await wait_until(lambda: step.delivered >= options.broadcasters * clients, 20)
        step.tracker.clear()
        step.delivered = 0
        step.errors.clear()
        step.measuring = True

        total = max(round(options.rate * options.duration), options.broadcasters)
        if options.profile:
            os.kill(server_pid, signal.SIGUSR1)
        server_cpu, generator_cpu, wall = cpu_seconds(server_pid), time.process_time(), time.perf_counter()
        first_send = await send_round(step, broadcasters, target.room, "m", total, options.rate)
        expected = total * clients
        await wait_until(lambda: step.delivered >= expected, options.drain)
        finished = max((record[1] for record in step.tracker.values() if record[0]), default=time.perf_counter())
        elapsed = max(time.perf_counter() - wall, 1e-9)
        server_seconds = cpu_seconds(server_pid) - server_cpu
        result.server_cpu = server_seconds / elapsed
        result.generator_cpu = (time.process_time() - generator_cpu) / elapsed
        step.measuring = False
        if options.profile:
            os.kill(server_pid, signal.SIGUSR2)
            await asyncio.sleep(1)  # the stats are written

        result.sent = total
        result.expected = expected
        counts = [int(record[0]) for record in step.tracker.values()]
        result.delivered = sum(min(count, clients) for count in counts)
        result.duplicates = sum(max(count - clients, 0) for count in counts)
        result.lost = expected - result.delivered
        complete = sorted(record[1] - record[2] for record in step.tracker.values() if record[0] >= clients)
        if complete:
            result.p50 = percentile(complete, 0.50)
            result.p95 = percentile(complete, 0.95)
            result.p99 = percentile(complete, 0.99)
            result.max = complete[-1]
        result.deliveries_per_second = result.delivered / max(finished - first_send, 1e-9)
        if server_seconds > 0:
            result.deliveries_per_cpu_second = result.delivered / server_seconds
        result.errors = dict(step.errors)
        result.closed = step.closed
        return result
    finally:
        for client in connected:
            client.close()


async def send_round(step: Step, broadcasters: list[Client], room: int, prefix: str, total: int, rate: float) -> float:
    """Send `total` messages at `rate` a second, taking turns over the broadcasters; return the
    time of the first send. Sends follow a fixed schedule, so a late one does not shift the rest."""
    began = time.perf_counter()
    for index in range(total):
        due = began + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        client_id = f"{prefix}{index}-{os.getpid()}-{int(began * 1000) % 10**8}"
        frame = json.dumps(
            {
                "type": "message.send",
                "room": room,
                "body": f"fan-out {client_id} sent at {time.time():.6f}",
                "client_id": client_id,
            }
        )
        step.tracker[client_id.encode()] = [0, 0.0, time.perf_counter()]
        broadcasters[index % len(broadcasters)].send(frame)
    return began


def measure(kind: str, clients: int, target: Target, options: Options) -> StepResult:
    profile = RESULTS_DIR / f"ws_fanout-{kind}-{clients}.prof" if options.profile else None
    with running(kind, target, options.broadcasters, options.listener_users, profile=profile) as (server, tokens):
        result = asyncio.run(run_step(kind, clients, server.port, server.process.pid, target, tokens, options))
    print_row(result)
    if profile is not None and profile.exists():
        print(f"       profile of the measured messages: {profile.relative_to(ROOT)}", flush=True)
    return result


def measure_kind(kind: str, levels: list[int], refine: int, target: Target, options: Options) -> list[StepResult]:
    print(f"\n==> {kind}: {DESCRIPTIONS[kind]}", flush=True)
    print(header_row(), flush=True)
    results: list[StepResult] = []
    for clients in levels:
        result = measure(kind, clients, target, options)
        results.append(result)
        if not result.holds:
            break
    held = [r.clients for r in results if r.holds]
    failed = [r.clients for r in results if not r.holds]
    low, high = (max(held) if held else 0), (min(failed) if failed else None)
    for _ in range(refine):
        if high is None or high - low <= max(10, high // 20):
            break
        middle = round((low + high) / 2 / 10) * 10 if low else high // 2
        result = measure(kind, middle, target, options)
        results.append(result)
        if result.holds:
            low = middle
        else:
            high = middle
    return results


def header_row() -> str:
    return (
        f"{'N':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'lost':>6} {'deliv/s':>9}"
        f" {'srv cpu':>7} {'per cpu-s':>9} {'gen cpu':>7} {'conn s':>6}  note"
    )


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f}"


def print_row(r: StepResult) -> None:
    notes = []
    if r.note:
        notes.append(r.note)
    if r.generator_saturated:
        notes.append("GENERATOR SATURATED")
    if r.server_starved:
        notes.append(f"p95 > 500 ms with {r.server_cpu:.0%} of its core: the machine is busy")
    if r.duplicates:
        notes.append(f"{r.duplicates} duplicates")
    if r.closed:
        notes.append(f"{r.closed} sockets closed")
    if r.errors:
        notes.append(", ".join(f"{k}: {v}" for k, v in sorted(r.errors.items())))
    if not notes:
        notes.append("holds" if r.holds else "p95 > 500 ms")
    per_cpu = "-" if r.deliveries_per_cpu_second is None else f"{r.deliveries_per_cpu_second:.0f}"
    print(
        f"{r.clients:>6} {ms(r.p50):>8} {ms(r.p95):>8} {ms(r.p99):>8} {ms(r.max):>8} {r.lost:>6}"
        f" {r.deliveries_per_second:>9.0f} {r.server_cpu:>7.0%} {per_cpu:>9} {r.generator_cpu:>7.0%}"
        f" {r.connect_seconds:>6.1f}"
        f"  {'; '.join(notes)}",
        flush=True,
    )
