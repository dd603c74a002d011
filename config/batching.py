"""Lookups asked for at the same time, done together.

When every client of a process reconnects at once (a deploy, a network blip), hundreds of
handshakes each ask the database for their tenant and their person: one thread hop and one
statement apiece. A `Batched` lookup takes the keys asked for while its previous lookup ran and
fetches them in one call (`WHERE ... = ANY(...)`), so a storm costs a few calls instead of one per
socket (docs/benchmarks.md, the handshake rate). A lone ask goes at once.

An answer is never older than its question: a lookup answers only the keys asked for before it
started, and an ask arriving while one runs waits for the next. So a revocation or a suspension
committed before a socket asked is always seen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Generic, TypeVar

from config.loops import of_running_loop

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Batched(Generic[K, V]):
    """`fetch(keys)` answers distinct keys with a dict; a key it leaves out answers None."""

    def __init__(self, fetch: Callable[[list[K]], Awaitable[dict[K, V]]], *, most: int = 500) -> None:
        self._fetch = fetch
        self._most = most
        self._waiting: dict[K, list[asyncio.Future[V | None]]] = {}
        self._running: asyncio.Task[None] | None = None

    async def get(self, key: K) -> V | None:
        answer: asyncio.Future[V | None] = asyncio.get_running_loop().create_future()
        # An asker gone before a failure (its socket closed) leaves nobody to read it.
        answer.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._waiting.setdefault(key, []).append(answer)
        if self._running is None:
            self._running = asyncio.create_task(self._run())
        # One asker cancelled must not cancel the lookup of the others.
        return await asyncio.shield(answer)

    async def _run(self) -> None:
        try:
            while self._waiting:
                keys = list(self._waiting)[: self._most]
                asked = {key: self._waiting.pop(key) for key in keys}
                try:
                    found = await self._fetch(keys)
                except Exception as exc:
                    _settle(asked.items(), error=exc)
                    continue
                except BaseException:
                    for answers in asked.values():
                        for answer in answers:
                            answer.cancel()
                    raise
                _settle(asked.items(), found=found)
        finally:
            self._running = None
            for answers in self._waiting.values():
                for answer in answers:
                    answer.cancel()
            self._waiting.clear()


def _settle(
    asked: Iterable[tuple[K, list[asyncio.Future[V | None]]]],
    *,
    found: dict[K, V] | None = None,
    error: Exception | None = None,
) -> None:
    for key, answers in asked:
        for answer in answers:
            if answer.done():
                continue
            if error is not None:
                answer.set_exception(error)
            else:
                answer.set_result((found or {}).get(key))


def batched(name: object, fetch: Callable[[list[K]], Awaitable[dict[K, V]]]) -> Batched[K, V]:
    """The running loop's lookup called `name`."""
    return of_running_loop(("batched", name), lambda: Batched(fetch))
