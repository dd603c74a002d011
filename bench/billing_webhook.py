"""The billing benchmark's webhook burst: Stripe's events, signed as Stripe signs them, posted by
many keep-alive connections at once to the product as deployed; `GET /healthz` the same way is
the baseline, and the same events with a wrong signature are there for scale."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.billing_setup import start_server
from bench.lib.stats import percentile
from bench.lib.tenant import Target

# The benchmark's own webhook endpoint (a dj-stripe WebhookEndpoint row).
ENDPOINT_ID = "we_bench_billing"
ENDPOINT_UUID = uuid.UUID("5b1e2c3d-0000-4000-8000-00000000b111")
ENDPOINT_SECRET = "whsec_bench_billing_known_secret_0123456789"
WRONG_SECRET = "whsec_bench_billing_wrong_secret_9876543210"
EVENT_PREFIX = "evt_bench_"


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
