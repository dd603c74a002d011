"""How fast one socket may send messages and typing notices.

Sends are paced per socket by a token bucket (`CHAT_SEND_RATE` per second, bursts of
`CHAT_SEND_BURST`); a send over the limit is refused with `rate_limited`. Typing notices go out
at most once per room and socket per TYPING_INTERVAL_SECONDS; clients send one per keystroke, so
the rest are dropped silently.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

TYPING_INTERVAL_SECONDS = 2.0


@dataclass
class TokenBucket:
    """`burst` takes at once, refilled at `rate` per second."""

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(init=False)
    stamp: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.burst
        self.stamp = self.clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def send_bucket() -> TokenBucket:
    return TokenBucket(
        rate=float(getattr(settings, "CHAT_SEND_RATE", 5.0)), burst=float(getattr(settings, "CHAT_SEND_BURST", 20))
    )


def typing_bucket(clock: Callable[[], float] = time.monotonic) -> TokenBucket:
    """One notice now, the next one a full interval after the last that went out."""
    return TokenBucket(rate=1 / TYPING_INTERVAL_SECONDS, burst=1, clock=clock)
