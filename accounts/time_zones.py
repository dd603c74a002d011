"""The time zone picker's choices: every zone Python knows (the set `validate_time_zone`
accepts), grouped by region for `<optgroup>`s, each labelled with its offset from UTC now.

The offsets move with daylight saving time, so the list is rebuilt once an hour rather than
cached for the life of the process.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.utils import timezone

# The continents and oceans of the IANA names, in the order people look for them; anything
# else (UTC, Etc/GMT+5, the legacy aliases such as US/Eastern) goes under "Other".
REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
OTHER = "Other"

Choices = list[tuple[str, list[tuple[str, str]]]]


def utc_offset(name: str, at: datetime) -> str:
    """`UTC+05:30`, `UTC\u221203:00` (a real minus sign, U+2212), `UTC±00:00`."""
    offset = at.astimezone(zoneinfo.ZoneInfo(name)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC±00:00"
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def label(name: str, at: datetime) -> str:
    """`Berlin (UTC+01:00)`, `Argentina / Buenos Aires (UTC\u221203:00)`: the region is the group's."""
    region, _, place = name.partition("/")
    shown = place if region in REGIONS and place else name
    return f"{shown.replace('_', ' ').replace('/', ' / ')} ({utc_offset(name, at)})"


@lru_cache(maxsize=2)
def _grouped(hour: int) -> Choices:
    at = datetime.fromtimestamp(hour * 3600, tz=UTC)
    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in (*REGIONS, OTHER)}
    for name in sorted(zoneinfo.available_timezones()):
        region = name.split("/", 1)[0]
        groups[region if region in REGIONS and "/" in name else OTHER].append((name, label(name, at)))
    return [(region, zones) for region, zones in groups.items() if zones]


def grouped_time_zone_choices() -> Choices:
    """For a ChoiceField: `[(region, [(zone, label), ...]), ...]`."""
    return _grouped(int(timezone.now().timestamp()) // 3600)
