"""Seeded, filled workspaces for the dashboard's read tests, and the figures they must show,
counted straight from the raw rows by local day (written from the metric definitions, not from
analytics.queries' SQL)."""

from __future__ import annotations

import random
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from analytics.fill import fill_tenant
from analytics.queries import Range
from analytics.ranges import period_start
from chat.models import Message, ReadEvent
from documents.models import Document
from tests.support.analytics import build_activity, fresh_workspace
from tests.support.tenants import TenantInfo


@dataclass
class Raw:
    """A workspace's activity by local day."""

    zone: zoneinfo.ZoneInfo
    sent_people: Counter[date] = field(default_factory=Counter)
    sent_bots: Counter[date] = field(default_factory=Counter)
    active: dict[date, set[int]] = field(default_factory=lambda: defaultdict(set))
    joined: Counter[date] = field(default_factory=Counter)
    uploads: Counter[date] = field(default_factory=Counter)
    # (day, room) and (day, person) message counts, for the top lists.
    by_room: Counter[tuple[date, int]] = field(default_factory=Counter)
    by_person: Counter[tuple[date, int]] = field(default_factory=Counter)
    names: dict[int, tuple[str, str]] = field(default_factory=dict)  # person -> (name, email)
    bots: set[int] = field(default_factory=set)

    def sent(self, days: Iterable[date]) -> int:
        return sum(self.sent_people[day] + self.sent_bots[day] for day in days)

    def active_people(self, days: Iterable[date]) -> set[int]:
        return set().union(*(self.active.get(day, set()) for day in days))


Pair = tuple[TenantInfo, Raw]


def raw_figures(tenant: TenantInfo) -> Raw:
    zone = zoneinfo.ZoneInfo(tenant.client.time_zone)
    raw = Raw(zone=zone)
    with schema_context(tenant.schema):
        people = {user.pk: user for user in User.objects.all()}
        raw.bots = {pk for pk, user in people.items() if user.is_bot}
        raw.names = {pk: (user.name, user.email) for pk, user in people.items()}
        for author, room, created in Message.objects.values_list("author_id", "room_id", "created_at"):
            day = created.astimezone(zone).date()
            (raw.sent_bots if author in raw.bots else raw.sent_people)[day] += 1
            raw.by_room[(day, room)] += 1
            if author is not None:
                raw.by_person[(day, author)] += 1
                if author not in raw.bots:
                    raw.active[day].add(author)
        for reader, at in ReadEvent.objects.values_list("user_id", "at"):
            if reader in people and reader not in raw.bots:
                raw.active[at.astimezone(zone).date()].add(reader)
        for user in people.values():
            if not user.is_bot:
                raw.joined[user.date_joined.astimezone(zone).date()] += 1
        for created in Document.objects.values_list("created_at", flat=True):
            raw.uploads[created.astimezone(zone).date()] += 1
    return raw


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def grouped(days: Range, interval: str) -> dict[date, list[date]]:
    """The range's days by the first day of their period, in order."""
    found: dict[date, list[date]] = {}
    for day in days_between(days.start, days.end):
        found.setdefault(period_start(day, interval), []).append(day)
    return found


@contextmanager
def seeded(*, prefix: str, zone: str, seed: int, messages: int, days: int = 75) -> Iterator[TenantInfo]:
    """A new workspace with `messages` messages (and reads, documents, people) over the last
    `days` days, filled up to now; dropped afterwards. Needs the database unblocked."""
    now = timezone.now()
    with fresh_workspace(prefix=prefix, time_zone=zone) as tenant:
        build_activity(
            tenant,
            random.Random(seed),
            start=now - timedelta(days=days),
            end=now - timedelta(minutes=5),
            messages=messages,
        )
        fill_tenant(tenant.client, now=now)
        yield tenant


@contextmanager
def busy_and_quiet(prefix: str, zones: tuple[str, str], seed: int) -> Iterator[tuple[Pair, Pair]]:
    """Two workspaces in different zones, one with many times the other's messages, so figures
    of one shown by the other would be told apart; with their raw figures."""
    with (
        seeded(prefix=f"{prefix}a", zone=zones[0], seed=seed, messages=600) as busy,
        seeded(prefix=f"{prefix}b", zone=zones[1], seed=seed + 1, messages=70) as quiet,
    ):
        yield (busy, raw_figures(busy)), (quiet, raw_figures(quiet))


def last_counted_day(tenant: TenantInfo) -> date:
    """The day the fill has counted through when it ran just now (its lag taken off)."""
    zone = zoneinfo.ZoneInfo(tenant.client.time_zone)
    settled = timezone.now() - timedelta(seconds=settings.ANALYTICS_FILL_LAG_SECONDS)
    return settled.astimezone(zone).date() - timedelta(days=1)
