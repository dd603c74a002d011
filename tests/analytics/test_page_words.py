"""The analytics page's words (analytics.dashboard), without a database: values in their units,
the change against the previous period, the interval a range gets by default, and the range a
visit's parameters choose."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from analytics.dashboard import card, change, choose, default_interval, format_value, in_words
from analytics.queries import Range

TODAY = date(2026, 12, 6)
YESTERDAY = TODAY - timedelta(days=1)


@pytest.mark.parametrize(
    ("value", "unit", "words"),
    [
        (1234567, "count", "1,234,567"),
        (None, "count", "—"),
        (512, "bytes", "512 bytes"),
        (1536, "bytes", "1.5 KB"),
        (12 * 1024**2 + 1, "bytes", "12 MB"),
        (3 * 1024**3, "bytes", "3 GB"),
        (42, "seconds", "42 s"),
        (240, "seconds", "4 min"),
        (5400, "seconds", "1.5 h"),
        (86400, "seconds", "1 day"),
        (3 * 86400, "seconds", "3 days"),
    ],
)
def test_values_are_written_in_their_units(value: int | None, unit: str, words: str) -> None:
    assert format_value(value, unit) == words


@pytest.mark.parametrize(
    ("name", "total", "previous", "text", "tone"),
    [
        ("messages_sent", 112, 100, "+12%", "good"),
        ("messages_sent", 95, 100, "\u22125%", "bad"),
        ("messages_sent", 1003, 1000, "+0.3%", "good"),
        ("messages_sent", 100, 100, "no change", "flat"),
        ("messages_sent", 5, 0, "—", "none"),
        ("messages_sent", 0, None, "—", "none"),
        ("first_response_seconds_median", None, 60, "—", "none"),
        # a slower first answer is bad news, a quicker one good
        ("first_response_seconds_median", 90, 60, "+50%", "bad"),
        ("first_response_seconds_median", 30, 60, "\u221250%", "good"),
    ],
)
def test_the_change_against_the_previous_period(
    name: str, total: int | None, previous: int | None, text: str, tone: str
) -> None:
    moved = change(name, total, previous, days=30)
    assert (moved.text, moved.tone) == (text, tone)
    assert "the previous 30 days" in moved.words


def test_long_ranges_get_weeks_and_months() -> None:
    assert [default_interval(days) for days in (7, 30, 31, 90, 120, 365)] == [
        "day", "day", "day", "week", "week", "month",
    ]  # fmt: skip


def test_parameters_choose_a_preset_or_days_of_ones_own() -> None:
    # nothing asked: the last 30 whole days, by day
    chosen = choose({}, today=TODAY)
    assert (chosen.preset, chosen.interval, chosen.range.end, chosen.error) == ("30", "day", YESTERDAY, "")
    # a preset, by the interval asked
    chosen = choose({"range": "90", "interval": "month"}, today=TODAY)
    assert (chosen.preset, chosen.interval, chosen.range.days) == ("90", "month", 90)
    # the preset's own dates sent along keep the preset; other dates win over it
    preset = choose({"range": "7"}, today=TODAY).range
    same = choose({"range": "7", "from": str(preset.start), "to": str(preset.end)}, today=TODAY)
    assert same.preset == "7"
    mine = choose({"range": "7", "from": "2026-11-01", "to": "2026-11-10"}, today=TODAY)
    assert (mine.preset, mine.range) == ("", Range(start=date(2026, 11, 1), end=date(2026, 11, 10)))
    assert mine.query == "from=2026-11-01&to=2026-11-10&interval=day"
    # and nonsense falls back to the default, saying why
    wrong = choose({"from": "2026-11-10", "to": "2026-11-01"}, today=TODAY)
    assert wrong.preset == "30" and wrong.error.startswith("The start date (2026-11-10) is after the end date")


def test_the_api_sentence_is_put_in_the_form_words() -> None:
    assert (
        in_words("`to` (2027-01-01) is after today (2026-12-06).")
        == "The end date (2027-01-01) is after today (2026-12-06)."
    )


def test_a_card_words_its_figures_and_summary() -> None:
    figures = {
        "metric": "storage_bytes",
        "interval": "week",
        "unit": "bytes",
        "label": "Storage used",
        "help": "Size of the documents.",
        "total": 3 * 1024**2,
        "previous_total": 2 * 1024**2,
        "points": [{"t": "2026-11-23", "value": 2 * 1024**2}, {"t": "2026-11-30", "value": 3 * 1024**2}],
        "previous": [{"t": "2026-11-09", "value": 1024**2}],
    }
    made = card(figures, days=Range(start=date(2026, 11, 23), end=date(2026, 12, 5)))
    assert (made.total, made.change.text, made.parts) == ("3 MB", "+50%", "")
    assert made.summary == (
        "Storage used, 23 Nov 2026 \u2013 5 Dec 2026: 3 MB, up 50% on the previous 13 days."
        " Highest: 3 MB (Week of 30 Nov 2026)."
    )
    assert [(row.period, row.value, row.previous_period, row.previous_value) for row in made.rows] == [
        ("Week of 23 Nov 2026", "2 MB", "Week of 9 Nov 2026", "1 MB"),
        ("Week of 30 Nov 2026", "3 MB", "", ""),
    ]
