"""Catch-up reads shared by the sockets that ask for the same messages at the same time.

After a deploy or a crash every client of a process reconnects at once and resubscribes from the
newest id it has, which is mostly the same id for everyone in a room: thousands of identical
history reads, each with its payloads and encoding. Here identical reads (same tenant, room,
`after` and batch size) are done once for everyone who asked while waiting for one to start.

What makes sharing safe is when a read starts. A socket joins the room's group before it asks
(chat.realtime.session), so anything committed after the join reaches it live; a read that
started after the socket asked sees everything committed before the join. A read already running
may have started before the join and missed a message committed in between, so a newcomer never
takes its result: it waits for the next read of that key, which starts when the running one ends.
Access is not shared: every socket checks its own before it asks (chat.realtime.replay). The
presence snapshot a socket gets when it opens is shared the same way (chat.realtime.client).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from config.loops import of_running_loop

K = TypeVar("K")
R = TypeVar("R")


class SharedReads(Generic[K, R]):
    """Coalesces reads per key on one event loop."""

    def __init__(self) -> None:
        # The read not started yet, that newcomers join.
        self._next: dict[K, asyncio.Future[R]] = {}
        # One read of a key at a time; the next one gathers askers meanwhile.
        self._locks: dict[K, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def read(self, key: K, run: Callable[[], Awaitable[R]]) -> R:
        """`run()`'s result, from a read of `key` that started after this call."""
        pending = self._next.get(key)
        if pending is None:
            pending = self._next[key] = asyncio.get_running_loop().create_future()
            # Every asker may be gone by the time it fails: the failure is theirs, not a leak.
            pending.add_done_callback(lambda done: done.cancelled() or done.exception())
            task = asyncio.create_task(self._perform(key, pending, run))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        # One asker cancelled (its socket closed) must not cancel the read of the others.
        return await asyncio.shield(pending)

    async def _perform(self, key: K, pending: asyncio.Future[R], run: Callable[[], Awaitable[R]]) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                # From here on, newcomers wait for the next read: this one is starting.
                if self._next.get(key) is pending:
                    del self._next[key]
                try:
                    result = await run()
                except BaseException as exc:
                    if not pending.done():
                        pending.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                else:
                    if not pending.done():
                        pending.set_result(result)
        finally:
            if not lock.locked() and key not in self._next and self._locks.get(key) is lock:
                del self._locks[key]
            if not pending.done():
                pending.cancel()


def shared_reads() -> SharedReads[object, object]:
    """The running loop's."""
    return of_running_loop(SharedReads, SharedReads)
