"""What billing costs where it is in the way: sending a message, and acknowledging Stripe.

What is measured
    1. The send path with plan limits enforced and without. The product on daphne, started as
       the Procfile's `web` line with the production settings, once with
       `BILLING_ENFORCE_LIMITS=true` (as deployed: every send asks config.limits, which reads
       the tenant's cached entitlement and counts the message in billing_usage) and once with
       `=false` (billing.apps registers no gate: config.limits allows everything and counts
       nothing). Same tenant, same room, same users. N WebSocket clients (`--clients`)
       subscribe to the tenant's `general` room; 4 of them (`--senders`) send in a closed
       loop: each sends its next `message.send` as soon as its previous message has reached
       all N clients (the moment the fan-out benchmark measures). After `--warm-up` seconds
       untimed, messages completed in the next `--duration` seconds are counted: messages a
       second, p50 / p95 of send-to-last-delivery, and the server's CPU per message. The
       per-socket send limit (CHAT_SEND_RATE, 5 a second) is lifted on both servers: with it
       the loop would measure the limit. Each measurement gets a fresh server process; the
       on and off measurements alternate (on, off, on, off...) so that a machine growing
       busier favours neither. The ratio is off / on messages a second (how much slower the
       send path is with limits on); after each run the messages counted in the tenant's
       usage row are compared with the messages sent (all of them with limits on, none off).

    2. Stripe's webhook under a burst. `POST /stripe/webhook/<djstripe_uuid>/` on the
       platform host (Host: the platform domain, X-Forwarded-Proto: https as the front end
       sends it), the endpoint being a dj-stripe `WebhookEndpoint` row with a known secret.
       `--events` distinct `customer.subscription.updated` events, each signed as Stripe
       signs (`Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "<t>.<body>">`), are posted
       by `--concurrency` keep-alive connections at once, as fast as they are answered; each
       is timed from the first byte sent to the last byte of the answer: p50 / p95 / p99.
       Baseline, the same burst in the same run against the same server: `GET /healthz` (the
       same handler, one PostgreSQL and one Redis round trip). For scale, the same events
       signed with a wrong secret (refused after the signature check, nothing stored). No
       worker runs (the events are stored, not applied; the tasks queued for them go to a
       queue of the benchmark's own, emptied afterwards); every event answered 200 must be
       stored exactly once as a `billing.StripeEvent`, and no refused one at all.

    The server is pinned to CPU 0, this process (the load generator) to CPU 1; PostgreSQL and
    Redis are not pinned.

    Targets: limits on at most 5% slower than off (ratio <= 1.05); the webhook's p95 under
    50 ms. Three runs (`--runs`); medians and the spread (lowest to highest) are printed.

How to run
    make bench-billing                        # 3 runs: 100 clients, 15 s per measurement; 500 events
    make bench-billing ARGS="--quick"         # 1 run, 10 clients, 2 s; 40 events (seconds, for CI)
    make bench-billing ARGS="--skip-webhook"  # the send path only
    make bench-billing ARGS="--profile"       # and cProfile the send action in this process

The script never touches the database named in DATABASE_URL: it works in its own database on
the same server, `<name>_bench_billing`, kept between runs with its tenant `bench-billing` (the
first run migrates it, about two minutes). Results are printed and written to
bench/results/billing.json; server logs go to bench/results/billing-*.log.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.provision import (  # noqa: E402
    bench_database_url,
    bench_tenant,
    load_average,
    machine_info,
    now,
    percentile,
    prepare_database,
)
from bench.webserver import WebServer, production_env  # noqa: E402
from bench.ws_fanout import (  # noqa: E402
    CLIENT_ID,
    ERROR,
    HEAD,
    NEW,
    SUBSCRIBED,
    Client,
    Step,
    Target,
    connect,
    cpu_seconds,
    ensure_room_users,
    forget_old_servers,
    handshake,
    mint_access_tokens,
    pin,
    pin_server,
    user_email,
)

DB_SUFFIX = "_bench_billing"
SLUG = "bench-billing"
# PubSub channels are shared by the whole Redis server and group names carry the tenant id: an id
# of its own keeps this benchmark's events away from other benchmarks' and tests' processes.
TENANT_ID_FLOOR = 975_000
# Tokens are minted here and checked by the server: both sign with this key.
SECRET_KEY = "bench-billing-not-secret-but-long-enough-for-hmac-sha256"
# The benchmark's own webhook endpoint (a dj-stripe WebhookEndpoint row).
ENDPOINT_ID = "we_bench_billing"
ENDPOINT_UUID = uuid.UUID("5b1e2c3d-0000-4000-8000-00000000b111")
ENDPOINT_SECRET = "whsec_bench_billing_known_secret_0123456789"
WRONG_SECRET = "whsec_bench_billing_wrong_secret_9876543210"
EVENT_PREFIX = "evt_bench_"
PLAN_CODE = "business"  # unlimited seats: the benchmark's users never meet a seat limit
TARGET_RATIO = 1.05
TARGET_P95_MS = 50.0
SERVER_CPU_NOTE = 0.9
STALL_SECONDS = 5.0
RESULTS_DIR = ROOT / "bench" / "results"
RESULTS_FILE = RESULTS_DIR / "billing.json"


# ----------------------------------------------------------------------------------------------
# Django (this process: set-up, users, tokens, counting)
# ----------------------------------------------------------------------------------------------
def setup_django(url: str, queue: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SECRET_KEY"] = SECRET_KEY
    os.environ["CELERY_QUEUE"] = queue
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def ensure_plan(tenant_id: int) -> None:
    """The tenant on a paid plan with unlimited seats, active: what a busy workspace has. Set
    again before every measurement, in case a webhook of an earlier run was applied."""
    from django.db import transaction

    from billing.entitlements import forget
    from billing.models import Entitlement, Plan, Usage
    from tenants.db import use_public_schema

    use_public_schema()
    plan = Plan.objects.get(code=PLAN_CODE)
    with transaction.atomic():
        Entitlement.objects.update_or_create(
            client_id=tenant_id,
            defaults={"plan": plan, "status": Entitlement.Status.ACTIVE, "is_comped": True, "past_due_since": None},
        )
        Usage.objects.get_or_create(client_id=tenant_id, defaults={"period_start": now_utc()})
        forget(tenant_id)


def now_utc() -> Any:
    from django.utils import timezone

    return timezone.now()


def ensure_target(senders: int, listeners: int) -> Target:
    """The tenant, its sender and listener users, all members of its `general` room."""
    from django.conf import settings

    client = bench_tenant(SLUG, name="Bench Billing", owner_email=f"owner@{SLUG}.bench.test", id_floor=TENANT_ID_FLOOR)
    ensure_plan(client.pk)
    wanted = [user_email("s", i, SLUG) for i in range(senders)] + [user_email("l", i, SLUG) for i in range(listeners)]
    room = ensure_room_users(client, wanted)
    return Target(host=f"{SLUG}.{settings.PLATFORM_DOMAIN}", tenant_id=client.pk, room=room)


def mint(senders: int, listeners: int) -> tuple[list[str], list[str]]:
    """Fresh access tokens (they live five minutes) for the senders and the listeners."""
    sender_tokens, listener_tokens = mint_access_tokens(SLUG, [("s", senders), ("l", listeners)])
    return sender_tokens, listener_tokens


def messages_counted(tenant_id: int) -> int:
    """The tenant's `messages_total` in billing_usage (what config.limits.record_message counts)."""
    from billing.models import Usage
    from tenants.db import use_public_schema

    use_public_schema()
    return int(Usage.objects.filter(client_id=tenant_id).values_list("messages_total", flat=True).first() or 0)


# ----------------------------------------------------------------------------------------------
# The servers
# ----------------------------------------------------------------------------------------------
def start_server(name: str, extra_env: dict[str, str]) -> WebServer:
    """The Procfile's `web` command with the production settings and `extra_env`, pinned to CPU 0."""
    note = f" ({' '.join(f'{k}={v}' for k, v in extra_env.items())})"
    return WebServer(
        RESULTS_DIR / f"billing-{name}.log", production_env(SECRET_KEY, extra_env), note=note, preexec_fn=pin_server
    )


def chat_env(enforce: bool) -> dict[str, str]:
    return {
        "BILLING_ENFORCE_LIMITS": "true" if enforce else "false",
        # Sockets are plain ws:// on loopback here (the front end terminates TLS in production).
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SITE_SCHEME": "http",
        # A closed loop would otherwise measure the per-socket send limit (5 a second).
        "CHAT_SEND_RATE": "1000000",
        "CHAT_SEND_BURST": "1000000",
    }


# ----------------------------------------------------------------------------------------------
# 1. The send path: a closed loop of senders
# ----------------------------------------------------------------------------------------------
@dataclass
class SendResult:
    limits: str  # "on" or "off"
    run: int
    clients: int
    connected: int = 0
    seconds: float = 0.0
    messages: int = 0
    messages_per_second: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    server_cpu: float = 0.0  # share of one core during the window
    cpu_ms_per_message: float | None = None
    generator_cpu: float = 0.0
    sent: int = 0  # during the measured window
    sent_total: int = 0  # warm-up and window: what the usage row should gain
    stalled: int = 0  # messages that did not reach every client within STALL_SECONDS
    counted: int = 0  # messages the tenant's usage row gained during the measurement
    errors: dict[str, int] = field(default_factory=dict)
    note: str = ""


class Loop(Step):
    """The closed loop: each sender sends its next message once its previous one has reached
    every client. Runs in the protocol callbacks, so a completion sends the next frame at once."""

    def __init__(self, clients: int, room: int) -> None:
        super().__init__()
        self.clients = clients
        self.room = room
        self.senders: list[Client] = []
        self.owner: dict[bytes, int] = {}
        self.sending = False
        self.counter = 0
        self.sent = 0
        self.stalled = 0
        self.tag = f"{os.getpid()}-{int(time.time() * 1000) % 10**8}"
        # (sent, completed) of every message completed while `window` is open
        self.window: tuple[float, float] | None = None
        self.completed: list[tuple[float, float]] = []

    def send_next(self, index: int) -> None:
        if not self.sending:
            return
        self.counter += 1
        client_id = f"b{self.counter}-{self.tag}"
        frame = json.dumps(
            {
                "type": "message.send",
                "room": self.room,
                "body": f"billing bench {client_id} at {time.time():.6f}",
                "client_id": client_id,
            }
        )
        key = client_id.encode()
        self.tracker[key] = [0, 0.0, time.perf_counter()]
        self.owner[key] = index
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

    def on_text(self, data: bytes, start: int, end: int, now: float) -> None:
        head = min(end, start + HEAD)
        if data.find(NEW, start, head) >= 0:
            found = data.find(CLIENT_ID, start, end)
            if found >= 0:
                found += len(CLIENT_ID)
                self.step.delivered_to_one(data[found : data.find(b'"', found, end)], now)
        elif data.find(SUBSCRIBED, start, head) >= 0 or data.find(ERROR, start, head) >= 0:
            super().on_text(data, start, end, now)


async def run_loop(
    result: SendResult,
    port: int,
    server_pid: int,
    target: Target,
    tokens: tuple[list[str], list[str]],
    warm_up: float,
    duration: float,
) -> None:
    senders_tokens, listener_tokens = tokens
    step = Loop(result.clients, target.room)
    semaphore = asyncio.Semaphore(32)
    requests = [handshake(target.host, port, token) for token in senders_tokens]
    requests += [
        handshake(target.host, port, listener_tokens[i % len(listener_tokens)])
        for i in range(result.clients - len(senders_tokens))
    ]
    senders = [
        await connect(step, port, request, step.room, semaphore, client_class=LoopClient)
        for request in requests[: len(senders_tokens)]
    ]
    rest = await asyncio.gather(
        *(
            connect(step, port, request, step.room, semaphore, client_class=LoopClient)
            for request in requests[len(senders_tokens) :]
        )
    )
    connected = [client for client in (*senders, *rest) if client is not None]
    result.connected = len(connected)
    try:
        if result.connected < result.clients:
            result.note = f"{result.clients - result.connected} clients could not connect"
            return
        step.senders = [client for client in senders if client is not None]
        # Let what the connections set off (presence) settle.
        deadline = time.perf_counter() + 30
        while time.perf_counter() - step.last_rx < 0.5 and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        step.errors.clear()
        step.sending = True
        for index in range(len(step.senders)):
            step.send_next(index)

        async def tick(until: float) -> None:
            while time.perf_counter() < until:
                await asyncio.sleep(min(0.25, max(until - time.perf_counter(), 0)))
                step.unstick()

        await tick(time.perf_counter() + warm_up)
        stalled_before, sent_before = step.stalled, step.sent
        server_cpu, generator_cpu = cpu_seconds(server_pid), time.process_time()
        opened = time.perf_counter()
        step.window = (opened, opened + duration)
        await tick(opened + duration)
        closed = time.perf_counter()
        step.sending = False
        server_seconds = cpu_seconds(server_pid) - server_cpu
        result.generator_cpu = (time.process_time() - generator_cpu) / (closed - opened)
        result.server_cpu = server_seconds / (closed - opened)
        # What is still in flight arrives (or is counted as stalled) before the server stops.
        drain = time.perf_counter() + STALL_SECONDS + 1
        while step.tracker and time.perf_counter() < drain:
            await asyncio.sleep(0.05)
            step.unstick()
        result.seconds = duration
        result.messages = len(step.completed)
        result.messages_per_second = result.messages / duration
        result.sent = step.sent - sent_before
        result.sent_total = step.sent
        result.stalled = step.stalled - stalled_before
        if step.completed:
            latencies = sorted((done - sent) * 1000 for sent, done in step.completed)
            result.p50_ms = percentile(latencies, 0.50)
            result.p95_ms = percentile(latencies, 0.95)
            result.cpu_ms_per_message = server_seconds * 1000 / result.messages
        result.errors = dict(step.errors)
    finally:
        for client in connected:
            client.close()


def measure_send(
    enforce: bool, run: int, clients: int, senders: int, listeners: int, target: Target, warm_up: float, duration: float
) -> SendResult:
    ensure_plan(target.tenant_id)
    tokens = mint(senders, listeners)
    forget_old_servers(target.tenant_id)
    before = messages_counted(target.tenant_id)
    result = SendResult(limits="on" if enforce else "off", run=run, clients=clients)
    server = start_server(f"limits-{result.limits}", chat_env(enforce))
    try:
        server.wait_ready()
        asyncio.run(run_loop(result, server.port, server.process.pid, target, tokens, warm_up, duration))
    finally:
        server.stop()
    result.counted = messages_counted(target.tenant_id) - before
    print_send_row(result)
    return result


def send_header() -> str:
    return (
        f"{'run':>3} {'limits':>6} {'msgs/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'srv cpu':>7}"
        f" {'cpu ms/msg':>10} {'gen cpu':>7} {'stalled':>7}  counted"
    )


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def print_send_row(r: SendResult) -> None:
    notes = [r.note] if r.note else []
    if r.errors:
        notes.append(", ".join(f"{k}: {v}" for k, v in sorted(r.errors.items())))
    if r.server_cpu < SERVER_CPU_NOTE and r.messages:
        notes.append(f"server below {SERVER_CPU_NOTE:.0%} of its core")
    counted = f"{r.counted} of {r.sent_total}"
    print(
        f"{r.run:>3} {r.limits:>6} {r.messages_per_second:>8.1f} {fmt(r.p50_ms):>7} {fmt(r.p95_ms):>7}"
        f" {r.server_cpu:>7.0%} {fmt(r.cpu_ms_per_message, '.2f'):>10} {r.generator_cpu:>7.0%} {r.stalled:>7}"
        f"  {counted}{'  ' + '; '.join(notes) if notes else ''}",
        flush=True,
    )


# ----------------------------------------------------------------------------------------------
# 2. The webhook under a burst
# ----------------------------------------------------------------------------------------------
def ensure_endpoint() -> str:
    """The dj-stripe WebhookEndpoint row the view verifies with; returns the URL path."""
    from django.conf import settings
    from djstripe.models import WebhookEndpoint

    from tenants.db import use_public_schema

    use_public_schema()
    path = f"/stripe/webhook/{ENDPOINT_UUID}/"
    WebhookEndpoint.objects.update_or_create(
        id=ENDPOINT_ID,
        defaults={
            "djstripe_uuid": ENDPOINT_UUID,
            "secret": ENDPOINT_SECRET,
            "url": f"https://{settings.PLATFORM_DOMAIN}{path}",
            "enabled_events": ["*"],
            "status": "enabled",
            "api_version": settings.STRIPE_API_VERSION,
            "livemode": False,
            "metadata": {"djstripe_uuid": str(ENDPOINT_UUID)},
        },
    )
    return path


def remove_bench_events() -> int:
    from billing.models import StripeEvent
    from tenants.db import use_public_schema

    use_public_schema()
    deleted, _ = StripeEvent.objects.filter(id__startswith=EVENT_PREFIX).delete()
    return deleted


def stored(prefix: str) -> int:
    from billing.models import StripeEvent

    return StripeEvent.objects.filter(id__startswith=prefix).count()


def subscription_event(event_id: str, tenant_id: int, index: int, created: int, api_version: str) -> dict[str, Any]:
    """A `customer.subscription.updated` event shaped as Stripe sends it in this API version
    (the period on the subscription's items), about 3 KB like a real one."""
    period_start = created - 86_400 * 3
    price = {
        "id": "price_bench_team_monthly",
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": 1_767_225_600,
        "currency": "usd",
        "livemode": False,
        "lookup_key": "team-monthly",
        "metadata": {},
        "nickname": None,
        "product": "prod_bench_team",
        "recurring": {"interval": "month", "interval_count": 1, "meter": None, "usage_type": "licensed"},
        "tax_behavior": "unspecified",
        "type": "recurring",
        "unit_amount": 800,
    }
    quantity = 5 + index % 20
    subscription = {
        "id": f"sub_bench_{tenant_id}",
        "object": "subscription",
        "billing_cycle_anchor": period_start,
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "collection_method": "charge_automatically",
        "created": period_start,
        "currency": "usd",
        "customer": f"cus_bench_{tenant_id}",
        "default_payment_method": "pm_bench",
        "ended_at": None,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_bench_{tenant_id}",
                    "object": "subscription_item",
                    "created": period_start,
                    "current_period_start": period_start,
                    "current_period_end": period_start + 86_400 * 30,
                    "metadata": {},
                    "price": price,
                    "quantity": quantity,
                    "subscription": f"sub_bench_{tenant_id}",
                    "tax_rates": [],
                }
            ],
            "has_more": False,
            "total_count": 1,
            "url": f"/v1/subscription_items?subscription=sub_bench_{tenant_id}",
        },
        "latest_invoice": f"in_bench_{tenant_id}_{index}",
        "livemode": False,
        "metadata": {"client_id": str(tenant_id), "plan": "team"},
        "pending_update": None,
        "quantity": quantity,
        "start_date": period_start,
        "status": "active",
        "trial_end": None,
        "trial_start": None,
    }
    return {
        "id": event_id,
        "object": "event",
        "api_version": api_version,
        "created": created,
        "data": {"object": subscription, "previous_attributes": {"quantity": quantity - 1}},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": f"req_bench_{index}", "idempotency_key": str(uuid.uuid4())},
        "type": "customer.subscription.updated",
    }


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """Stripe's scheme: v1 is the hex HMAC-SHA256 of `<timestamp>.<body>` keyed with the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_requests(path: str, host: str, prefix: str, count: int, tenant_id: int, secret: str) -> list[bytes]:
    from django.conf import settings

    created = int(time.time())
    requests = []
    for index in range(count):
        body = json.dumps(
            subscription_event(f"{prefix}{index:05d}", tenant_id, index, created, settings.STRIPE_API_VERSION),
            separators=(",", ":"),
        ).encode()
        head = (
            f"POST {path} HTTP/1.1\r\n"
            f"Host: {host}\r\n"
            "User-Agent: Stripe/1.0\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            "Accept: */*; q=0.5, application/xml\r\n"
            "Cache-Control: no-cache\r\n"
            f"Stripe-Signature: {sign(body, secret, created)}\r\n"
            "X-Forwarded-For: 127.0.0.1\r\n"
            "X-Forwarded-Proto: https\r\n"
            f"Content-Length: {len(body)}\r\n"
            "\r\n"
        )
        requests.append(head.encode() + body)
    return requests


def healthz_requests(host: str, count: int) -> list[bytes]:
    request = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n\r\n"
    return [request.encode()] * count


async def read_response(reader: asyncio.StreamReader) -> int:
    """One HTTP/1.1 response (Content-Length or chunked); returns the status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif "chunked" in headers.get("transfer-encoding", ""):
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def burst(port: int, requests: list[bytes], concurrency: int) -> tuple[list[float], Counter[int]]:
    """Post every request over `concurrency` keep-alive connections at once; the milliseconds
    of each (first byte sent to last byte received) and the count of each status."""
    pending = list(reversed(requests))
    samples: list[float] = []
    statuses: Counter[int] = Counter()

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while pending:
                request = pending.pop()
                started = time.perf_counter()
                writer.write(request)
                status = await read_response(reader)
                samples.append((time.perf_counter() - started) * 1000)
                statuses[status] += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples, statuses


@dataclass
class BurstResult:
    kind: str  # healthz, webhook, bad-signature
    run: int
    requests: int
    seconds: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    stored: int | None = None  # events of this burst found in billing_stripeevent


def timed_burst(kind: str, run: int, port: int, requests: list[bytes], concurrency: int) -> BurstResult:
    started = time.perf_counter()
    samples, statuses = asyncio.run(burst(port, requests, concurrency))
    result = BurstResult(kind=kind, run=run, requests=len(requests), seconds=time.perf_counter() - started)
    result.p50_ms = percentile(samples, 0.50)
    result.p95_ms = percentile(samples, 0.95)
    result.p99_ms = percentile(samples, 0.99)
    result.max_ms = max(samples)
    result.statuses = {str(k): v for k, v in sorted(statuses.items())}
    return result


def measure_webhook(
    run: int, events: int, concurrency: int, target: Target, path: str, queue: str, pool_size: int | None
) -> list[BurstResult]:
    from django.conf import settings

    host = settings.PLATFORM_DOMAIN
    tag = f"{os.getpid()}{int(time.time()) % 10**6}r{run}"
    extra = {"BILLING_ENFORCE_LIMITS": "true"}
    if pool_size is not None:
        extra["DB_POOL_MAX_SIZE"] = str(pool_size)
    server = start_server("webhook", extra)
    results = []
    try:
        server.wait_ready()
        # Warm-up, untimed: the first requests open connections and fill caches.
        warm = f"{EVENT_PREFIX}{tag}w"
        asyncio.run(burst(server.port, healthz_requests(host, 50), concurrency))
        asyncio.run(
            burst(server.port, webhook_requests(path, host, warm, 40, target.tenant_id, ENDPOINT_SECRET), concurrency)
        )
        good, bad = f"{EVENT_PREFIX}{tag}g", f"{EVENT_PREFIX}{tag}b"
        bursts = [
            ("healthz", healthz_requests(host, events), ""),
            ("webhook", webhook_requests(path, host, good, events, target.tenant_id, ENDPOINT_SECRET), good),
            ("bad-signature", webhook_requests(path, host, bad, events, target.tenant_id, WRONG_SECRET), bad),
        ]
        for kind, requests, prefix in bursts:
            result = timed_burst(kind, run, server.port, requests, concurrency)
            if prefix:
                result.stored = stored(prefix)
            results.append(result)
            print_burst_row(result)
    finally:
        server.stop()
        remove_bench_events()
        drop_queue(queue)
    return results


def drop_queue(queue: str) -> None:
    """The tasks the stored events queued (no worker runs here) go with the benchmark's queue."""
    import redis
    from django.conf import settings

    # The broker is the same Redis; its URL in kombu's spelling (redis+socket://) is not redis-py's.
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = [key for key in client.scan_iter(match=f"*{queue}*", count=1000)]
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def burst_header() -> str:
    return f"{'run':>3} {'request':<14} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'req/s':>7}  answers"


def print_burst_row(r: BurstResult) -> None:
    answers = ", ".join(f"{k}: {v}" for k, v in r.statuses.items())
    if r.stored is not None:
        answers += f"; stored {r.stored}"
    print(
        f"{r.run:>3} {r.kind:<14} {r.p50_ms:>7.1f} {r.p95_ms:>7.1f} {r.p99_ms:>7.1f} {r.max_ms:>7.1f}"
        f" {r.requests / r.seconds:>7.0f}  {answers}",
        flush=True,
    )


# ----------------------------------------------------------------------------------------------
# Profile: the send action in this process, limits on and off
# ----------------------------------------------------------------------------------------------
def profile_send(target: Target, messages: int) -> dict[str, Any]:
    """Time `messages` sends through the consumer's own steps (access check, do_send_message in
    events.capture, the payload) in this process, with the gate registered and not, alternating
    in blocks, then cProfile the limits-on sends. What the socket adds is the same for both."""
    import cProfile
    import io
    import pstats

    from django.db import transaction
    from django_tenants.utils import schema_context

    from accounts.models import User
    from billing.entitlements import BillingGate
    from chat import events
    from chat.access import access_room_to_post
    from chat.actions.messages import do_send_message
    from chat.payloads import message_payload
    from config import limits
    from tenants.models import Client as Tenant

    tenant = Tenant.objects.get(pk=target.tenant_id)
    gate, open_gate = BillingGate(), limits._Open()
    times: dict[str, list[float]] = {"on": [], "off": []}
    counter = 0

    def send_one(user: Any) -> None:
        nonlocal counter
        counter += 1
        with events.capture():
            access = access_room_to_post(user, target.room)
            result = do_send_message(
                tenant=tenant,
                author=user,
                room=access.room,
                body=f"profile {counter}",
                client_id=f"p{counter}-{os.getpid()}",
            )
            events.encode({"type": "message.new", "message": message_payload(result.message)})

    with schema_context(tenant.schema_name):
        user = User.objects.get(email=user_email("s", 0, SLUG))
        for _ in range(50):
            send_one(user)
        block = 50
        for i in range(max(messages // block, 2) * 2):
            kind = "on" if i % 2 == 0 else "off"
            limits.register(gate if kind == "on" else open_gate)
            for _ in range(block):
                started = time.perf_counter()
                send_one(user)
                times[kind].append((time.perf_counter() - started) * 1000)
        limits.register(gate)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(messages):
            send_one(user)
        profiler.disable()
        # The call alone, inside a transaction as in a send (rolled back: nothing is counted).
        record_times = []
        with transaction.atomic():
            for _ in range(messages):
                started = time.perf_counter()
                limits.record_message(tenant)
                record_times.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(35)
    listing = RESULTS_DIR / "billing-profile.txt"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    listing.write_text(out.getvalue())
    report = {
        "on_mean_ms": statistics.fmean(times["on"]),
        "off_mean_ms": statistics.fmean(times["off"]),
        "on_median_ms": statistics.median(times["on"]),
        "off_median_ms": statistics.median(times["off"]),
        "record_message_median_ms": statistics.median(record_times),
        "listing": str(listing.relative_to(ROOT)),
    }
    print(
        f"\nThe send action in this process ({len(times['on'])} sends each, alternating blocks of {block}):"
        f" limits on median {report['on_median_ms']:.2f} ms (mean {report['on_mean_ms']:.2f}),"
        f" off {report['off_median_ms']:.2f} ms (mean {report['off_mean_ms']:.2f});"
        f" config.limits.record_message alone {report['record_message_median_ms']:.3f} ms."
        f" cProfile of the limits-on sends: {report['listing']}",
        flush=True,
    )
    return report


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------
def spread(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f} to {max(values):.2f})"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 run, 10 clients, 2 s, 40 events: seconds, for CI")
    parser.add_argument("--runs", type=int, help="on/off pairs and webhook bursts (3; --quick 1)")
    parser.add_argument("--clients", type=int, help="sockets in the room, senders included (100; --quick 10)")
    parser.add_argument("--senders", type=int, default=4, help="sockets that send, in a closed loop (4)")
    parser.add_argument("--listener-users", type=int, default=20, help="users the other sockets share (20)")
    parser.add_argument("--duration", type=float, help="measured seconds per server (15; --quick 2)")
    parser.add_argument("--warm-up", type=float, help="untimed seconds of sending first (3; --quick 1)")
    parser.add_argument("--events", type=int, help="webhook events per burst (500; --quick 40)")
    parser.add_argument("--concurrency", type=int, help="connections posting at once (20; --quick 5)")
    parser.add_argument(
        "--db-pool-max-size",
        type=int,
        help="DB_POOL_MAX_SIZE of the webhook's server (default: the settings' pool; 0: no pool, CONN_MAX_AGE)",
    )
    parser.add_argument("--skip-send", action="store_true", help="no send-path measurement")
    parser.add_argument("--skip-webhook", action="store_true", help="no webhook burst")
    parser.add_argument("--profile", action="store_true", help="also time and cProfile the send action in-process")
    args = parser.parse_args(argv)
    quick = args.quick
    args.runs = args.runs or (1 if quick else 3)
    args.clients = args.clients or (10 if quick else 100)
    args.duration = args.duration or (2.0 if quick else 15.0)
    args.warm_up = args.warm_up if args.warm_up is not None else (1.0 if quick else 3.0)
    args.events = args.events or (40 if quick else 500)
    args.concurrency = args.concurrency or (5 if quick else 20)
    if args.clients <= args.senders or args.senders < 1 or args.listener_users < 1:
        parser.error("--clients must exceed --senders, and both and --listener-users be positive")
    return args


def verdict(value: bool) -> str:
    return "met" if value else "NOT met"


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    source_url = os.environ.get("DATABASE_URL")
    if not source_url:
        print("DATABASE_URL is not set; run through `make bench-billing`.", file=sys.stderr)
        return 2
    pin(1)  # the load generator; the servers take CPU 0
    url = bench_database_url(source_url, DB_SUFFIX)
    database = prepare_database(url, fresh=False)
    queue = f"bench-billing-{os.getpid()}"
    setup_django(url, queue)
    from django.core.management import call_command

    print(f"==> Migrating {database} ...", flush=True)
    call_command("migrate_all", verbosity=0)
    target = ensure_target(args.senders, args.listener_users)
    path = ensure_endpoint()
    remove_bench_events()
    wired = "record_message" in (ROOT / "chat" / "actions" / "messages.py").read_text()
    view = (ROOT / "billing" / "webhooks.py").exists()
    load_start = load_average()
    report: dict[str, Any] = {
        "date": now(),
        "machine": machine_info(),
        "database": database,
        "options": {k: v for k, v in vars(args).items()},
        "record_message_in_send_path": wired,
        "webhook_view_present": view,
        "load_average": {"start": load_start},
        "send": [],
        "webhook": [],
    }
    print(
        f"==> {args.runs} run(s); send path: {args.clients} clients, {args.senders} senders in a closed loop,"
        f" {args.warm_up:g} s warm-up + {args.duration:g} s per server; webhook: {args.events} events,"
        f" {args.concurrency} connections; load average {load_start}",
        flush=True,
    )
    if not wired:
        print(
            "    note: chat/actions/messages.py does not call record_message: only the gate's other checks count",
            flush=True,
        )
    if not view:
        print("    note: billing/webhooks.py is missing: dj-stripe's own view answers the webhook URL", flush=True)
    failures = 0
    try:
        failures += measure_all(args, target, path, queue, report)
    finally:
        drop_queue(queue)  # what the servers queued for a worker (none runs here)
        remove_bench_events()
    if args.profile:
        report["profile"] = profile_send(target, 100 if args.quick else 1000)

    report["load_average"]["end"] = load_average()
    print(f"\nLoad average at start {load_start}, at end {report['load_average']['end']}")
    failures += summarise(report, args)
    write_json(report)
    print(f"Results written to {RESULTS_FILE.relative_to(ROOT)}")
    return 1 if failures else 0


def measure_all(args: argparse.Namespace, target: Target, path: str, queue: str, report: dict[str, Any]) -> int:
    failures = 0
    if not args.skip_send:
        print("\n==> Send path, limits on and off (messages per second; counted = added to the usage row)")
        print(send_header(), flush=True)
        for run in range(1, args.runs + 1):
            for enforce in (True, False):
                result = measure_send(
                    enforce, run, args.clients, args.senders, args.listener_users, target, args.warm_up, args.duration
                )
                report["send"].append(asdict(result))
                if result.note or not result.messages:
                    failures += 1
                write_json(report)
    if not args.skip_webhook:
        print(f"\n==> Webhook acknowledgement, {args.events} requests per burst, {args.concurrency} at once")
        print(burst_header(), flush=True)
        for run in range(1, args.runs + 1):
            results = measure_webhook(run, args.events, args.concurrency, target, path, queue, args.db_pool_max_size)
            report["webhook"].extend(asdict(r) for r in results)
            write_json(report)
    return failures


def summarise(report: dict[str, Any], args: argparse.Namespace) -> int:
    """Print the medians, ratios and targets; return how many checks failed (not targets)."""
    failures = 0
    summary: dict[str, Any] = {}
    send = report["send"]
    pairs = [
        (on, off)
        for on in send
        for off in send
        if on["limits"] == "on"
        and off["limits"] == "off"
        and on["run"] == off["run"]
        and on["messages"]
        and off["messages"]
    ]
    if pairs:
        on_rates = [on["messages_per_second"] for on, _ in pairs]
        off_rates = [off["messages_per_second"] for _, off in pairs]
        ratios = [off["messages_per_second"] / on["messages_per_second"] for on, off in pairs]
        cpu = [
            on["cpu_ms_per_message"] / off["cpu_ms_per_message"]
            for on, off in pairs
            if on["cpu_ms_per_message"] and off["cpu_ms_per_message"]
        ]
        ratio = statistics.median(ratios)
        print("\nSend path, messages per second, median (lowest to highest)")
        print(f"  limits on   {spread(on_rates)}")
        print(f"  limits off  {spread(off_rates)}")
        print(f"  ratio off / on: {spread(ratios)}: limits on {ratio - 1:+.1%} slower")
        if cpu:
            print(f"  server CPU per message, on / off: {spread(cpu)}")
        print(f"  limits on at most {TARGET_RATIO - 1:.0%} slower: {verdict(ratio <= TARGET_RATIO)}")
        uncounted = [on for on, _ in pairs if on["counted"] != on["sent_total"]]
        counted_off = [off for _, off in pairs if off["counted"]]
        if report["record_message_in_send_path"]:
            print(
                "  every message sent with limits on was counted, none with limits off: "
                + ("yes" if not uncounted and not counted_off else "NO")
            )
            failures += bool(uncounted or counted_off)
        summary["send"] = {
            "on_median": statistics.median(on_rates),
            "off_median": statistics.median(off_rates),
            "ratio_off_on": ratios,
            "ratio_median": ratio,
            "cpu_ratio": cpu,
            "target_met": ratio <= TARGET_RATIO,
        }
    hooks = report["webhook"]
    if hooks:
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for r in hooks:
            by_kind.setdefault(r["kind"], []).append(r)
        print("\nWebhook acknowledgement, milliseconds, median of the runs (lowest to highest)")
        for kind, rows in by_kind.items():
            print(
                f"  {kind:<14} p50 {spread([r['p50_ms'] for r in rows])}  p95 {spread([r['p95_ms'] for r in rows])}"
                f"  p99 {spread([r['p99_ms'] for r in rows])}"
            )
        webhook, healthz = by_kind.get("webhook", []), by_kind.get("healthz", [])
        if webhook and healthz:
            ratios = [w["p95_ms"] / h["p95_ms"] for w, h in zip(webhook, healthz, strict=True)]
            p95 = statistics.median(r["p95_ms"] for r in webhook)
            print(f"  ratio p95 webhook / healthz: {spread(ratios)}")
            print(f"  p95 under {TARGET_P95_MS:g} ms: {verdict(p95 < TARGET_P95_MS)} ({p95:.1f} ms)")
            good = all(r["statuses"] == {"200": r["requests"]} and r["stored"] == r["requests"] for r in webhook)
            refused = all("200" not in r["statuses"] and not r["stored"] for r in by_kind.get("bad-signature", []))
            print(f"  every event answered 200 and stored exactly once: {'yes' if good else 'NO'}")
            print(f"  every wrongly signed event refused, none stored: {'yes' if refused else 'NO'}")
            failures += (not good) + (not refused)
            summary["webhook"] = {
                "p95_median_ms": p95,
                "ratio_p95": ratios,
                "target_met": p95 < TARGET_P95_MS,
                "stored_exactly_once": good,
                "refused": refused,
            }
    report["summary"] = summary
    return failures


def write_json(report: dict[str, Any]) -> None:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2, default=str) + "\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
