"""Reads behind the chat app, the API and the socket: rooms with unread counts, history pages.

Everything reads the schema the connection is set to (the request's or socket's tenant).
History is paged by message id, a keyset over the (room_id, id) index: a page deep in a room
costs what the first page costs, and messages arriving meanwhile shift nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import User
from chat.models import Membership, Mention, Message, Room
from chat.payloads import with_related
from config import rows

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Unread counts stop here; the app shows "99+".
UNREAD_CAP = 100


def rooms_visible_to(user: User) -> QuerySet[Room]:
    """Rooms a person may read: every public room, and the private rooms and DMs they are in."""
    mine = Membership.objects.filter(room=OuterRef("pk"), user=user)
    return Room.objects.filter(Q(kind=Room.Kind.PUBLIC) | Exists(mine))


@dataclass(frozen=True)
class RoomEntry:
    room: Room
    membership: Membership | None
    unread: int
    mentions: int
    # Direct messages: the other people in it, for naming the conversation.
    others: list[User]


def room_list(user: User, *, include_archived: bool = False) -> list[RoomEntry]:
    """The rooms of the sidebar: those the person belongs to, with unread and mention counts,
    in three queries however many rooms there are."""
    mine = Membership.objects.filter(user=user).select_related("room").annotate(unread=_unread_sql(user))
    if not include_archived:
        mine = mine.filter(room__archived_at__isnull=True)
    memberships = list(mine)
    direct_ids = [m.room_id for m in memberships if m.room.kind == Room.Kind.DIRECT]
    others: dict[int, list[User]] = {}
    for m in Membership.objects.filter(room_id__in=direct_ids).exclude(user=user).select_related("user"):
        others.setdefault(m.room_id, []).append(m.user)
    mention_counts = dict(
        Mention.objects.filter(user=user, room_id__in=[m.room_id for m in memberships])
        .filter(message_id__gt=Membership.objects.filter(room=OuterRef("room"), user=user).values("last_read_id"))
        .values_list("room_id")
        .annotate(n=Count("id"))
    )
    entries = [
        RoomEntry(
            room=membership.room,
            membership=membership,
            unread=membership.unread,
            mentions=mention_counts.get(membership.room_id, 0),
            others=others.get(membership.room_id, []),
        )
        for membership in memberships
    ]
    entries.sort(key=lambda e: (e.room.kind == Room.Kind.DIRECT, e.room.name.lower()))
    return entries


# Messages of others after the read position, counted up to UNREAD_CAP over the (room_id, id)
# index: a room with a million unread messages costs what one with a hundred does.
_UNREAD = """
    SELECT count(*) FROM (
        SELECT 1 FROM chat_message x
        WHERE x.room_id = chat_membership.room_id AND x.id > chat_membership.last_read_id
          AND x.deleted_at IS NULL
          AND x.author_id IS DISTINCT FROM %s
        ORDER BY x.id LIMIT %s
    ) AS unread
"""


def _unread_sql(user: User) -> RawSQL:
    """The unread count of the outer query's membership row; the SQL is a constant."""
    return RawSQL(_UNREAD, (user.pk, UNREAD_CAP))  # noqa: S611  # nosec B611


def unread_count(user: User, membership: Membership) -> int:
    """One membership's unread count, as `room_list` counts it."""
    return int(
        Membership.objects.filter(pk=membership.pk)
        .annotate(unread=_unread_sql(user))
        .values_list("unread", flat=True)
        .get()
    )


def clamp_limit(limit: int | str | None, default: int = PAGE_SIZE) -> int:
    try:
        value = int(limit) if limit not in (None, "") else default
    except (TypeError, ValueError):
        value = default
    return max(1, min(value, MAX_PAGE_SIZE))


def history(
    room: Room,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = PAGE_SIZE,
    thread: int | None = None,
) -> list[Message]:
    """A page of a room's messages. With `after`: the oldest ones newer than it, oldest first
    (catching up). Otherwise the newest ones, older than `before` if given, newest first."""
    messages = Message.objects.filter(room=room)
    if thread is not None:
        messages = messages.filter(Q(pk=thread) | Q(thread_id=thread))
    if after is not None:
        page = messages.filter(pk__gt=after).order_by("id")
    else:
        if before is not None:
            messages = messages.filter(pk__lt=before)
        page = messages.order_by("-id")
    return list(with_related(page)[:limit])


def newest_message_id(room: Room) -> int:
    """Where a client that subscribes without `after` starts: 0 for an empty room."""
    # Written out: every subscription asks (config.rows).
    row = rows.fetch_one("SELECT max(id) FROM chat_message WHERE room_id = %s", [room.pk])
    return int(row[0] or 0) if row is not None else 0


def changed_since(room: Room, *, after: int, upto: int, since: datetime, limit: int) -> list[Message]:
    """Messages in (after, upto] edited, deleted or reacted to at or after `since`, oldest first:
    what a client that saw them up to `upto` has to refresh."""
    changed = Message.objects.filter(room=room, pk__gt=after, pk__lte=upto, updated_at__gte=since)
    return list(with_related(changed.order_by("id"))[:limit])
