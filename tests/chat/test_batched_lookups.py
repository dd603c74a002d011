"""Lookups asked at the same time are done together (config.batching): one fetch for the keys
waiting, never an answer fetched before its question, and a failure only for those it concerns."""

from __future__ import annotations

import asyncio

import pytest

from config.batching import Batched


class Source:
    """Answers each key with (fetch number, key); `gate` holds a fetch open."""

    def __init__(self) -> None:
        self.fetches: list[list[str]] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def fetch(self, keys: list[str]) -> dict[str, tuple[int, str]]:
        self.fetches.append(keys)
        number = len(self.fetches)
        await self.gate.wait()
        if "broken" in keys:
            raise RuntimeError("lost the database")
        return {key: (number, key) for key in keys if key != "missing"}


def test_keys_asked_together_are_fetched_once_each_in_one_fetch() -> None:
    async def scenario() -> tuple[list[tuple[int, str] | None], list[list[str]]]:
        source = Source()
        lookup: Batched[str, tuple[int, str]] = Batched(source.fetch)
        asked = ["a", "b", "a", "missing", "c"] * 20
        results = await asyncio.gather(*(lookup.get(key) for key in asked))
        return list(results), source.fetches

    results, fetches = asyncio.run(scenario())

    assert len(fetches) == 1 and sorted(fetches[0]) == ["a", "b", "c", "missing"]
    assert results[:5] == [(1, "a"), (1, "b"), (1, "a"), None, (1, "c")]


def test_a_key_asked_during_a_fetch_waits_for_the_next_one() -> None:
    """What a socket is told was read after it asked: a revocation committed before is seen."""

    async def scenario() -> tuple[tuple[int, str] | None, tuple[int, str] | None]:
        source = Source()
        lookup: Batched[str, tuple[int, str]] = Batched(source.fetch)
        source.gate.clear()
        first = asyncio.create_task(lookup.get("a"))
        await asyncio.sleep(0)  # the first fetch has started
        second = asyncio.create_task(lookup.get("a"))
        await asyncio.sleep(0)
        source.gate.set()
        return await first, await second

    first, second = asyncio.run(scenario())

    assert first == (1, "a") and second == (2, "a")


def test_a_failed_fetch_fails_its_askers_and_the_next_fetch_goes_on() -> None:
    async def scenario() -> tuple[tuple[int, str] | None, tuple[int, str] | None]:
        source = Source()
        lookup: Batched[str, tuple[int, str]] = Batched(source.fetch)
        with pytest.raises(RuntimeError):
            await asyncio.gather(lookup.get("broken"), lookup.get("a"))
        return await lookup.get("a"), await lookup.get("b")

    assert asyncio.run(scenario()) == ((2, "a"), (3, "b"))


def test_an_asker_cancelled_does_not_cancel_the_others() -> None:
    async def scenario() -> tuple[int, str] | None:
        source = Source()
        lookup: Batched[str, tuple[int, str]] = Batched(source.fetch)
        source.gate.clear()
        gone = asyncio.create_task(lookup.get("a"))
        staying = asyncio.create_task(lookup.get("a"))
        await asyncio.sleep(0)
        gone.cancel()
        source.gate.set()
        return await staying

    assert asyncio.run(scenario()) == (1, "a")
