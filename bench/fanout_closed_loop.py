"""The fan-out benchmark's closed-loop mode: how many messages a second one web process carries
to a room when the senders go as fast as the deliveries allow.

N clients (`--clients`, 50) subscribe to the room; S of them (`--senders`, 4) each send their next
`message.send` (with its `client_id`) as soon as their previous message has reached every client
of the room. After `--warm-up` seconds untimed, the messages completed in the next `--duration`
seconds are counted: messages a second (one web process), p50 / p95 from the send to the last
recipient, and the server's CPU per message. Then every client must have received every message
sent exactly once, and all in the same order. The per-socket send limit (CHAT_SEND_RATE) is lifted,
or the loop would measure it. The product runs the Procfile's `web` line; the bare `websockets`
server doing the same broadcast is the baseline, measured in the same run, alternately.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

from bench.fanout_repeat import alternate, print_summary, rows, summarise
from bench.fanout_servers import describe, running
from bench.lib.closed_loop import LoopResult, run_loop
from bench.lib.report import notes
from bench.lib.stats import fmt
from bench.lib.tenant import Target
from bench.lib.webserver import UNLIMITED_SENDS
from bench.lib.wsclient import handshake

FIGURES = ("messages_per_second", "p50_ms", "p95_ms", "cpu_ms_per_message")
LABELS = {"messages_per_second": "msgs/s", "p50_ms": "p50 ms", "p95_ms": "p95 ms", "cpu_ms_per_message": "CPU ms/msg"}
DIGITS = {"messages_per_second": 1, "p50_ms": 1, "p95_ms": 1, "cpu_ms_per_message": 2}


@dataclass(frozen=True)
class LoopOptions:
    clients: int
    senders: int
    listener_users: int
    warm_up: float
    duration: float


@dataclass
class KindLoopResult(LoopResult):
    kind: str = ""
    run: int = 0

    @property
    def intact(self) -> bool:
        """Everyone connected and got every message once, in order."""
        return not (self.note or self.lost or self.duplicates or self.out_of_order) and self.messages > 0


def measure_once(kind: str, run: int, target: Target, options: LoopOptions) -> KindLoopResult:
    result = KindLoopResult(clients=options.clients, kind=kind, run=run)
    with running(kind, target, options.senders, options.listener_users, procfile=True, extra_env=UNLIMITED_SENDS) as (
        server,
        tokens,
    ):
        requests = [
            handshake(target.host, server.port, tokens.for_socket(i, options.senders)) for i in range(options.clients)
        ]
        asyncio.run(
            run_loop(
                result,
                server.port,
                server.process.pid,
                target.room,
                requests,
                options.senders,
                options.warm_up,
                options.duration,
            )
        )
    print_row(result)
    return result


def header() -> str:
    return (
        f"{'run':>3} {'server':<9} {'msgs/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'srv cpu':>7} {'cpu ms/msg':>10}"
        f" {'gen cpu':>7} {'lost':>5} {'dup':>4} {'order':>5}  note"
    )


def print_row(r: KindLoopResult) -> None:
    found = notes(r.note, r.errors)
    if r.stalled:
        found.append(f"{r.stalled} stalled")
    if not found:
        found.append("every message reached every client once, in order" if r.intact else "")
    print(
        f"{r.run:>3} {r.kind:<9} {r.messages_per_second:>8.1f} {fmt(r.p50_ms, 1):>7} {fmt(r.p95_ms, 1):>7}"
        f" {r.server_cpu:>7.0%} {fmt(r.cpu_ms_per_message):>10} {r.generator_cpu:>7.0%} {r.lost:>5}"
        f" {r.duplicates:>4} {r.out_of_order:>5}  {'; '.join(found)}",
        flush=True,
    )


def run_closed_loop(kinds: list[str], repeat: int, target: Target, options: LoopOptions) -> tuple[dict[str, Any], int]:
    """Every kind `repeat` times; the report and how many runs lost, doubled or reordered a
    message (or could not connect)."""
    print(
        f"\n==> Closed loop: {options.clients} clients, {options.senders} senders, {options.warm_up:g} s warm-up +"
        f" {options.duration:g} s per server; {describe(kinds)}",
        flush=True,
    )
    print(header(), flush=True)
    results = alternate(kinds, repeat, lambda kind, run: measure_once(kind, run, target, options))
    summary = summarise(results, FIGURES, "messages_per_second")
    print_summary(summary, LABELS, DIGITS)
    failures = sum(not r.intact for runs in results.values() for r in runs)
    print(f"  every message reached every client once, in order, in every run: {'yes' if not failures else 'NO'}")
    return {"options": asdict(options), "runs": rows(results), "summary": summary}, failures
