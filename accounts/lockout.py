"""Brute-force protection for sign-in, per tenant, on the login form and the token endpoint.

Failures are counted in Redis for two keys: the account (the e-mail typed, whether or not such
an account exists, so the answers reveal nothing) and the client address. After
its slow-down threshold a key must wait before its next try (1 s, doubling, at most a
minute); after its lock threshold it is locked for `LOGIN_LOCK_MINUTES`. While a key waits or
is locked the password is not even checked. A success clears the account's counter.

Cache keys carry the schema they are made in (django-tenants' make_key), and every function
takes the tenant and enters its schema, so counters never cross tenants and platform staff can
clear them from the public admin. Each tenant keeps an index of its current locks for that page.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings

from config.cache import cache
from tenants.db import in_tenant
from tenants.models import Client

INDEX_KEY = "lockout:index"
MAX_DELAY_SECONDS = 60


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in is refused before the password is checked, and for how long."""

    code: str  # "login_locked" or "login_throttled"
    retry_after: int

    @property
    def message(self) -> str:
        if self.code == "login_locked":
            minutes = max(1, math.ceil(self.retry_after / 60))
            return (
                f"Too many failed sign-in attempts. Sign-in is locked for {minutes} minute"
                f"{'s' if minutes != 1 else ''}; an administrator can unlock it sooner."
            )
        seconds = f"{self.retry_after} second{'s' if self.retry_after != 1 else ''}"
        return f"Too many failed sign-in attempts. Wait {seconds} and try again."


@dataclass(frozen=True)
class LockedKey:
    kind: str  # "account" or "address"
    value: str
    failures: int
    locked_until: float


def _keys(email: str, address: str) -> list[tuple[str, str, int, int]]:
    return [
        ("account", email.strip().lower(), settings.LOGIN_SLOW_AFTER, settings.LOGIN_LOCK_AFTER),
        ("address", address, settings.LOGIN_ADDRESS_SLOW_AFTER, settings.LOGIN_ADDRESS_LOCK_AFTER),
    ]


def _state_key(kind: str, value: str) -> str:
    # Hashing keeps arbitrary typed input (spaces, control characters) out of Redis key names.
    return f"lockout:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _window() -> int:
    return settings.LOGIN_LOCK_MINUTES * 60


def check(tenant: Client, *, email: str, address: str) -> Refusal | None:
    """A refusal if either key is locked or still waiting after its last failure."""
    now = time.time()
    with in_tenant(tenant):
        for kind, value, slow_after, _ in _keys(email, address):
            state = cache.get(_state_key(kind, value))
            if not state:
                continue
            if state.get("locked_until", 0) > now:
                return Refusal("login_locked", math.ceil(state["locked_until"] - now))
            failures = state.get("failures", 0)
            if failures >= slow_after:
                delay = min(MAX_DELAY_SECONDS, 2 ** (failures - slow_after))
                wait = state.get("last_failure", 0) + delay - now
                if wait > 0:
                    return Refusal("login_throttled", math.ceil(wait))
    return None


def record_failure(tenant: Client, *, email: str, address: str) -> None:
    """Count a failed sign-in; lock a key that reaches its threshold.

    Read-modify-write without a lock: two failures racing may count once, which only delays a
    lock by one attempt, while the slow-down already spaces attempts apart.
    """
    now = time.time()
    with in_tenant(tenant):
        for kind, value, _, lock_after in _keys(email, address):
            key = _state_key(kind, value)
            state = cache.get(key) or {"failures": 0}
            state["failures"] = state.get("failures", 0) + 1
            state["last_failure"] = now
            if state["failures"] >= lock_after:
                state["locked_until"] = now + _window()
                _index_add(kind, value, state["locked_until"])
            cache.set(key, state, timeout=_window() * 2)


def record_success(tenant: Client, *, email: str) -> None:
    with in_tenant(tenant):
        cache.delete(_state_key("account", email.strip().lower()))


def locked_keys(tenant: Client) -> list[LockedKey]:
    """The tenant's keys that are locked now, for platform staff."""
    now = time.time()
    with in_tenant(tenant):
        index: dict[str, float] = cache.get(INDEX_KEY) or {}
        found = []
        for entry in index:
            kind, _, value = entry.partition(":")
            state = cache.get(_state_key(kind, value)) or {}
            if state.get("locked_until", 0) > now:
                found.append(LockedKey(kind, value, state.get("failures", 0), state["locked_until"]))
    return sorted(found, key=lambda key: (key.kind, key.value))


def unlock(tenant: Client, *, kind: str, value: str) -> None:
    """Clear a key's failures and lock (platform staff, from the admin)."""
    with in_tenant(tenant):
        cache.delete(_state_key(kind, value.strip().lower() if kind == "account" else value))
        index = cache.get(INDEX_KEY) or {}
        index.pop(f"{kind}:{value}", None)
        cache.set(INDEX_KEY, index, timeout=None)


def _index_add(kind: str, value: str, until: float) -> None:
    now = time.time()
    index = {entry: ends for entry, ends in (cache.get(INDEX_KEY) or {}).items() if ends > now}
    index[f"{kind}:{value}"] = until
    cache.set(INDEX_KEY, index, timeout=None)
