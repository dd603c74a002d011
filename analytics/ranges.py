"""The days a dashboard question is about: whole local days of the workspace, parsed from a
request's `from`/`to` (or `range`), and the periods (day, week, month) they are grouped into.

A day here is a calendar day in the workspace's time zone (`Client.time_zone`), the same day
the daily rollups count (their row for day D ends at the local midnight starting D+1).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from analytics.fill import tenant_zone
from config.api.errors import Refused
from tenants.models import Client

INTERVALS = ("day", "week", "month")
PRESETS = (7, 30, 90, 365)
# Longest range one request may ask for (two years, a leap day included).
MAX_DAYS = 731
# The earliest day anyone may ask about: before any workspace existed, and far enough from
# date.min that the previous period of any range is still a date.
EARLIEST = date(2000, 1, 1)


class InvalidQuery(Refused):
    """A question the dashboard cannot answer as asked: a 400 whose message says what to send."""

    def __init__(self, detail: str, code: str) -> None:
        super().__init__(400, detail, code)


@dataclass(frozen=True)
class Range:
    """Whole local days of the workspace, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Range:
        """The same number of days just before."""
        return Range(start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))

    def each_day(self) -> Iterator[date]:
        for offset in range(self.days):
            yield self.start + timedelta(days=offset)


def day_end(day: date, zone: ZoneInfo) -> datetime:
    """The instant a day's rollup row ends at: the local midnight starting the next day."""
    following = day + timedelta(days=1)
    return datetime(following.year, following.month, following.day, tzinfo=zone).astimezone(UTC)


def today_for(tenant: Client) -> date:
    """The workspace's local date now."""
    return timezone.now().astimezone(tenant_zone(tenant)).date()


def parse_range(params: Mapping[str, str], *, today: date, default_days: int = 30) -> Range:
    """The range a request asks for: `from` and `to` as YYYY-MM-DD, or `range` = 7, 30, 90 or
    365 (the last whole days: ending yesterday, as today is counted only once it is over), or
    by default the last `default_days` whole days. With `from` alone, `to` is today; with `to`
    alone, `from` is `default_days` days before. Figures of days not counted yet are left out,
    never shown as zeros (`filled_through` says how far counting is)."""
    raw_from, raw_to, preset = params.get("from") or "", params.get("to") or "", params.get("range") or ""
    yesterday = today - timedelta(days=1)
    if preset and (raw_from or raw_to):
        raise InvalidQuery("Send either `range` or `from`/`to`, not both.", "invalid_range")
    if preset:
        if preset not in {str(days) for days in PRESETS}:
            allowed = ", ".join(str(days) for days in PRESETS)
            raise InvalidQuery(f"`range` must be one of {allowed} (the last whole days).", "invalid_range")
        return Range(start=yesterday - timedelta(days=int(preset) - 1), end=yesterday)
    if not raw_from and not raw_to:
        return Range(start=yesterday - timedelta(days=default_days - 1), end=yesterday)
    end = _day(raw_to, "to") if raw_to else today
    start = _day(raw_from, "from") if raw_from else end - timedelta(days=default_days - 1)
    if start > end:
        raise InvalidQuery(f"`from` ({start}) is after `to` ({end}).", "invalid_range")
    if end > today:
        raise InvalidQuery(f"`to` ({end}) is after today ({today} in the workspace's time zone).", "invalid_range")
    if start < EARLIEST:
        raise InvalidQuery(f"`from` must be {EARLIEST} or later.", "invalid_range")
    found = Range(start=start, end=end)
    if found.days > MAX_DAYS:
        raise InvalidQuery(
            f"The range is {found.days} days long; ask for at most {MAX_DAYS} days (two years) at once.",
            "range_too_long",
        )
    return found


def parse_interval(value: str | None) -> str:
    interval = value or "day"
    if interval not in INTERVALS:
        raise InvalidQuery(
            f"Unknown interval {interval[:40]!r}; use one of: {', '.join(INTERVALS)}.", "invalid_interval"
        )
    return interval


def _day(value: str, name: str) -> date:
    # fromisoformat would also take "20261102" and week dates; the API promises YYYY-MM-DD only.
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise InvalidQuery(f"`{name}` must be a date written YYYY-MM-DD, not {value[:40]!r}.", "invalid_date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidQuery(f"`{name}` is not a real date: {value!r}.", "invalid_date") from None


def period_start(day: date, interval: str) -> date:
    """The first day of the period `day` falls in: weeks start on Monday, months on the 1st."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def periods(days: Range, interval: str, *, through: date | None) -> list[date]:
    """The first days of the periods holding the range's days up to `through` (the last day
    counted; None: none is), in order. The first period may begin before the range does."""
    last = days.end if through is None else min(days.end, through)
    if through is None or last < days.start:
        return []
    found: list[date] = []
    for day in Range(start=days.start, end=last).each_day():
        start = period_start(day, interval)
        if not found or found[-1] != start:
            found.append(start)
    return found
