"""How many clients can one room hold while a message still reaches all of them within 500 ms?

What is measured
    N WebSocket clients subscribe to one room; 4 of them (`--broadcasters`) send `message.send`
    frames at a fixed combined rate (`--rate`, 20 a second: 5 per socket, the consumer's
    sustained limit CHAT_SEND_RATE, whose burst of 20 is never used up) for `--duration`
    seconds. For each message, the time from its send until the LAST of the N clients has
    received its `message.new` (every subscribed socket receives it, the sender included):
    p50 / p95 / p99 / max over the messages. Lost: deliveries still missing `--drain` seconds
    after the last send. Deliveries per second: deliveries / (last delivery - first send).
    N grows over `--levels`; a server kind stops at the first level where p95 exceeds 500 ms,
    a delivery is lost or a client cannot connect, and the gap between the last level it held
    and that one is then bisected `--refine` times.

    Server kinds, each measured in the same run:
      baseline  bench/fanout_baseline.py: a bare asyncio `websockets` broadcast server (no
                tenant, auth, database or channel layer), the ceiling
      core      the product on daphne, `CHANNEL_LAYER=core`   (channels_redis.core)
      pubsub    the product on daphne, `CHANNEL_LAYER=pubsub` (channels_redis.pubsub)
    The product runs with the production settings (DEBUG off, persistent database connections),
    every message is stored in PostgreSQL before it is broadcast, as in production.

    The server is pinned to CPU 0 and this process, the load generator, to CPU 1; PostgreSQL and
    Redis are not pinned. Each level gets a fresh server process. The load generator is one
    asyncio process with a minimal WebSocket client of its own (asyncio.Protocol, no per-frame
    JSON parsing: it finds the type and client_id of a frame by byte search), and it reports its
    own CPU use: a level where it was busier than 90% of its core is marked, since the numbers
    are then the generator's, not the server's.

    Each level also reports the server's CPU (all its threads) during the measurement and the
    deliveries per second of that CPU. On a machine shared with other work the server gets only
    part of its core and N falls with it; deliveries per CPU-second do not, and divided by the
    rate they give the N that would fill one free core (an upper bound: no latency headroom).

    Clients: every socket authenticates with a bearer token of a tenant user (minted before each
    level, access tokens live five minutes). The broadcasters are users of their own; the other
    sockets take turns over `--listener-users` users (100), so connecting thousands of sockets
    does not turn into thousands of presence changes. The tenant (`fanout`), its users and the
    room (the tenant's `general`) are created on the first run and kept.

    Targets: the largest N with p95 <= 500 ms for the better channel layer is at least half the
    baseline's, with nothing lost. The layer with the larger N is chosen (ties: lower p95).

How to run
    make bench-fanout                                   # everything (10 to 15 minutes)
    make bench-fanout ARGS="--quick"                    # levels 50,100,200, short steps
    make bench-fanout ARGS="--kinds core,pubsub --max-clients 800"

    or directly, against servers of your own:
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dev REDIS_URL=redis://127.0.0.1:6379/9 \\
        DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/ws_fanout.py --quick

The script never touches the database named in DATABASE_URL: it works in its own database on
the same server, `<name>_bench_fanout`, kept between runs (the first run migrates it, about two
minutes). Results are printed and written to bench/results/ws_fanout.json, rewritten after each
level; server logs go to bench/results/ws_fanout-<kind>.log.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.provision import (  # noqa: E402
    bench_database_url,
    bench_tenant,
    host_info,
    percentile,
    prepare_database,
    stop_process,
)

PYTHON = sys.executable
DB_SUFFIX = "_bench_fanout"
SLUG = "fanout"
ROOM_NAME = "general"
TENANT_ID_FLOOR = 970_000
# Tokens are minted here and checked by the server process: both sign with this key.
SECRET_KEY = "bench-fanout-not-secret-but-long-enough-for-hmac-sha256"
KINDS = ("baseline", "core", "pubsub")
LEVELS = [50, 100, 200, 400, 800, 1600, 3200, 4800, 6400]
QUICK_LEVELS = [50, 100, 200]
P95_LIMIT = 0.5
TARGET_SHARE = 0.5
SERVER_CPU = 0
GENERATOR_CPU = 1
GENERATOR_BUSY = 0.9
# A server that fails a level while using less of its core than this was short of CPU because
# other work ran on it, not at its own limit.
SERVER_BUSY = 0.8
RESULTS_DIR = ROOT / "bench" / "results"
RESULTS_FILE = RESULTS_DIR / "ws_fanout.json"

# Byte patterns the load generator looks for instead of parsing JSON.
NEW = b'"message.new"'
SUBSCRIBED = b'"subscribed"'
ERROR = b'"error"'
CLIENT_ID = b'"client_id":"'
HEAD = 48  # a frame's type is within its first bytes: {"type":"message.new",...


# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------
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
class KindSummary:
    kind: str
    largest: int | None  # largest N that held
    first_failed: int | None
    p95_at_largest: float | None
    deliveries_per_second_at_largest: float | None
    ratio: float | None  # largest / baseline's largest
    # The most deliveries per server CPU-second of any level, and the clients that would keep one
    # core busy at the run's rate: an upper bound, with no headroom for latency. It holds when
    # the server shares its core with other work, when the measured N does not.
    deliveries_per_cpu_second: float | None = None
    cpu_bound_clients: int | None = None
    starved: bool = False  # it failed with its core partly idle (see StepResult.server_starved)


@dataclass
class Options:
    rate: float
    duration: float
    drain: float
    broadcasters: int
    listener_users: int
    connect_concurrency: int
    profile: bool = False


# ----------------------------------------------------------------------------------------------
# The load generator: a minimal WebSocket client
# ----------------------------------------------------------------------------------------------
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
    """What all the clients of one level share."""

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
        self._fail(ConnectionError("connection lost"))

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
                record = self.step.tracker.get(data[found : data.find(b'"', found, end)])
                if record is not None:
                    record[0] += 1
                    record[1] = now
                    self.step.delivered += 1
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
        await asyncio.sleep(0.2 * (attempt + 1))
    return None


async def wait_until(predicate: Any, timeout: float, interval: float = 0.02) -> bool:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() >= deadline:
            return False
        await asyncio.sleep(interval)
    return True


def cpu_seconds(pid: int) -> float:
    import psutil

    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


async def run_step(
    kind: str, clients: int, port: int, server_pid: int, target: Target, tokens: Tokens, options: Options
) -> StepResult:
    result = StepResult(kind=kind, clients=clients)
    step = Step()
    semaphore = asyncio.Semaphore(options.connect_concurrency)
    requests = []
    for index in range(clients):
        if index < options.broadcasters:
            token = tokens.broadcasters[index % len(tokens.broadcasters)]
        else:
            token = tokens.listeners[index % len(tokens.listeners)]
        requests.append(handshake(target.host, port, token))
    started = time.perf_counter()
    # The broadcasters first, so a level never starts without its senders.
    first = [await connect(step, port, requests[i], target.room, semaphore) for i in range(options.broadcasters)]
    rest = await asyncio.gather(
        *(connect(step, port, requests[i], target.room, semaphore) for i in range(options.broadcasters, clients))
    )
    connected = [client for client in (*first, *rest) if client is not None]
    result.connect_seconds = time.perf_counter() - started
    result.connected = len(connected)
    broadcasters = [client for client in first if client is not None]
    try:
        if result.connected < clients or len(broadcasters) < options.broadcasters:
            result.note = f"{clients - result.connected} clients could not connect"
            result.errors = dict(step.errors)
            return result
        # Let whatever the connections set off (presence, joins) settle before measuring.
        await wait_until(lambda: time.perf_counter() - step.last_rx > 0.5, 30, 0.1)
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


# ----------------------------------------------------------------------------------------------
# The servers
# ----------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pin(cpu: int) -> None:
    if cpu < (os.cpu_count() or 1):
        with contextlib.suppress(OSError, AttributeError):
            os.sched_setaffinity(0, {cpu})


def pin_server() -> None:
    pin(SERVER_CPU)


def server_env(kind: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SITE_SCHEME": "http",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    if kind != "baseline":
        env["CHANNEL_LAYER"] = kind
    return env


class Server:
    def __init__(self, kind: str, profile: Path | None = None) -> None:
        self.kind = kind
        self.port = free_port()
        self.profile = profile
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = RESULTS_DIR / f"ws_fanout-{kind}.log"
        if kind == "baseline":
            command = [str(ROOT / "bench" / "fanout_baseline.py"), "--port", str(self.port)]
        else:
            endpoint = f"tcp:port={self.port}:interface=127.0.0.1:backlog=1024"
            command = ["-m", "daphne", "-v", "0", "-e", endpoint, "config.asgi:application"]
        env = server_env(kind)
        if profile is not None:
            command = [str(ROOT / "bench" / "fanout_profile.py"), *command]
            env["FANOUT_PROFILE"] = str(profile)
        command = [PYTHON, *command]
        self.log = self.log_path.open("ab")
        self.log.write(f"\n==> {datetime.now(UTC).isoformat(timespec='seconds')} {' '.join(command)}\n".encode())
        self.log.flush()
        self.process = subprocess.Popen(  # a fixed command
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=pin_server,  # before exec: every thread inherits it
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the {self.kind} server exited with {self.process.returncode}; see {self.log_path}")
            if self.answers():
                return
            time.sleep(0.2)
        raise RuntimeError(f"the {self.kind} server did not start within {timeout:.0f}s; see {self.log_path}")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                if self.kind == "baseline":
                    return True
                conn.sendall(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
                return b" 200 " in conn.recv(64).split(b"\r\n", 1)[0]
        except OSError:
            return False

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


# ----------------------------------------------------------------------------------------------
# The tenant, its users and tokens (Django, before and between the levels)
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    host: str
    tenant_id: int
    room: int


@dataclass(frozen=True)
class Tokens:
    broadcasters: list[str]
    listeners: list[str]


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SECRET_KEY"] = SECRET_KEY
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def user_email(role: str, index: int, slug: str = SLUG) -> str:
    return f"{role}{index:03d}@{slug}.bench.test"


def ensure_room_users(client: Any, emails: list[str]) -> int:
    """The users with `emails` in the tenant `client`, created where missing (a new user joins
    its `general` room); returns that room's id. Leaves the connection on the public schema."""
    from django_tenants.utils import schema_context

    from accounts.actions.users import do_create_user
    from accounts.models import User
    from chat.models import Room
    from tenants.db import use_public_schema

    with schema_context(client.schema_name):
        present = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        missing = [email for email in emails if email not in present]
        if missing:
            print(f"==> Creating {len(missing)} users ...", flush=True)
        for email in missing:
            do_create_user(email=email, password=None, name=email.split("@")[0])  # joins `general`
        room = Room.objects.get(name=ROOM_NAME)
    use_public_schema()
    return int(room.pk)


def ensure_target(broadcasters: int, listeners: int) -> Target:
    """The tenant, its broadcaster and listener users, all members of its `general` room."""
    from django.conf import settings

    client = bench_tenant(SLUG, name="Fan-out", owner_email=f"owner@{SLUG}.bench.test", id_floor=TENANT_ID_FLOOR)
    wanted = [user_email("b", i) for i in range(broadcasters)] + [user_email("l", i) for i in range(listeners)]
    room = ensure_room_users(client, wanted)
    return Target(host=f"{SLUG}.{settings.PLATFORM_DOMAIN}", tenant_id=client.pk, room=room)


def mint_access_tokens(slug: str, roles: Sequence[tuple[str, int]]) -> list[list[str]]:
    """Fresh access tokens (they live five minutes) for the users `user_email(role, 0 ..
    count - 1, slug)` of the tenant `slug`, a list per (role, count)."""
    from django_tenants.utils import schema_context

    from accounts.models import User
    from accounts.tokens import mint_tokens
    from tenants.db import use_public_schema
    from tenants.models import Client

    use_public_schema()
    client = Client.objects.get(slug=slug)
    with schema_context(client.schema_name):
        users = {user.email: user for user in User.objects.filter(email__endswith=f"@{slug}.bench.test")}
        result = [
            [str(mint_tokens(users[user_email(role, i, slug)], client).access_token) for i in range(count)]
            for role, count in roles
        ]
    use_public_schema()
    return result


def mint(broadcasters: int, listeners: int) -> Tokens:
    """Fresh access tokens for every user of the benchmark."""
    broadcaster_tokens, listener_tokens = mint_access_tokens(SLUG, [("b", broadcasters), ("l", listeners)])
    return Tokens(broadcasters=broadcaster_tokens, listeners=listener_tokens)


# ----------------------------------------------------------------------------------------------
# Running the levels
# ----------------------------------------------------------------------------------------------
def forget_old_servers(tenant_id: int) -> int:
    """Drop the tenant's channel-layer groups (core layer) before a level: the server of the
    previous level was stopped without leaving its groups, and channels-redis would keep sending
    every event to its dead channel until the group expires. Each level starts as a fresh
    deployment would. Returns how many dead channels were dropped."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"asgi:group:t{tenant_id}.*", count=1000))
        dropped = sum(int(client.zcard(key)) for key in keys)
        if keys:
            client.delete(*keys)
        return dropped
    finally:
        client.close()


def measure(kind: str, clients: int, target: Target, options: Options) -> StepResult:
    tokens = mint(options.broadcasters, options.listener_users) if kind != "baseline" else Tokens([""], [""])
    if kind != "baseline":
        forget_old_servers(target.tenant_id)
    profile = RESULTS_DIR / f"ws_fanout-{kind}-{clients}.prof" if options.profile else None
    server = Server(kind, profile)
    try:
        server.wait_ready()
        result = asyncio.run(run_step(kind, clients, server.port, server.process.pid, target, tokens, options))
    finally:
        server.stop()
    print_row(result)
    if profile is not None and profile.exists():
        print(f"       profile of the measured messages: {profile.relative_to(ROOT)}", flush=True)
    return result


def measure_kind(kind: str, levels: list[int], refine: int, target: Target, options: Options) -> list[StepResult]:
    print(f"\n==> {kind}: {describe(kind)}", flush=True)
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


def describe(kind: str) -> str:
    return {
        "baseline": "bare asyncio websockets broadcast server (the ceiling)",
        "core": "daphne, channels_redis core layer",
        "pubsub": "daphne, channels_redis PubSub layer",
    }[kind]


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


def summarise(kind: str, results: list[StepResult], baseline: int | None, rate: float) -> KindSummary:
    held = [r for r in results if r.holds]
    efficiency = max((r.deliveries_per_cpu_second or 0 for r in results), default=0) or None
    failed = [r.clients for r in results if not r.holds]
    best = max(held, key=lambda r: r.clients) if held else None
    largest = best.clients if best else None
    ratio = largest / baseline if largest is not None and baseline else None
    return KindSummary(
        kind=kind,
        largest=largest,
        first_failed=min(failed) if failed else None,
        p95_at_largest=best.p95 if best else None,
        deliveries_per_second_at_largest=best.deliveries_per_second if best else None,
        ratio=ratio,
        deliveries_per_cpu_second=efficiency,
        cpu_bound_clients=round(efficiency / rate) if efficiency else None,
        starved=any(r.server_starved for r in results if r.clients == min(failed, default=0)),
    )


def compare_layers(results: dict[str, list[StepResult]]) -> list[tuple[int, float, float]]:
    """(N, core, pubsub) deliveries per CPU-second at every N both layers measured. The share of
    the core a server gets does not change these, so they compare the layers on a busy machine
    too (at the same N: the per-message cost is spread over the deliveries)."""
    core = {r.clients: r.deliveries_per_cpu_second for r in results.get("core", [])}
    pubsub = {r.clients: r.deliveries_per_cpu_second for r in results.get("pubsub", [])}
    return [(n, c, p) for n in sorted(set(core) & set(pubsub)) if (c := core[n]) and (p := pubsub[n])]


def print_layer_comparison(rows: list[tuple[int, float, float]]) -> None:
    if not rows:
        return
    print("Deliveries per CPU-second at the N both layers measured (core / pubsub)")
    print("  " + ", ".join(f"{n:,}: {c:,.0f} / {p:,.0f}" for n, c, p in rows))
    ratios = sorted(p / c for _, c, p in rows)
    print(f"  pubsub / core: median {ratios[len(ratios) // 2]:.2f} (from {ratios[0]:.2f} to {ratios[-1]:.2f})")


def choose_layer(summaries: dict[str, KindSummary]) -> str | None:
    layers = [s for k, s in summaries.items() if k != "baseline" and s.largest]
    if not layers:
        return None
    return max(layers, key=lambda s: (s.largest or 0, -(s.p95_at_largest or 0))).kind


def print_summary(summaries: dict[str, KindSummary], choice: str | None) -> None:
    print("\nLargest N with p95 <= 500 ms and nothing lost")
    for s in summaries.values():
        largest = "none" if s.largest is None else f"{s.largest:,}"
        failed = "" if s.first_failed is None else f" (failed at {s.first_failed:,})"
        ratio = "" if s.ratio is None else f", {s.ratio:.0%} of the baseline"
        rate = (
            ""
            if s.deliveries_per_second_at_largest is None
            else f", {s.deliveries_per_second_at_largest:,.0f} deliveries/s"
        )
        print(f"  {s.kind:<9} {largest}{failed}{ratio}{rate}")
    starved = [s for s in summaries.values() if s.starved]
    if starved:
        print(
            "Warning: "
            + ", ".join(s.kind for s in starved)
            + " failed with part of the core idle: other work was using the machine, so these N"
            " are understated. Compare the deliveries per CPU-second below, or run on a quiet machine."
        )
    print("Deliveries per second of server CPU (best level), and the N that would fill one core at this rate")
    for s in summaries.values():
        if s.deliveries_per_cpu_second and s.cpu_bound_clients:
            print(f"  {s.kind:<9} {s.deliveries_per_cpu_second:,.0f}/s, N about {s.cpu_bound_clients:,}")
    if choice is None:
        print("Layer choice: none held even the smallest level.")
    else:
        other = "pubsub" if choice == "core" else "core"
        if other in summaries:
            mine, theirs = summaries[choice], summaries[other]
            reason = "larger N" if (mine.largest or 0) > (theirs.largest or 0) else "same N, lower p95"
            print(f"Layer choice: {choice} ({reason} than {other})")
        else:
            print(f"Layer: {choice} (the other layer was not measured)")
        chosen = summaries[choice]
        baseline = summaries.get("baseline")
        if baseline is not None and baseline.largest and baseline.first_failed is None:
            print(
                f"Target: not judged: the baseline held every level up to {baseline.largest:,}, so its"
                " ceiling is higher (more --levels)"
            )
        elif chosen.ratio is not None:
            verdict = "MET" if chosen.ratio >= TARGET_SHARE else "NOT MET"
            print(f"Target: at least half the baseline's N with nothing lost: {verdict} ({chosen.ratio:.0%})")


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


def write_json(report: dict[str, Any]) -> None:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2) + "\n")


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return wanted


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------
def parse_list(value: str) -> list[int]:
    try:
        levels = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError("levels are comma-separated whole numbers") from exc
    if not levels or levels[0] < 1:
        raise argparse.ArgumentTypeError("levels must be positive")
    return levels


def parse_kinds(value: str) -> list[str]:
    kinds = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"kinds are among {', '.join(KINDS)}")
    return [kind for kind in KINDS if kind in kinds]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="levels 50,100,200, 2 s steps, no bisection")
    parser.add_argument("--kinds", type=parse_kinds, default=list(KINDS), help="default baseline,core,pubsub")
    parser.add_argument("--levels", type=parse_list, help=f"default {','.join(map(str, LEVELS))}")
    parser.add_argument("--max-clients", type=int, help="drop the levels above this")
    parser.add_argument("--refine", type=int, help="bisections after a kind fails (default 2, --quick 0)")
    parser.add_argument("--rate", type=float, default=20.0, help="messages a second, all broadcasters (20)")
    parser.add_argument("--duration", type=float, help="seconds of sending per level (default 5, --quick 2)")
    parser.add_argument("--drain", type=float, help="seconds to wait for deliveries after the last send (10)")
    parser.add_argument("--broadcasters", type=int, default=4, help="sockets that send (4)")
    parser.add_argument("--listener-users", type=int, default=100, help="users the other sockets share (100)")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the server's event loop while the messages are measured"
    )
    parser.add_argument("--connect-concurrency", type=int, default=64, help="handshakes in flight (64)")
    args = parser.parse_args(argv)
    if args.levels is None:
        args.levels = QUICK_LEVELS if args.quick else LEVELS
    if args.max_clients:
        args.levels = [n for n in args.levels if n <= args.max_clients] or [args.max_clients]
    if args.refine is None:
        args.refine = 0 if args.quick else 2
    if args.duration is None:
        args.duration = 2.0 if args.quick else 5.0
    if args.drain is None:
        args.drain = 5.0 if args.quick else 10.0
    if args.broadcasters < 1 or args.listener_users < 1 or args.rate <= 0:
        parser.error("--broadcasters, --listener-users and --rate must be positive")
    if args.levels[0] <= args.broadcasters:
        parser.error("every level needs more clients than broadcasters")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    source_url = os.environ.get("DATABASE_URL")
    if not source_url:
        print("DATABASE_URL is not set; run through `make bench-fanout`.", file=sys.stderr)
        return 2
    fds = raise_fd_limit()
    if max(args.levels) + 100 > fds:
        print(f"warning: {fds} file descriptors allowed, fewer than the largest level needs", flush=True)
    cpus = os.cpu_count() or 1
    if cpus < 2:
        print("warning: one CPU: the server and the load generator share it", flush=True)
    pin(GENERATOR_CPU)

    url = bench_database_url(source_url, DB_SUFFIX)
    database = prepare_database(url, fresh=False)
    setup_django(url)
    from django.core.management import call_command

    print(f"==> Migrating {database} ...", flush=True)
    call_command("migrate_all", verbosity=0)
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
    load_start = [round(v, 2) for v in os.getloadavg()]
    print(
        f"==> {args.broadcasters} broadcasters, {args.rate:g} messages/s in all for {args.duration:g} s per level;"
        f" server on CPU {SERVER_CPU}, load generator on CPU {GENERATOR_CPU}; load average {load_start}",
        flush=True,
    )
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "complete": False,
        "machine": machine_info(),
        "database": database,
        "options": asdict(options),
        "levels": args.levels,
        "load_average": {"start": load_start},
        "results": {},
        "summary": {},
    }
    summaries: dict[str, KindSummary] = {}
    measured: dict[str, list[StepResult]] = {}
    for kind in args.kinds:
        results = measure_kind(kind, args.levels, args.refine, target, options)
        measured[kind] = results
        report["results"][kind] = [
            {
                **asdict(r),
                "holds": r.holds,
                "server_starved": r.server_starved,
                "generator_saturated": r.generator_saturated,
            }
            for r in results
        ]
        baseline = summaries["baseline"].largest if "baseline" in summaries else None
        summaries[kind] = summarise(kind, results, baseline, options.rate)
        report["summary"] = {k: asdict(s) for k, s in summaries.items()}
        write_json(report)
    choice = choose_layer(summaries)
    print_summary(summaries, choice)
    comparison = compare_layers(measured)
    print_layer_comparison(comparison)
    report["layer_choice"] = choice
    report["layers_per_cpu_second"] = [{"clients": n, "core": c, "pubsub": p} for n, c, p in comparison]
    report["complete"] = True
    report["load_average"]["end"] = [round(v, 2) for v in os.getloadavg()]
    print(f"Load average at start {load_start}, at end {report['load_average']['end']}; {cpus} CPUs")
    saturated = [
        f"{r['kind']} {r['clients']}"
        for rs in report["results"].values()
        for r in rs
        if r["generator_cpu"] > GENERATOR_BUSY
    ]
    if saturated:
        print(f"The load generator was saturated at: {', '.join(saturated)}")
    write_json(report)
    print(f"Results written to {RESULTS_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
