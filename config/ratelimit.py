"""A fixed-window counter in Redis for the few non-API forms that need one (sign-up).

The API uses DRF's throttles; pages use this. Keys go through the cache, so they carry the schema.
"""

from __future__ import annotations

import time

from config.cache import cache


def consume(bucket: str, *, limit: int, window_seconds: int) -> int | None:
    """Count one hit; return None while under `limit`, else the seconds until the window ends."""
    window = int(time.time()) // window_seconds
    key = f"ratelimit:{bucket}:{window}"
    # add() only sets a missing key, so concurrent first hits do not reset each other.
    cache.add(key, 0, timeout=window_seconds + 5)
    count = cache.incr(key)
    if count <= limit:
        return None
    return window_seconds - int(time.time()) % window_seconds


def client_address(meta: dict[str, object]) -> str:
    # daphne --proxy-headers puts the forwarded client address in REMOTE_ADDR.
    return str(meta.get("REMOTE_ADDR") or "unknown")
