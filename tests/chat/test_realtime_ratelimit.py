"""Pacing of one socket's sends and typing notices (chat.realtime.ratelimit)."""

from __future__ import annotations

from chat.realtime.ratelimit import TYPING_INTERVAL_SECONDS, TokenBucket, typing_bucket


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_refuses() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=5, burst=3, clock=clock)

    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def test_bucket_refills_at_its_rate_up_to_its_burst() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=5, burst=3, clock=clock)
    for _ in range(3):
        bucket.take()

    clock.now += 0.2  # one token's worth
    assert [bucket.take(), bucket.take()] == [True, False]

    clock.now += 60  # never more than the burst
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def test_typing_goes_out_once_per_interval() -> None:
    clock = Clock()
    bucket = typing_bucket(clock)

    first = bucket.take()
    clock.now += TYPING_INTERVAL_SECONDS / 2
    too_soon = bucket.take()
    clock.now += TYPING_INTERVAL_SECONDS / 2
    again = bucket.take()

    assert (first, too_soon, again) == (True, False, True)
