"""Chat latency while documents are extracted: one WebSocket client of a second member of the
room sends a message four times a second to the product as deployed and times the round trip
until its own `message.new` comes back, idle and during extractions."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections import Counter
from dataclasses import asdict
from typing import Any

from bench.extract_input import Input
from bench.extract_platform import Extraction, Target, Workers, delete_documents, extract_once, warm_up
from bench.lib.report import RESULTS_DIR
from bench.lib.stats import percentile
from bench.lib.webserver import WebServer
from bench.lib.wsclient import Step, connect, handshake

CHAT_INTERVAL = 0.25  # under the socket's sustained limit of 5 messages a second (CHAT_SEND_RATE)


class ChatProbe:
    """One WebSocket client in its own thread: a message every CHAT_INTERVAL seconds, each timed
    from its send until its own `message.new` comes back. Samples are labelled with the phase
    current when they were sent."""

    def __init__(self, port: int, host: str, token: str, room: int) -> None:
        self.port, self.host, self.token, self.room = port, host, token, room
        self.phase = "idle"
        self.samples: dict[str, list[float]] = {}
        self.lost: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.failed: BaseException | None = None
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chat-probe", daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self.connected.wait(60):
            raise RuntimeError(f"the chat client could not connect: {self.failed or 'timed out'}")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        try:
            asyncio.run(self._probe())
        except BaseException as error:  # reported by start() or the summary
            self.failed = error
            self.connected.set()

    async def _probe(self) -> None:
        step = Step()
        request = handshake(self.host, self.port, self.token)
        client = await connect(step, self.port, request, self.room, asyncio.Semaphore(1))
        if client is None:
            raise RuntimeError(f"could not connect: {dict(step.errors)}")
        self.connected.set()
        try:
            index = 0
            while not self._stop.is_set():
                phase = self.phase
                client_id = f"probe{index}-{os.getpid()}"
                index += 1
                record = [0.0, 0.0, 0.0]
                step.tracker[client_id.encode()] = record
                frame = {"type": "message.send", "room": self.room, "body": f"latency {index}", "client_id": client_id}
                record[2] = time.perf_counter()
                client.send(json.dumps(frame))
                deadline = record[2] + 10
                while record[0] < 1 and time.perf_counter() < deadline and not client.closed:
                    await asyncio.sleep(0.002)
                if record[0] >= 1:
                    self.samples.setdefault(phase, []).append(record[1] - record[2])
                else:
                    self.lost[phase] += 1
                if client.closed:
                    raise RuntimeError("the server closed the chat socket")
                await asyncio.sleep(max(CHAT_INTERVAL - (time.perf_counter() - record[2]), 0.01))
            self.errors.update(step.errors)
        finally:
            client.close()


def summary(samples: list[float]) -> dict[str, float | int] | None:
    if not samples:
        return None
    return {
        "p50_ms": round(percentile(samples, 0.5) * 1000, 2),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2),
        "n": len(samples),
    }


def measure_chat(
    target: Target,
    document: Input,
    word: str,
    queue: str,
    idle_seconds: float,
    uploads: int,
    timeout: float,
    nice: int = 0,
) -> dict[str, Any]:
    from accounts.tokens import mint_tokens

    token = str(mint_tokens(target.chatter, target.client).access_token)
    # The Procfile's `web` line, unpinned: it shares the cores with the workers, as deployed.
    server = WebServer(RESULTS_DIR / "extract-daphne.log", dict(os.environ))
    workers = Workers(2, queue, nice=nice)
    probe: ChatProbe | None = None
    extractions: list[Extraction] = []
    try:
        server.wait_ready()
        workers.wait_ready()
        warm_up(target, workers)
        probe = ChatProbe(server.port, target.host, token, target.room.pk)
        probe.start()
        time.sleep(1)  # the first messages open the server's database connections
        probe.phase = "idle"
        time.sleep(idle_seconds)
        for _ in range(uploads):
            probe.phase = "extracting"
            extractions.append(extract_once(target, document, word, workers, timeout))
            probe.phase = "idle"
            delete_documents(target)
            time.sleep(2)  # pages' document.updated frames drain
    finally:
        if probe is not None:
            probe.stop()
        workers.stop()
        server.stop()
        delete_documents(target)
    if probe is not None and probe.failed is not None:
        raise RuntimeError(f"the chat client failed: {probe.failed!r}")
    assert probe is not None
    idle = summary(probe.samples.get("idle", []))
    busy = summary(probe.samples.get("extracting", []))
    ratio = busy["p95_ms"] / idle["p95_ms"] if idle and busy and idle["p95_ms"] else None
    return {
        "worker_nice": nice,
        "idle": idle,
        "extracting": busy,
        "lost": dict(probe.lost),
        "errors": dict(probe.errors),
        "p95_ratio": round(ratio, 2) if ratio is not None else None,
        "extractions": [asdict(e) for e in extractions],
    }
