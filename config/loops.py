"""One object per running event loop, for what holds connections or tasks of that loop: the hub,
the presence tracker, shared reads and batches. daphne runs one loop per process; tests run one
per test, and a loop's objects go with it."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar, cast

T = TypeVar("T")

_objects: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[object, object]] = weakref.WeakKeyDictionary()


def of_running_loop(key: object, make: Callable[[], T]) -> T:
    """The running loop's object for `key`, made by `make()` on first use."""
    objects = _objects.setdefault(asyncio.get_running_loop(), {})
    found = objects.get(key)
    if found is None:
        found = objects[key] = make()
    return cast(T, found)


def forget_on_running_loop(key: object) -> object | None:
    """Take the running loop's object for `key` away (to stop it); None if there was none."""
    return _objects.get(asyncio.get_running_loop(), {}).pop(key, None)
