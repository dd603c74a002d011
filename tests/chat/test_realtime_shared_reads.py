"""Catch-up reads shared by sockets that ask at once (chat.realtime.shared_reads): one read for
everyone waiting, and never the result of a read that started before the asker asked."""

from __future__ import annotations

import asyncio

import pytest

from chat.realtime.shared_reads import SharedReads


class Source:
    """A read that counts its runs and returns the run's number; `gate` holds it open."""

    def __init__(self) -> None:
        self.runs = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def read(self) -> int:
        self.runs += 1
        number = self.runs
        await self.gate.wait()
        return number


def test_askers_waiting_together_share_one_read() -> None:
    async def scenario() -> tuple[list[int], int]:
        reads: SharedReads[str, int] = SharedReads()
        source = Source()
        results = await asyncio.gather(*(reads.read("room-1", source.read) for _ in range(50)))
        return list(results), source.runs

    results, runs = asyncio.run(scenario())

    assert runs == 1
    assert results == [1] * 50


def test_an_asker_never_takes_a_read_that_was_already_running() -> None:
    async def scenario() -> tuple[int, int, int]:
        reads: SharedReads[str, int] = SharedReads()
        source = Source()
        source.gate.clear()
        first = asyncio.create_task(reads.read("room-1", source.read))
        await asyncio.sleep(0.01)  # the first read is running now, held open
        late = asyncio.create_task(reads.read("room-1", source.read))
        later = asyncio.create_task(reads.read("room-1", source.read))
        await asyncio.sleep(0.01)
        source.gate.set()
        return await first, await late, await later

    first, late, later = asyncio.run(scenario())

    # the two who asked during the first read share the second, which started after they asked
    assert (first, late, later) == (1, 2, 2)


def test_different_keys_are_read_apart() -> None:
    async def scenario() -> int:
        reads: SharedReads[str, int] = SharedReads()
        source = Source()
        await asyncio.gather(reads.read("room-1", source.read), reads.read("room-2", source.read))
        return source.runs

    assert asyncio.run(scenario()) == 2


def test_a_failed_read_fails_every_asker_and_the_next_read_starts_afresh() -> None:
    async def scenario() -> tuple[list[BaseException | int], int]:
        reads: SharedReads[str, int] = SharedReads()

        async def broken() -> int:
            raise RuntimeError("database gone")

        failed = await asyncio.gather(*(reads.read("room-1", broken) for _ in range(3)), return_exceptions=True)
        source = Source()
        return list(failed), await reads.read("room-1", source.read)

    failed, after = asyncio.run(scenario())

    assert all(isinstance(result, RuntimeError) for result in failed)
    assert after == 1


def test_one_asker_cancelled_does_not_cancel_the_read_of_the_others() -> None:
    async def scenario() -> int:
        reads: SharedReads[str, int] = SharedReads()
        source = Source()
        source.gate.clear()
        gone = asyncio.create_task(reads.read("room-1", source.read))
        stays = asyncio.create_task(reads.read("room-1", source.read))
        await asyncio.sleep(0.01)
        gone.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone
        source.gate.set()
        return await stays

    assert asyncio.run(scenario()) == 1
