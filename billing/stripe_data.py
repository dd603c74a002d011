"""Reading Stripe's objects as events carry them: times, references, and which state is newer."""

from __future__ import annotations

from datetime import UTC, datetime


def timestamp(value: object) -> datetime | None:
    """A Stripe time (seconds since the epoch) as an aware datetime; None when absent."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def id_of(value: object) -> str:
    """A reference to another Stripe object, expanded (an object with an id) or not (the id)."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def is_older(created: datetime, state_at: datetime | None) -> bool:
    """Whether an event created at `created` is older than the state it would change (ties
    apply: Stripe's times are whole seconds, and a same-second event is usually the later)."""
    return state_at is not None and created < state_at
