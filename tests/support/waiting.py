"""Waiting for what another process commits."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(read: Callable[[], str | None], wanted: str, timeout: float = 60) -> str | None:
    deadline = time.monotonic() + timeout
    value = read()
    while value != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    return value
