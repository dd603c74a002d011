"""The process's cache: one connection pool for every thread and every socket.

`django.core.cache.cache` is kept per asyncio context (Django's cache handler stores its
backends in a context-local), and every WebSocket runs in a context of its own: a socket's first
cache lookup (the token denylist in its handshake, the plan's entitlement on a send) made a new
Redis client with a pool of its own, so a process holding 3,000 sockets held 3,000 Redis
connections and a reconnect storm opened 3,000 at once. The backend is safe to share between
threads (redis-py's pool hands each command a connection), so the project's code uses this one.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import BaseCache


@functools.cache
def _shared() -> BaseCache:
    return caches.create_connection(DEFAULT_CACHE_ALIAS)


class _Cache:
    """`cache.get(...)`, `cache.set(...)` and the rest of Django's cache API on the shared
    backend, created on first use (settings are read then, not at import)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_shared(), name)


cache: BaseCache = _Cache()  # type: ignore[assignment]
