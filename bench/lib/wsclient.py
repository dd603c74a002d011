"""The load generator's WebSocket client: a minimal one of its own (asyncio.Protocol), so that
the generator, not the client library, is what one core can drive.

Frames are not parsed as JSON: a frame's type and `client_id` are found by byte search (1.9 µs a
frame), which lets one generator process keep thousands of sockets busy.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence

# Byte patterns the load generator looks for instead of parsing JSON.
NEW = b'"message.new"'
SUBSCRIBED = b'"subscribed"'
ERROR = b'"error"'
CLIENT_ID = b'"client_id":"'
HEAD = 48  # a frame's type is within its first bytes: {"type":"message.new",...


def client_frame(text: str, opcode: int = 0x1) -> bytes:
    """A masked client-to-server frame (RFC 6455 5.3)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((0x80 | opcode, 0x80 | size))
    elif size < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
    mask = os.urandom(4)
    key = (mask * (size // 4 + 1))[:size]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(size, "big")
    return header + mask + masked


def control_frame(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes((0x80 | opcode, 0x80 | len(payload))) + mask + masked


class Step:
    """What all the clients of one measurement share: deliveries are counted here, not per
    client, so a frame costs one dictionary lookup."""

    def __init__(self) -> None:
        # client_id -> [deliveries, time of the latest, send time]
        self.tracker: dict[bytes, list[float]] = {}
        self.delivered = 0
        self.last_rx = 0.0
        self.errors: Counter[str] = Counter()
        self.closed = 0
        self.measuring = False


class Client(asyncio.Protocol):
    __slots__ = ("buf", "closed", "fragments", "ready", "request", "step", "subscribed", "transport", "upgraded")

    def __init__(self, step: Step, request: bytes) -> None:
        loop = asyncio.get_running_loop()
        self.step = step
        self.request = request
        self.buf = b""
        self.fragments: bytearray | None = None
        self.upgraded = False
        self.closed = False
        self.ready: asyncio.Future[None] = loop.create_future()
        self.subscribed: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.step.measuring and not self.closed:
            self.step.closed += 1
        self.closed = True
        # Before the upgrade the server dropped the handshake itself (a full backlog, an
        # overloaded accept loop): the failure the handshake-rate mode counts apart.
        self._fail(ConnectionError("connection lost" if self.upgraded else "connection lost during handshake"))

    def _fail(self, exc: Exception) -> None:
        for future in (self.ready, self.subscribed):
            if not future.done():
                future.set_exception(exc)
                future.exception()  # retrieved: nobody may be waiting any more

    def send(self, text: str) -> None:
        if self.transport is not None and not self.closed:
            self.transport.write(client_frame(text))

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        if not self.upgraded:
            data = self.buf + data
            end = data.find(b"\r\n\r\n")
            if end < 0:
                self.buf = data
                return
            status = data[: data.find(b"\r\n")]
            self.buf = b""
            if b" 101 " not in status:
                self._fail(ConnectionError(status.decode("latin-1")))
                self.close()
                return
            self.upgraded = True
            self.ready.set_result(None)
            data = data[end + 4 :]
            if not data:
                return
        elif self.buf:
            data = self.buf + data
            self.buf = b""
        now = time.perf_counter()
        step = self.step
        step.last_rx = now
        pos = 0
        size = len(data)
        while size - pos >= 2:
            first = data[pos]
            length = data[pos + 1] & 0x7F
            start = pos + 2
            if length == 126:
                if size - pos < 4:
                    break
                length = int.from_bytes(data[pos + 2 : pos + 4], "big")
                start = pos + 4
            elif length == 127:
                if size - pos < 10:
                    break
                length = int.from_bytes(data[pos + 2 : pos + 10], "big")
                start = pos + 10
            end = start + length
            if end > size:
                break
            opcode = first & 0x0F
            if opcode == 0x1 and first & 0x80:
                self.on_text(data, start, end, now)
            elif opcode in (0x0, 0x1, 0x2):  # a fragmented message
                if self.fragments is None:
                    self.fragments = bytearray()
                self.fragments += data[start:end]
                if first & 0x80:
                    whole = bytes(self.fragments)
                    self.fragments = None
                    self.on_text(whole, 0, len(whole), now)
            elif opcode == 0x9:  # ping
                if self.transport is not None:
                    self.transport.write(control_frame(0xA, data[start:end]))
            elif opcode == 0x8:  # close
                code = int.from_bytes(data[start : start + 2], "big") if length >= 2 else 1005
                step.errors[f"close {code}"] += 1
                self._fail(ConnectionError(f"closed by the server with {code}"))
                if self.transport is not None:
                    self.transport.write(control_frame(0x8, data[start : start + 2]))
                    self.transport.close()
            pos = end
        if pos < size:
            self.buf = data[pos:]

    def on_text(self, data: bytes, start: int, end: int, now: float) -> None:
        head = min(end, start + HEAD)
        if data.find(NEW, start, head) >= 0:
            found = data.find(CLIENT_ID, start, end)
            if found >= 0:
                found += len(CLIENT_ID)
                self.on_message(data[found : data.find(b'"', found, end)], now)
        elif data.find(SUBSCRIBED, start, head) >= 0:
            if not self.subscribed.done():
                self.subscribed.set_result(None)
        elif data.find(ERROR, start, head) >= 0:
            try:
                code = str(json.loads(data[start:end]).get("code"))
            except ValueError:
                code = "?"
            self.step.errors[code] += 1
            if not self.subscribed.done():
                self._fail(ConnectionError(f"error frame {code}"))

    def on_message(self, client_id: bytes, now: float) -> None:
        """A `message.new` with this `client_id` arrived at `now`."""
        record = self.step.tracker.get(client_id)
        if record is not None:
            record[0] += 1
            record[1] = now
            self.step.delivered += 1


def handshake(host: str, port: int, token: str | None) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        "GET /ws/chat/ HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        f"Origin: http://{host}:{port}",
    ]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def connect(
    step: Step,
    port: int,
    request: bytes,
    room: int,
    semaphore: asyncio.Semaphore,
    attempts: int = 5,
    *,
    client_class: type[Client] = Client,
) -> Client | None:
    """A client of `client_class` connected and subscribed to `room`, or None after `attempts`
    failed tries (the last failure is counted in `step.errors`)."""
    loop = asyncio.get_running_loop()
    subscribe = json.dumps({"type": "subscribe", "room": room})
    for attempt in range(attempts):
        client: Client | None = None
        async with semaphore:
            try:
                _, made = await asyncio.wait_for(
                    loop.create_connection(lambda: client_class(step, request), "127.0.0.1", port), 30
                )
                client = made
                await asyncio.wait_for(made.ready, 60)
                made.send(subscribe)
                await asyncio.wait_for(made.subscribed, 60)
                return made
            except (OSError, TimeoutError) as exc:
                if client is not None:
                    client.close()
                if attempt == attempts - 1:
                    step.errors[f"connect: {str(exc)[:60] or type(exc).__name__}"] += 1
        if attempt < attempts - 1:
            await asyncio.sleep(0.2 * (attempt + 1))
    return None


async def connect_all(
    step: Step,
    port: int,
    requests: Sequence[bytes],
    room: int,
    concurrency: int,
    *,
    first: int = 0,
    client_class: type[Client] = Client,
) -> list[Client | None]:
    """A socket per request, subscribed to `room`, `concurrency` handshakes at a time, in request
    order (None where one could not connect). The `first` requests connect one by one before the
    rest: the senders, so that a measurement never starts without them."""
    semaphore = asyncio.Semaphore(concurrency)
    leading = [await connect(step, port, r, room, semaphore, client_class=client_class) for r in requests[:first]]
    rest = await asyncio.gather(
        *(connect(step, port, r, room, semaphore, client_class=client_class) for r in requests[first:])
    )
    return [*leading, *rest]


async def settle(step: Step) -> None:
    """Wait until no frame has arrived for half a second (30 s at most): what the connections set
    off (presence, joins) is over before anything is measured."""
    await wait_until(lambda: time.perf_counter() - step.last_rx > 0.5, 30, 0.1)


async def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() >= deadline:
            return False
        await asyncio.sleep(interval)
    return True
