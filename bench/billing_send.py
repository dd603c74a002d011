"""The billing benchmark's send path: the closed loop of bench/lib/closed_loop.py against the
product with plan limits enforced and without, and what the tenant's usage row counted."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bench.billing_setup import chat_env, ensure_plan, messages_counted, mint, start_server
from bench.lib.closed_loop import LoopResult, run_loop
from bench.lib.report import notes
from bench.lib.stats import fmt
from bench.lib.tenant import Target, forget_old_servers
from bench.lib.wsclient import handshake

SERVER_CPU_NOTE = 0.9


@dataclass
class SendResult(LoopResult):
    limits: str = ""  # "on" or "off"
    run: int = 0
    counted: int = 0  # messages the tenant's usage row gained during the measurement


def measure_send(
    enforce: bool, run: int, clients: int, senders: int, listeners: int, target: Target, warm_up: float, duration: float
) -> SendResult:
    ensure_plan(target.tenant_id)
    sender_tokens, listener_tokens = mint(senders, listeners)
    forget_old_servers(target.tenant_id)
    before = messages_counted(target.tenant_id)
    result = SendResult(limits="on" if enforce else "off", run=run, clients=clients)
    server = start_server(f"limits-{result.limits}", chat_env(enforce))
    try:
        server.wait_ready()
        tokens = sender_tokens + [listener_tokens[i % len(listener_tokens)] for i in range(clients - senders)]
        requests = [handshake(target.host, server.port, token) for token in tokens]
        asyncio.run(
            run_loop(result, server.port, server.process.pid, target.room, requests, senders, warm_up, duration)
        )
    finally:
        server.stop()
    result.counted = messages_counted(target.tenant_id) - before
    print_send_row(result)
    return result


def send_header() -> str:
    return (
        f"{'run':>3} {'limits':>6} {'msgs/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'srv cpu':>7}"
        f" {'cpu ms/msg':>10} {'gen cpu':>7} {'stalled':>7} {'lost':>5}  counted"
    )


def print_send_row(r: SendResult) -> None:
    found = notes(r.note, r.errors)
    if r.duplicates or r.out_of_order:
        found.append(f"{r.duplicates} duplicates, {r.out_of_order} clients out of order")
    if r.server_cpu < SERVER_CPU_NOTE and r.messages:
        found.append(f"server below {SERVER_CPU_NOTE:.0%} of its core")
    counted = f"{r.counted} of {r.sent_total}"
    print(
        f"{r.run:>3} {r.limits:>6} {r.messages_per_second:>8.1f} {fmt(r.p50_ms, 1):>7} {fmt(r.p95_ms, 1):>7}"
        f" {r.server_cpu:>7.0%} {fmt(r.cpu_ms_per_message):>10} {r.generator_cpu:>7.0%} {r.stalled:>7} {r.lost:>5}"
        f"  {counted}{'  ' + '; '.join(found) if found else ''}",
        flush=True,
    )
