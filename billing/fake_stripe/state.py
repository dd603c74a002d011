"""The stand-in's objects, kept in Redis so the web processes, the Celery workers and the
test-mode pages all see one Stripe account.

Objects are stored whole, as JSON, under "fakestripe:obj:<id>"; each type keeps its ids in
creation order ("fakestripe:ids:<object>"). Keys of an object that start with "_" are the
stand-in's own bookkeeping (what a checkout session asked for, an endpoint's secret) and are
never shown through the API. One lock serialises writes: test mode carries little traffic, and
a read-modify-write of a subscription must not interleave with another.
"""

from __future__ import annotations

import json
import secrets
import string
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from django.conf import settings

PREFIX = "fakestripe:"
_ALPHABET = string.ascii_letters + string.digits
_connections: dict[str, redis.Redis] = {}

Obj = dict[str, Any]


def connection() -> redis.Redis:
    url = settings.BILLING_FAKE_STRIPE_REDIS_URL
    if url not in _connections:
        _connections[url] = redis.Redis.from_url(url)
    return _connections[url]


def new_id(prefix: str) -> str:
    """Stripe's shape: a type prefix, then random letters and digits (test-mode objects)."""
    middle = "test_" if prefix in ("cs", "bps") else ""
    return f"{prefix}_{middle}{''.join(secrets.choice(_ALPHABET) for _ in range(24))}"


def now() -> int:
    return int(time.time())


@contextmanager
def locked() -> Iterator[None]:
    with connection().lock(f"{PREFIX}lock", timeout=30, blocking_timeout=30):
        yield


def get(object_id: str) -> Obj | None:
    raw = connection().get(f"{PREFIX}obj:{object_id}")
    return None if raw is None else json.loads(raw)


def put(obj: Obj) -> Obj:
    """Store `obj` (new or changed) under its id, listed with its type on first store."""
    conn = connection()
    key = f"{PREFIX}obj:{obj['id']}"
    conn.set(key, json.dumps(obj))
    if conn.set(f"{PREFIX}seen:{obj['id']}", 1, nx=True):
        conn.rpush(f"{PREFIX}ids:{obj['object']}", obj["id"])
    return obj


def all_of(object_type: str) -> list[Obj]:
    conn = connection()
    ids = [raw.decode() if isinstance(raw, bytes) else raw for raw in conn.lrange(f"{PREFIX}ids:{object_type}", 0, -1)]
    found = [get(object_id) for object_id in ids]
    return [obj for obj in found if obj is not None]


def public(obj: Obj) -> Obj:
    """The object as Stripe would show it: without the stand-in's bookkeeping."""
    return {key: value for key, value in obj.items() if not key.startswith("_")}


def remember(key: str, value: Any, seconds: int = 24 * 60 * 60) -> None:
    connection().set(f"{PREFIX}{key}", json.dumps(value), ex=seconds)


def recall(key: str) -> Any:
    raw = connection().get(f"{PREFIX}{key}")
    return None if raw is None else json.loads(raw)


def log_request(entry: Obj) -> None:
    """Every request the stand-in answered, newest last (tests read what was sent)."""
    conn = connection()
    conn.rpush(f"{PREFIX}requests", json.dumps(entry))
    conn.ltrim(f"{PREFIX}requests", -1000, -1)


def requests_log() -> list[Obj]:
    return [json.loads(raw) for raw in connection().lrange(f"{PREFIX}requests", 0, -1)]


def set_outage(on: bool) -> None:
    """While on, every request answers Stripe's 503 (tests of what happens when Stripe is down)."""
    if on:
        connection().set(f"{PREFIX}outage", 1)
    else:
        connection().delete(f"{PREFIX}outage")


def in_outage() -> bool:
    return bool(connection().exists(f"{PREFIX}outage"))


def reset() -> None:
    """Forget every object (tests start from an empty account)."""
    conn = connection()
    keys = list(conn.scan_iter(match=f"{PREFIX}*", count=1000))
    if keys:
        conn.delete(*keys)
