"""Which days a request asks about (`from`/`to`, `range`, the default), the range before it, and
the periods the days fall in; bad input refused with a code and words."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.queries import InvalidQuery, Range, parse_range
from analytics.ranges import periods

TODAY = date(2026, 11, 18)  # a Wednesday


def test_from_and_to_are_both_included() -> None:
    found = parse_range({"from": "2026-11-02", "to": "2026-11-08"}, today=TODAY)
    assert found == Range(start=date(2026, 11, 2), end=date(2026, 11, 8))
    assert found.days == 7
    assert found.previous == Range(start=date(2026, 10, 26), end=date(2026, 11, 1))


def test_presets_and_the_default_are_the_last_whole_days() -> None:
    assert parse_range({"range": "7"}, today=TODAY) == Range(start=date(2026, 11, 11), end=date(2026, 11, 17))
    assert parse_range({}, today=TODAY) == Range(start=date(2026, 10, 19), end=date(2026, 11, 17))
    assert parse_range({}, today=TODAY, default_days=90).days == 90
    assert parse_range({"from": "2026-11-10"}, today=TODAY) == Range(start=date(2026, 11, 10), end=TODAY)
    assert parse_range({"to": "2026-11-10"}, today=TODAY).days == 30


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({"from": "2026-13-01"}, "invalid_date", "not a real date"),
        ({"from": "11/02/2026"}, "invalid_date", "YYYY-MM-DD"),
        ({"to": "20261102"}, "invalid_date", "YYYY-MM-DD"),
        ({"from": "2026-11-09", "to": "2026-11-08"}, "invalid_range", "after"),
        ({"to": "2026-11-19"}, "invalid_range", "after today"),
        ({"from": "1999-12-31", "to": "2000-01-05"}, "invalid_range", "2000-01-01"),
        ({"from": "2024-01-01", "to": "2026-11-18"}, "range_too_long", "at most 731 days"),
        ({"range": "14"}, "invalid_range", "7, 30, 90, 365"),
        ({"range": "7", "from": "2026-11-01"}, "invalid_range", "not both"),
    ],
)
def test_bad_ranges_are_refused_with_a_code_and_a_reason(params: dict[str, str], code: str, words: str) -> None:
    with pytest.raises(InvalidQuery) as refused:
        parse_range(params, today=TODAY)
    assert refused.value.status_code == 400
    assert refused.value.get_codes() == code
    assert words in str(refused.value.detail)


def test_two_years_with_a_leap_day_are_allowed() -> None:
    assert parse_range({"from": "2024-11-18", "to": "2026-11-17"}, today=TODAY).days == 730


def test_periods_start_on_monday_and_the_first_and_stop_at_the_last_counted_day() -> None:
    days = Range(start=date(2026, 10, 28), end=date(2026, 11, 18))
    assert periods(days, "week", through=TODAY) == [
        date(2026, 10, 26),
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
    ]
    assert periods(days, "month", through=TODAY) == [date(2026, 10, 1), date(2026, 11, 1)]
    assert periods(days, "day", through=date(2026, 10, 29)) == [date(2026, 10, 28), date(2026, 10, 29)]
    assert periods(days, "day", through=date(2026, 10, 27)) == []
    assert periods(days, "week", through=None) == []
