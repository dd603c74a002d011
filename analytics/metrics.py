"""The dashboard's metrics: what each is called and means, and how its daily rollups make a week,
a month or a whole range. The definitions repeat `analytics.stats`' (what is counted); this is
how the counts are read."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    # Daily counts that add up: a period's value is the sum of its days.
    SUM = "sum"
    # People or rooms active: a period's value is how many distinct ones were active in it
    # (from the per-person or per-room daily rows), never the sum of the days.
    DISTINCT = "distinct"
    # A value measured at each day's end: a period's value is the one at its last day.
    SNAPSHOT = "snapshot"
    # Daily medians: a period's is the median of its days' medians, weighed by their counts.
    MEDIAN = "median"


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    help: str
    unit: str  # "count", "bytes" or "seconds"
    kind: Kind

    @property
    def property(self) -> str:
        """The workspace-level daily rollup the metric reads."""
        return f"{self.name}:day"


# The median's companion: how many responses each day's median was taken over.
RESPONSES = "first_responses:day"

_ALL = (
    Metric(
        "messages_sent",
        "Messages sent",
        "Messages posted, deleted ones included, by people and by bots.",
        "count",
        Kind.SUM,
    ),
    Metric(
        "active_users",
        "Active people",
        "People who sent or read a message; for a week or month, each person counts once however many days.",
        "count",
        Kind.DISTINCT,
    ),
    Metric(
        "active_users_week",
        "Weekly active people",
        "People active in the 7 days ending on the period's last day.",
        "count",
        Kind.SNAPSHOT,
    ),
    Metric(
        "active_users_month",
        "Monthly active people",
        "People active in the 30 days ending on the period's last day.",
        "count",
        Kind.SNAPSHOT,
    ),
    Metric("new_users", "New people", "Accounts created for people (bots not counted).", "count", Kind.SUM),
    Metric(
        "active_rooms",
        "Active channels",
        "Channels with at least one message; for a week or month, each channel counts once.",
        "count",
        Kind.DISTINCT,
    ),
    Metric("messages_read", "Messages read", "Messages of others that someone marked read.", "count", Kind.SUM),
    Metric("documents_uploaded", "Documents uploaded", "Documents stored.", "count", Kind.SUM),
    Metric("pages_extracted", "Pages extracted", "Pages of text read from uploaded documents.", "count", Kind.SUM),
    Metric(
        "storage_bytes",
        "Storage used",
        "Size of the workspace's documents at the end of the period's last day.",
        "bytes",
        Kind.SNAPSHOT,
    ),
    Metric(
        "first_response_seconds_median",
        "Median first response",
        "Median time to the first answer by someone else (within a week); for a week or month, "
        "the median of the daily medians weighted by each day's number of responses.",
        "seconds",
        Kind.MEDIAN,
    ),
)

BY_NAME: dict[str, Metric] = {metric.name: metric for metric in _ALL}
# Public names, in the dashboard's order.
METRICS: tuple[str, ...] = tuple(metric.name for metric in _ALL)


def weighted_median(pairs: list[tuple[int, int]]) -> int | None:
    """The median of (value, weight) pairs: the smallest value at which the running weight
    reaches half the total (the lower median when it splits exactly). None without weight."""
    total = sum(weight for _value, weight in pairs)
    if total <= 0:
        return None
    ordered = sorted(pairs)
    running = 0
    for value, weight in ordered:
        running += weight
        if running * 2 >= total:
            return value
    return ordered[-1][0]
