"""A WebSocket chat client over loopback that behaves like the browser app: it reconnects with
backoff, resubscribes from the last message id it has, and re-sends what was not acknowledged
with the same `client_id`.

It keeps every `message.new` it receives, duplicates included, so a test can check that each
message arrived exactly once and in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Origin

from tests.support.tenants import ROOT

# Close codes that reconnecting cannot cure (CONTRACT: not authenticated, forbidden, unknown tenant).
FATAL_CLOSE_CODES = {4401, 4403, 4404}
TIMEOUT = 10.0


@dataclass(frozen=True)
class Backoff:
    """Waits between reconnection attempts: `base` doubling up to `cap`, each a random point
    between half and all of that (jitter, so a crowd does not come back in step)."""

    base: float
    cap: float

    def delay(self, attempt: int) -> float:
        ceiling = min(self.cap, self.base * 2**attempt)
        return ceiling / 2 + random.random() * ceiling / 2  # nosec B311


# Quick, for tests about what arrives rather than when.
FAST = Backoff(base=0.05, cap=1.0)


def app_backoff() -> Backoff:
    """The browser app's own schedule, read from its socket module (static/js/chat/socket.js),
    so a test of a reconnect storm follows what real clients do."""
    source = (ROOT / "static/js/chat/socket.js").read_text()
    base, cap = (re.search(rf"const {name} = (\d+);", source) for name in ("BASE_DELAY", "MAX_DELAY"))
    assert base and cap, "socket.js no longer defines BASE_DELAY and MAX_DELAY"
    return Backoff(base=int(base.group(1)) / 1000, cap=int(cap.group(1)) / 1000)


class ChatClient:
    def __init__(
        self,
        name: str,
        host: str,
        token: str,
        user_id: int,
        port: int | Callable[[], int],
        drop_every: int | None = None,
        backoff: Backoff = FAST,
        open_timeout: float | None = 5,
    ) -> None:
        self.name = name
        self.backoff = backoff
        # None: wait for the server to answer or give up, as a browser does.
        self.open_timeout = open_timeout
        # A flaky network: the connection drops after every `drop_every` live messages.
        self.drop_every = drop_every
        self._live_since_connect = 0
        self.host = host
        self.token = token
        self.user_id = user_id
        self._port = port
        # room -> the id of the last message received (the `after` of the next subscribe)
        self.cursor: dict[int, int] = {}
        # room -> every message object received, in order of arrival, duplicates kept
        self.received: dict[int, list[dict[str, Any]]] = {}
        # room -> how many of them came while a subscribe was replaying (before `subscribed`)
        self.replayed: Counter[int] = Counter()
        self.frames: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        # client_id -> frame: every send tried, and those not acknowledged yet
        self.tried: dict[str, dict[str, Any]] = {}
        self.outbox: dict[str, dict[str, Any]] = {}
        # client_id -> id of the stored message, from its `message.new`
        self.acked: dict[str, int] = {}
        self.connections = 0
        self.fatal_close: int | None = None
        self._ws: ClientConnection | None = None
        self._subscribed: set[int] = set()
        self._replaying: set[int] = set()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<ChatClient {self.name} connections={self.connections} cursor={self.cursor}>"

    @property
    def port(self) -> int:
        return self._port() if callable(self._port) else self._port

    @property
    def connected(self) -> bool:
        return self._ws is not None

    def is_subscribed(self, room: int) -> bool:
        """Connected, and past the replay of `room`: live."""
        return room in self._subscribed

    def ids(self, room: int) -> list[int]:
        return [int(message["id"]) for message in self.received.get(room, [])]

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self, rooms: dict[int, int]) -> None:
        """Connect and subscribe to `rooms` ({room: after}); stays connected until `close`."""
        for room, after in rooms.items():
            self.cursor[room] = after
            self.received.setdefault(room, [])
        self._task = asyncio.create_task(self._run(), name=f"chat-client-{self.name}")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, TIMEOUT)
            self._task = None

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                async with connect(
                    f"ws://{self.host}:{self.port}/ws/chat/",
                    host="127.0.0.1",  # Python does not resolve *.localhost; the URI names the Host
                    port=self.port,
                    origin=Origin(f"http://{self.host}"),
                    additional_headers={"Authorization": f"Bearer {self.token}"},
                    proxy=None,
                    open_timeout=self.open_timeout,
                    close_timeout=1,
                    ping_interval=None,
                    max_size=None,
                ) as ws:
                    self._ws = ws
                    self.connections += 1
                    self._live_since_connect = 0
                    attempt = 0
                    for room, after in self.cursor.items():
                        self._replaying.add(room)
                        await ws.send(json.dumps({"type": "subscribe", "room": room, "after": after}))
                    async for raw in ws:
                        await self._handle(json.loads(raw))
                    code = ws.close_code
                    if code in FATAL_CLOSE_CODES:
                        self.fatal_close = code
                        return
            except ConnectionClosed as exc:
                if exc.rcvd is not None and exc.rcvd.code in FATAL_CLOSE_CODES:
                    self.fatal_close = exc.rcvd.code
                    return
            except (OSError, InvalidHandshake, TimeoutError):
                pass
            finally:
                self._ws = None
                self._subscribed.clear()
                self._replaying.clear()
                self._notify()
            await asyncio.sleep(self.backoff.delay(attempt))
            attempt += 1

    # -- frames ---------------------------------------------------------------------------------

    async def _handle(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)
        kind = frame.get("type")
        if kind == "message.new":
            message = frame["message"]
            room = int(message["room"])
            self.received.setdefault(room, []).append(message)
            if room in self._replaying:
                self.replayed[room] += 1
            self.cursor[room] = max(self.cursor.get(room, 0), int(message["id"]))
            client_id = message.get("client_id")
            author = (message.get("author") or {}).get("id")
            if client_id in self.tried and author == self.user_id:
                self.acked.setdefault(client_id, int(message["id"]))
                self.outbox.pop(client_id, None)
            if room not in self._replaying and self.drop_every and self._ws is not None:
                self._live_since_connect += 1
                if self._live_since_connect >= self.drop_every:
                    self._ws.transport.abort()
        elif kind == "subscribed":
            room = int(frame["room"])
            self._replaying.discard(room)
            self._subscribed.add(room)
            # Whatever is still unacknowledged was not stored (the replay would have shown it):
            # send it again, with the same client_id.
            for outgoing in list(self.outbox.values()):
                if outgoing["room"] == room:
                    await self._send(outgoing)
        elif kind == "error":
            self.errors.append(frame)
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _send(self, frame: dict[str, Any]) -> None:
        ws = self._ws
        if ws is None:
            return
        with contextlib.suppress(ConnectionClosed):  # sent again after the reconnect
            # UTF-8 as it is, as a browser's JSON.stringify sends it (not \u escapes).
            await ws.send(json.dumps(frame, ensure_ascii=False))

    async def post(self, room: int, body: str, client_id: str) -> None:
        """Send a message; if the socket is down or not subscribed yet, it goes out after the
        next `subscribed` of the room, and again after every reconnect until acknowledged."""
        frame = {"type": "message.send", "room": room, "body": body, "client_id": client_id}
        self.tried[client_id] = frame
        self.outbox[client_id] = frame
        if room in self._subscribed:
            await self._send(frame)

    async def send_raw(self, frame: dict[str, Any]) -> None:
        """A frame as is, without the outbox (to repeat a send on purpose, say)."""
        await self._send(frame)

    # -- waiting --------------------------------------------------------------------------------

    async def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if self.fatal_close is not None:
                raise AssertionError(f"{self.name}: closed with {self.fatal_close} while waiting for {what}")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"{self.name}: no {what} within {timeout:.0f}s; connections={self.connections}, "
                    f"cursor={self.cursor}, outbox={list(self.outbox)[:5]}, errors={self.errors[-3:]}, "
                    f"last frames={[summary(frame) for frame in self.frames[-5:]]}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))

    async def wait_subscribed(self, room: int, timeout: float = TIMEOUT) -> None:
        await self.wait_until(lambda: room in self._subscribed, f"subscription to room {room}", timeout)

    async def wait_for_id(self, room: int, message_id: int, timeout: float = TIMEOUT) -> None:
        await self.wait_until(lambda: self.cursor.get(room, 0) >= message_id, f"message {message_id}", timeout)

    async def wait_acked(self, timeout: float = TIMEOUT) -> None:
        await self.wait_until(lambda: not self.outbox, "acknowledgement of every send", timeout)


async def wait_all(coroutines: Iterable[Any], timeout: float = TIMEOUT + 5) -> None:
    """Await them together. Each has a timeout of its own that says what it was waiting for;
    this one, a little longer, is the backstop."""
    await asyncio.wait_for(asyncio.gather(*coroutines), timeout)


async def close_all(clients: Iterable[ChatClient]) -> None:
    await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)


def summary(frame: dict[str, Any]) -> str:
    message = frame.get("message")
    return f"{frame.get('type')} {message.get('id')}" if isinstance(message, dict) else str(frame)[:200]


def duplicates(ids: list[int]) -> list[int]:
    return sorted(message_id for message_id, count in Counter(ids).items() if count > 1)


def out_of_order(ids: list[int]) -> list[tuple[int, int]]:
    """Neighbours where a lower id came after a higher one."""
    return [(a, b) for a, b in itertools.pairwise(ids) if b <= a]
