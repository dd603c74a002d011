"""What the analytics page shows, in words: the range a visit asks for (a preset, or days of
one's own), and each metric's card (its total, the change against the previous period, a
summary for screen readers and the rows of its data table).

The figures come from `analytics.queries` unchanged; this only chooses and words them. The
chart script (static/js/analytics/format.js) words the values it draws the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from analytics.queries import InvalidQuery, Range, parse_range
from analytics.ranges import PRESETS, parse_interval

PRESET_LABELS: dict[str, str] = {str(days): "12 months" if days == 365 else f"{days} days" for days in PRESETS}
DEFAULT_PRESET = "30"
INTERVAL_LABELS: dict[str, str] = {"day": "Day", "week": "Week", "month": "Month"}
# Metrics whose smaller values are the better news (a change down is shown as good).
LOWER_IS_BETTER = frozenset({"first_response_seconds_median"})
# The chart that spans the whole row: the one people look at first.
WIDE = frozenset({"messages_sent"})
# Typography the page shows: a true minus for a fall, and the dash between two days.
MINUS, EN_DASH = "\u2212", "\u2013"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Choice:
    """The range and interval a visit shows. `preset` is the preset the range equals ("" for
    days of one's own); `error` says why what was asked is not what is shown."""

    range: Range
    interval: str
    preset: str
    error: str = ""

    @property
    def query(self) -> str:
        """The choice as a query string, for links that keep it (the CSV export)."""
        return f"from={self.range.start}&to={self.range.end}&interval={self.interval}"


def default_interval(days: int) -> str:
    """Points enough to see a trend and few enough to read: days up to a month, then weeks,
    then months."""
    if days <= 31:
        return "day"
    return "week" if days <= 120 else "month"


def choose(params: Mapping[str, str], *, today: date) -> Choice:
    """The range of `params`: `range` (a preset) or `from`/`to`, and `interval` (by default the
    one that fits the range's length). The form sends the dates it showed beside the preset, so
    dates changed by hand win over it; dates that equal a preset are that preset. Anything that
    cannot be read falls back to the default range, with the reason in `error`."""
    preset = params.get("range") or ""
    raw_from, raw_to = params.get("from") or "", params.get("to") or ""
    try:
        if preset in PRESET_LABELS:
            days = parse_range({"range": preset}, today=today)
            if (raw_from or raw_to) and (raw_from, raw_to) != (days.start.isoformat(), days.end.isoformat()):
                days = parse_range({"from": raw_from, "to": raw_to}, today=today)
        elif preset not in ("", "custom"):
            days = parse_range({"range": preset}, today=today)  # refused, with the reason
        else:
            days = parse_range({"from": raw_from, "to": raw_to}, today=today)
        interval = parse_interval(params.get("interval") or default_interval(days.days))
    except InvalidQuery as refused:
        fallback = parse_range({"range": DEFAULT_PRESET}, today=today)
        error = f"{in_words(str(refused.detail))} Showing the last {PRESET_LABELS[DEFAULT_PRESET]} instead."
        return Choice(range=fallback, interval=default_interval(fallback.days), preset=DEFAULT_PRESET, error=error)
    return Choice(range=days, interval=interval, preset=_preset_of(days, today))


def _preset_of(days: Range, today: date) -> str:
    for preset in PRESET_LABELS:
        if parse_range({"range": preset}, today=today) == days:
            return preset
    return ""


_NAMES = {"`from`": "the start date", "`to`": "the end date", "`range`": "the range"}


def in_words(detail: str) -> str:
    """The API's sentence (which names its parameters) in the form's words."""
    worded = re.sub("|".join(re.escape(name) for name in _NAMES), lambda found: _NAMES[found.group(0)], detail)
    return worded[:1].upper() + worded[1:]


# ---- Words for values and periods (static/js/analytics/format.js says the same) ----


def _short(value: float) -> str:
    """One decimal below ten ("1.5"), none above ("12"), never a trailing ".0"."""
    if value < 10:
        rounded = round(value, 1)
        return f"{rounded:,.1f}".removesuffix(".0")
    return f"{round(value):,}"


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "bytes":
        for name, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
            if value >= scale:
                return f"{_short(value / scale)} {name}"
        return f"{round(value):,} {'byte' if value == 1 else 'bytes'}"
    if unit == "seconds":
        if value < 60:
            return f"{round(value)} s"
        if value < 3600:
            return f"{round(value / 60)} min"
        if value < 86400:
            return f"{_short(value / 3600)} h"
        return f"{_short(value / 86400)} {'day' if value == 86400 else 'days'}"
    return f"{round(value):,}"


def day_label(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def period_label(day: date, interval: str) -> str:
    if interval == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"Week of {day_label(day)}" if interval == "week" else day_label(day)


def range_label(days: Range) -> str:
    return f"{day_label(days.start)} {EN_DASH} {day_label(days.end)}"


# ---- Cards ----


@dataclass(frozen=True)
class Change:
    """The change against the previous period: `text` for the eye ("+12%"), `words` for screen
    readers, `tone` for its colour: good, bad, flat or none (nothing to compare)."""

    text: str
    words: str
    tone: str


@dataclass(frozen=True)
class Row:
    period: str
    value: str
    previous_period: str
    previous_value: str


@dataclass(frozen=True)
class Card:
    name: str
    label: str
    help: str
    unit: str
    total: str
    change: Change
    summary: str
    rows: list[Row]
    # Messages: how many were people's and bots' ("" for the other metrics).
    parts: str
    wide: bool


def change(name: str, total: int | None, previous: int | None, *, days: int) -> Change:
    before = f"the previous {days} days"
    if total is None or not previous:
        return Change("—", f"nothing to compare with in {before}", "none")
    if total == previous:
        return Change("no change", f"no change on {before}", "flat")
    percent = (total - previous) / previous * 100
    shown = f"{abs(percent):.1f}".removesuffix(".0") if abs(percent) < 1 else f"{round(abs(percent)):,}"
    up = total > previous
    better = up != (name in LOWER_IS_BETTER)
    return Change(
        f"{'+' if up else MINUS}{shown}%", f"{'up' if up else 'down'} {shown}% on {before}", "good" if better else "bad"
    )


def card(figures: dict[str, Any], *, days: Range) -> Card:
    """The card of one metric of `analytics.queries.overview`."""
    unit, interval = figures["unit"], figures["interval"]
    total = format_value(figures["total"], unit)
    moved = change(figures["metric"], figures["total"], figures["previous_total"], days=days.days)
    points, previous = figures["points"], figures["previous"]
    rows = [
        Row(
            period=period_label(date.fromisoformat(point["t"]), interval),
            value=format_value(point["value"], unit),
            previous_period=period_label(date.fromisoformat(previous[n]["t"]), interval) if n < len(previous) else "",
            previous_value=format_value(previous[n]["value"], unit) if n < len(previous) else "",
        )
        for n, point in enumerate(points)
    ]
    parts = ""
    if points and "people" in points[0]:
        people, bots = sum(point["people"] for point in points), sum(point["bots"] for point in points)
        parts = f"{people:,} by people · {bots:,} by bots"
    summary = f"{figures['label']}, {range_label(days)}: {total}, {moved.words}."
    if points:
        valued = [point for point in points if point["value"] is not None]
        if valued:
            peak = max(valued, key=lambda point: point["value"])
            summary += (
                f" Highest: {format_value(peak['value'], unit)}"
                f" ({period_label(date.fromisoformat(peak['t']), interval)})."
            )
    return Card(
        name=figures["metric"],
        label=figures["label"],
        help=figures["help"],
        unit=unit,
        total=total,
        change=moved,
        summary=summary,
        rows=rows,
        parts=parts,
        wide=figures["metric"] in WIDE,
    )


def is_empty(overview: dict[str, Any]) -> bool:
    """Nothing at all to draw: no figure in the range or the one before it."""
    return not any(
        point["value"]
        for figures in overview["metrics"].values()
        for point in (*figures["points"], *figures["previous"])
    )


# ---- The busiest channels and people ----


@dataclass(frozen=True)
class TopRow:
    name: str
    figures: tuple[str, ...]


@dataclass(frozen=True)
class TopTable:
    key: str  # the section's id
    title: str
    columns: tuple[str, ...]
    rows: list[TopRow]
    empty: str  # what an empty list says


def top_rooms(results: list[dict[str, Any]]) -> TopTable:
    """`analytics.queries.top(kind="rooms")`: messages, median first response."""
    rows = [
        TopRow(
            name=f"#{room['name']}",
            figures=(
                format_value(room["messages"], "count"),
                format_value(room["first_response_seconds_median"], "seconds"),
            ),
        )
        for room in results
    ]
    columns = ("Channel", "Messages", "Median first response")
    return TopTable("top-rooms", "Busiest channels", columns, rows, "No messages in these days.")


def top_people(results: list[dict[str, Any]]) -> TopTable:
    """`analytics.queries.top(kind="people")`: messages sent, read, documents uploaded."""
    keys = ("messages", "messages_read", "documents_uploaded")
    rows = [
        TopRow(name=person["name"], figures=tuple(format_value(person[key], "count") for key in keys))
        for person in results
    ]
    columns = ("Person", "Sent", "Read", "Documents")
    return TopTable("top-people", "Most active people", columns, rows, "Nobody sent or read a message in these days.")
