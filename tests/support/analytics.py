"""Analytics' figures counted again in Python, straight from the raw rows, to hold the rollups
against; and a workspace of its own for tests that must know every row in it.

The counting here is written from the stat definitions in `analytics.stats`' docstring, not from
its SQL, so a mistake in one is not repeated in the other.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django_tenants.utils import schema_context

from accounts.models import User
from analytics.fill import fill_target
from analytics.models import RoomCount, TenantCount, UserCount
from analytics.platform.models import ClientCount
from analytics.seeding import Cast, insert_messages, insert_reads, make_people, make_rooms, random_times
from analytics.stats import BY_PROPERTY
from chat.models import Message, ReadEvent, Room
from documents.models import Document, DocumentPage
from tenants.actions import do_provision_workspace
from tenants.models import Client
from tests.support.first_run import remove_workspace
from tests.support.tenants import PASSWORD, TenantInfo

UTC = zoneinfo.ZoneInfo("UTC")
Key = tuple[str, int | None, str, str, datetime]  # (level, user/room id, property, subgroup, end)


@contextmanager
def fresh_workspace(prefix: str = "an", time_zone: str = "UTC") -> Iterator[TenantInfo]:
    """A new workspace for the block (committed), dropped afterwards."""
    slug = f"{prefix}-{uuid.uuid4().hex[:8]}"
    client = do_provision_workspace(
        slug=slug, name=slug.title(), owner_email=f"owner@{slug}.test", owner_password=PASSWORD, owner_name="Owner"
    ).client
    Client.objects.filter(pk=client.pk).update(time_zone=time_zone)
    client.refresh_from_db()
    try:
        yield TenantInfo(client=client, host=f"{slug}.{settings.PLATFORM_DOMAIN}", owner_email=f"owner@{slug}.test")
    finally:
        remove_workspace(slug)


def hour_end(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def day_end(moment: datetime, tz: zoneinfo.ZoneInfo) -> datetime:
    local = moment.astimezone(tz).date() + timedelta(days=1)
    return datetime(local.year, local.month, local.day, tzinfo=tz).astimezone(UTC)


def expected(tenant: Client, *, hour_target: datetime, day_target: datetime) -> dict[Key, int]:
    """Every non-zero count the rollups should hold for periods ending by the targets."""
    tz = zoneinfo.ZoneInfo(tenant.time_zone)
    out: Counter[Key] = Counter()
    with schema_context(tenant.schema_name):
        bots = set(User.objects.filter(is_bot=True).values_list("pk", flat=True))
        people_joined = list(User.objects.filter(is_bot=False).values_list("date_joined", flat=True))
        messages = list(Message.objects.order_by("id").values_list("id", "room_id", "author_id", "created_at"))
        reads = list(ReadEvent.objects.values_list("user_id", "room_id", "from_id", "to_id", "at"))
        documents = list(Document.objects.values_list("uploader_id", "created_at", "size"))
        pages = list(DocumentPage.objects.values_list("extracted_at", flat=True))

    def day(moment: datetime) -> datetime | None:
        end = day_end(moment, tz)
        return end if end <= day_target else None

    def hour(moment: datetime) -> datetime | None:
        end = hour_end(moment)
        return end if end <= hour_target else None

    active: dict[datetime, set[int]] = defaultdict(set)
    rooms_active: dict[datetime, set[int]] = defaultdict(set)
    for _id, room, author, created in messages:
        group = "bots" if author in bots else "people"
        for end, period in ((hour(created), "hour"), (day(created), "day")):
            if end is None:
                continue
            prop = f"messages_sent:{period}"
            out[("tenant", None, prop, group, end)] += 1
            out[("room", room, prop, "", end)] += 1
            if author is not None:
                out[("user", author, prop, group, end)] += 1
        if (end := day(created)) is not None:
            rooms_active[end].add(room)
            if author is not None and author not in bots:
                active[end].add(author)

    by_room: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for message_id, room, author, _created in messages:
        by_room[room].append((message_id, author))
    for user, room, from_id, to_id, at in reads:
        read = sum(1 for message_id, author in by_room[room] if from_id < message_id <= to_id and author != user)
        for end, period in ((hour(at), "hour"), (day(at), "day")):
            if end is not None and read:
                out[("user", user, f"messages_read:{period}", "", end)] += read
                out[("tenant", None, f"messages_read:{period}", "", end)] += read
        if (end := day(at)) is not None and user not in bots:
            active[end].add(user)

    for end, users in active.items():
        for user in users:
            out[("user", user, "active_users:day", "", end)] = 1
        out[("tenant", None, "active_users:day", "", end)] = len(users)
    for end, rooms in rooms_active.items():
        out[("tenant", None, "active_rooms:day", "", end)] = len(rooms)

    for days, name in ((7, "active_users_week:day"), (30, "active_users_month:day")):
        for end in _day_ends(tenant, tz, day_target):
            window = set()
            for back in range(days):
                local = end.astimezone(tz) - timedelta(days=back)
                window |= active.get(datetime(local.year, local.month, local.day, tzinfo=tz).astimezone(UTC), set())
            if window:
                out[("tenant", None, name, "", end)] = len(window)

    for joined in people_joined:
        if (end := day(joined)) is not None:
            out[("tenant", None, "new_users:day", "", end)] += 1
    for uploader, created, _size in documents:
        if (end := day(created)) is not None:
            out[("tenant", None, "documents_uploaded:day", "", end)] += 1
            if uploader is not None:
                out[("user", uploader, "documents_uploaded:day", "", end)] += 1
    for extracted in pages:
        if (end := day(extracted)) is not None:
            out[("tenant", None, "pages_extracted:day", "", end)] += 1
    for end in _day_ends(tenant, tz, day_target):
        stored = sum(size for _u, created, size in documents if created < end)
        if stored:
            out[("tenant", None, "storage_bytes:day", "", end)] = stored

    _first_responses(messages, day, out)
    return {key: value for key, value in out.items() if value}


def _first_responses(
    messages: Sequence[tuple[int, int, int | None, datetime]],
    day: Callable[[datetime], datetime | None],
    out: Counter[Key],
) -> None:
    """Runs of one author per room; each run's first message answers the run before it."""
    waits: dict[tuple[int | None, datetime], list[float]] = defaultdict(list)
    last: dict[int, tuple[int, datetime]] = {}  # room -> (author, when their run began)
    for _id, room, author, created in messages:
        if author is None:
            continue
        before = last.get(room)
        if before is None or before[0] != author:
            if before is not None:
                seconds = (created - before[1]).total_seconds()
                end = day(created)
                if end is not None and seconds <= 7 * 24 * 3600:
                    waits[(room, end)].append(seconds)
                    waits[(None, end)].append(seconds)
            last[room] = (author, created)
    for (room_id, end), values in waits.items():
        level = "tenant" if room_id is None else "room"
        out[(level, room_id, "first_response_seconds_median:day", "", end)] = round(statistics.median(values))
        out[(level, room_id, "first_responses:day", "", end)] = len(values)


def _day_ends(tenant: Client, tz: zoneinfo.ZoneInfo, day_target: datetime) -> list[datetime]:
    """Every day end from the workspace's first data to the target (as the fill starts there)."""
    from analytics.fill import _first_data, local_midnight, next_period
    from analytics.stats import Frequency

    with schema_context(tenant.schema_name):
        end = local_midnight(_first_data(tenant), tz)
    ends = []
    while (end := next_period(end, Frequency.DAY, tz)) <= day_target:
        ends.append(end)
    return ends


def stored(tenant: Client) -> dict[Key, int]:
    """Every count row of the workspace, in the same keys."""
    out: dict[Key, int] = {}
    with schema_context(tenant.schema_name):
        for prop, subgroup, end, value in TenantCount.objects.values_list("property", "subgroup", "end_time", "value"):
            out[("tenant", None, prop, subgroup, end)] = value
        for user, prop, subgroup, end, value in UserCount.objects.values_list(
            "user_id", "property", "subgroup", "end_time", "value"
        ):
            out[("user", user, prop, subgroup, end)] = value
        for room, prop, subgroup, end, value in RoomCount.objects.values_list(
            "room_id", "property", "subgroup", "end_time", "value"
        ):
            out[("room", room, prop, subgroup, end)] = value
    return out


def public_copy(tenant: Client) -> dict[Key, int]:
    """The workspace's rows in the public cross-tenant table."""
    return {
        ("tenant", None, row.property, row.subgroup, row.end_time): row.value
        for row in ClientCount.objects.filter(client=tenant)
    }


def differences(want: dict[Key, int], got: dict[Key, int]) -> list[str]:
    """Readable lines for each key whose values differ (empty when they agree)."""
    lines = []
    for key in sorted(set(want) | set(got), key=lambda k: (k[0], k[2], str(k[1]), k[3], k[4])):
        if want.get(key) != got.get(key):
            lines.append(f"{key}: direct {want.get(key)} rollup {got.get(key)}")
    return lines


def build_activity(
    tenant: TenantInfo, rng: random.Random, *, start: datetime, end: datetime, people: bool = True, messages: int = 300
) -> Cast:
    """Random activity dated in [start, end), on whole seconds: (when `people`) six people, a
    bot and three rooms, then messages (some by an account since deleted), reads, documents and
    pages. Later calls reuse the people and rooms."""
    with schema_context(tenant.schema):
        if people:
            joined = random_times(rng, start, end, 7)
            made = make_people(7, prefix=f"p{rng.randrange(10**6)}", joined=_whole(joined), bots=1)
            make_rooms(3, prefix=f"r{rng.randrange(10**6)}", members=made)
        cast = Cast(
            people=list(User.objects.filter(email__endswith="@people.example").values_list("pk", flat=True)),
            rooms=list(Room.objects.filter(slug__startswith="r").values_list("pk", flat=True)),
        )
        gone = User.objects.create(email=f"gone-{rng.randrange(10**9)}@people.example", date_joined=start)
        authors: list[int | None] = [*cast.people, gone.pk]
        times = _whole(random_times(rng, start, end, messages))
        # Conversations: mostly answers within minutes, some runs by one person.
        ids = insert_messages([(rng.choice(cast.rooms), rng.choice(authors), at, "hello") for at in times])
        User.objects.filter(pk=gone.pk).delete()  # their messages stay, with no author
        cast = Cast(people=[p for p in cast.people if p != gone.pk], rooms=cast.rooms)
        reads = []
        for at in _whole(random_times(rng, start, end, messages // 5)):
            upto = [i for i, t in zip(ids, times, strict=True) if t <= at]
            if upto:
                to_id = rng.choice(upto)
                reads.append((rng.choice(cast.people), rng.choice(cast.rooms), max(0, to_id - 12), to_id, at))
        insert_reads(reads)
        uploader = User.objects.get(pk=cast.people[0])
        for at in _whole(random_times(rng, start, end, 4)):
            document = Document.objects.create(
                uploader=uploader,
                name="plan.pdf",
                file="documents/plan.pdf",
                content_type="application/pdf",
                size=rng.randrange(1_000, 5_000_000),
                sha256="0" * 64,
                status=Document.Status.READY,
            )
            Document.objects.filter(pk=document.pk).update(created_at=at)
            for number, extracted in enumerate(_whole(random_times(rng, at, at + timedelta(hours=2), 3)), start=1):
                page = DocumentPage.objects.create(document=document, number=number, text="page")
                DocumentPage.objects.filter(pk=page.pk).update(extracted_at=extracted)
    return cast


def _whole(times: list[datetime]) -> list[datetime]:
    return [moment.replace(microsecond=0) for moment in times]


def targets(tenant: TenantInfo, now: datetime) -> dict[str, datetime]:
    """The ends a fill at `now` counts up to (for `expected`)."""
    tz = zoneinfo.ZoneInfo(tenant.client.time_zone)
    return {
        "hour_target": fill_target(BY_PROPERTY["messages_sent:hour"], now, tz),
        "day_target": fill_target(BY_PROPERTY["messages_sent:day"], now, tz),
    }


def assert_rollups_equal_direct_counts(tenant: TenantInfo, now: datetime) -> None:
    """Every count row equals the direct count, and public holds the workspace rows."""
    want = expected(tenant.client, **targets(tenant, now))
    got = stored(tenant.client)
    assert not differences(want, got), "\n".join(differences(want, got)[:40])
    # The public copy holds exactly the workspace-level rows.
    tenant_rows = {key: value for key, value in got.items() if key[0] == "tenant"}
    assert public_copy(tenant.client) == tenant_rows


def wait_until(condition: Callable[[], bool], *, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
