"""A closed loop of senders in one room: each sender sends its next `message.send` as soon as its
previous message has reached every client of the room (the moment the fan-out benchmark
measures), so the server sets the pace and the loop measures how many messages it carries.

Every client keeps the order in which it received the loop's messages: at the end, each message
must have reached each client exactly once, and every client must have seen them in the same
order (the room's order).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.lib.processes import cpu_seconds
from bench.lib.stats import percentile
from bench.lib.wsclient import Client, Step, connect_all, settle

# A message still missing somewhere after this long lets its sender go on (and counts as stalled).
STALL_SECONDS = 5.0
CONNECT_CONCURRENCY = 32


@dataclass
class LoopResult:
    clients: int
    connected: int = 0
    seconds: float = 0.0
    messages: int = 0  # completed (reached every client) within the measured window
    messages_per_second: float = 0.0
    p50_ms: float | None = None  # from the send until the last client received it
    p95_ms: float | None = None
    server_cpu: float = 0.0  # share of one core during the window
    cpu_ms_per_message: float | None = None
    generator_cpu: float = 0.0
    sent: int = 0  # during the measured window
    sent_total: int = 0  # warm-up and window
    stalled: int = 0  # messages that did not reach every client within STALL_SECONDS
    lost: int = 0  # (message, client) pairs never delivered, of every message sent
    duplicates: int = 0  # deliveries beyond the first of a message to a client
    out_of_order: int = 0  # clients that saw the messages in another order than the first client
    errors: dict[str, int] = field(default_factory=dict)
    note: str = ""


class Loop(Step):
    """The loop's state. Runs in the protocol callbacks, so a completion sends the next frame at
    once, without a trip through the event loop's scheduler."""

    def __init__(self, clients: int, room: int) -> None:
        super().__init__()
        self.clients = clients
        self.room = room
        self.senders: list[Client] = []
        self.owner: dict[bytes, int] = {}
        self.issued: list[bytes] = []
        self.sending = False
        self.sent = 0
        self.stalled = 0
        self.tag = f"{os.getpid()}-{int(time.time() * 1000) % 10**8}"
        # (sent, completed) of every message completed while `window` is open
        self.window: tuple[float, float] | None = None
        self.completed: list[tuple[float, float]] = []

    def send_next(self, index: int) -> None:
        if not self.sending:
            return
        client_id = f"b{self.sent + 1}-{self.tag}"
        frame = json.dumps(
            {
                "type": "message.send",
                "room": self.room,
                "body": f"loop {client_id} at {time.time():.6f}",
                "client_id": client_id,
            }
        )
        key = client_id.encode()
        self.tracker[key] = [0, 0.0, time.perf_counter()]
        self.owner[key] = index
        self.issued.append(key)
        self.sent += 1
        self.senders[index].send(frame)

    def delivered_to_one(self, key: bytes, moment: float) -> None:
        record = self.tracker.get(key)
        if record is None:
            return
        record[0] += 1
        record[1] = moment
        self.delivered += 1
        if record[0] >= self.clients:
            del self.tracker[key]
            index = self.owner.pop(key)
            if self.window is not None and self.window[0] <= moment < self.window[1]:
                self.completed.append((record[2], moment))
            self.send_next(index)

    def unstick(self) -> None:
        """A message missing somewhere after STALL_SECONDS: count it and let its sender go on."""
        limit = time.perf_counter() - STALL_SECONDS
        for key in [key for key, record in self.tracker.items() if record[2] < limit]:
            del self.tracker[key]
            self.stalled += 1
            self.send_next(self.owner.pop(key))


class LoopClient(Client):
    step: Loop

    def __init__(self, step: Step, request: bytes) -> None:
        super().__init__(step, request)
        self.received: list[bytes] = []

    def on_message(self, client_id: bytes, now: float) -> None:
        self.received.append(client_id)
        self.step.delivered_to_one(client_id, now)


def check_deliveries(issued: Sequence[bytes], clients: Sequence[LoopClient]) -> tuple[int, int, int]:
    """(lost, duplicates, clients out of order) of the loop's messages over all clients."""
    wanted = set(issued)
    lost = duplicates = out_of_order = 0
    reference: dict[bytes, int] | None = None
    for client in clients:
        seen = [key for key in client.received if key in wanted]
        counts = Counter(seen)
        lost += len(wanted) - len(counts)
        duplicates += len(seen) - len(counts)
        firsts = list(dict.fromkeys(seen))
        if reference is None:
            reference = {key: position for position, key in enumerate(firsts)}
            continue
        positions = [reference[key] for key in firsts if key in reference]
        out_of_order += positions != sorted(positions)
    return lost, duplicates, out_of_order


async def tick(loop: Loop, until: float) -> None:
    while time.perf_counter() < until:
        await asyncio.sleep(min(0.25, max(until - time.perf_counter(), 0)))
        loop.unstick()


async def run_loop(
    result: LoopResult,
    port: int,
    server_pid: int,
    room: int,
    requests: Sequence[bytes],
    senders: int,
    warm_up: float,
    duration: float,
) -> None:
    """Connect `result.clients` sockets with `requests` (the first `senders` of them send), run
    the loop `warm_up` seconds untimed, then `duration` seconds measured, into `result`."""
    loop = Loop(result.clients, room)
    sockets = await connect_all(loop, port, requests, room, CONNECT_CONCURRENCY, first=senders, client_class=LoopClient)
    connected = [client for client in sockets if isinstance(client, LoopClient)]
    result.connected = len(connected)
    try:
        if result.connected < result.clients:
            result.note = f"{result.clients - result.connected} clients could not connect"
            result.errors = dict(loop.errors)
            return
        loop.senders = [client for client in sockets[:senders] if client is not None]
        await settle(loop)
        loop.errors.clear()
        loop.sending = True
        for index in range(len(loop.senders)):
            loop.send_next(index)
        await tick(loop, time.perf_counter() + warm_up)
        stalled_before, sent_before = loop.stalled, loop.sent
        server_cpu, generator_cpu = cpu_seconds(server_pid), time.process_time()
        opened = time.perf_counter()
        loop.window = (opened, opened + duration)
        await tick(loop, opened + duration)
        closed = time.perf_counter()
        loop.sending = False
        server_seconds = cpu_seconds(server_pid) - server_cpu
        result.generator_cpu = (time.process_time() - generator_cpu) / (closed - opened)
        result.server_cpu = server_seconds / (closed - opened)
        # What is still in flight arrives (or is counted as stalled) before the server stops.
        drain = time.perf_counter() + STALL_SECONDS + 1
        while loop.tracker and time.perf_counter() < drain:
            await asyncio.sleep(0.05)
            loop.unstick()
        result.seconds = duration
        result.messages = len(loop.completed)
        result.messages_per_second = result.messages / duration
        result.sent = loop.sent - sent_before
        result.sent_total = loop.sent
        result.stalled = loop.stalled - stalled_before
        result.lost, result.duplicates, result.out_of_order = check_deliveries(loop.issued, connected)
        if loop.completed:
            latencies = sorted((done - sent) * 1000 for sent, done in loop.completed)
            result.p50_ms = percentile(latencies, 0.50)
            result.p95_ms = percentile(latencies, 0.95)
            result.cpu_ms_per_message = server_seconds * 1000 / result.messages
        result.errors = dict(loop.errors)
    finally:
        for client in connected:
            client.close()
