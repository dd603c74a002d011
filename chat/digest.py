"""The e-mail of what a person missed while away: their unread mentions and direct messages, in
one branded mail per person per batch (chat.tasks runs it every minute in each tenant).

Who is away: chat.presence keeps only who is online now (the tenant's announced hash in Redis),
so each run notes, per person, since when it has seen them offline
(`NotificationSettings.away_since`). A person's batch goes out once they have been away for
their delay (`digest_delay`: 10 minutes, an hour, a day; none: never) and the oldest message
waiting is that old too, so a burst of messages is one e-mail, not one per run. What was mailed
is recorded as the newest message id mailed (`digest_mailed_through`, ids grow within a tenant),
moved forward in the same transaction that decides to send, and the mail leaves after that
commit: a message is never mailed twice, at the cost of a mail lost if the worker dies between
the commit and the send.

Precondition for everything here: the connection is set to the tenant's schema.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.urls import reverse

from accounts.models import NotificationSettings, User
from accounts.notifications import unsubscribe_token
from branding.emails import render_branded_email
from chat.models import Message, Room
from chat.presence import tenant_key
from tenants.models import Client
from tenants.urls_helpers import tenant_url

# Older unread messages are not mailed: a digest is news, not an archive.
LOOKBACK = timedelta(days=3)
# Messages written out in one mail; the rest are counted.
SHOWN = 20
EXCERPT_CHARS = 280

# Each person's unread mentions (read position of the room, none for a public room they never
# joined) and unread messages of others in their direct messages, not deleted, recent.
_PENDING = """
SELECT mention.user_id, msg.id FROM chat_mention mention
JOIN chat_message msg ON msg.id = mention.message_id
LEFT JOIN chat_membership mb ON mb.room_id = mention.room_id AND mb.user_id = mention.user_id
WHERE msg.created_at >= %(since)s AND msg.deleted_at IS NULL AND msg.id > COALESCE(mb.last_read_id, 0)
UNION
SELECT mb.user_id, msg.id FROM chat_membership mb
JOIN chat_room room ON room.id = mb.room_id AND room.kind = %(direct)s
JOIN chat_message msg ON msg.room_id = mb.room_id AND msg.id > mb.last_read_id AND msg.author_id <> mb.user_id
WHERE msg.created_at >= %(since)s AND msg.deleted_at IS NULL
"""


@dataclass(frozen=True)
class Missed:
    """One message as the mail shows it."""

    where: str
    author: str
    text: str
    created_at: datetime
    url: str


@dataclass(frozen=True)
class Batch:
    user: User
    missed: list[Missed]
    more: int


def online_people(tenant: Client) -> set[int]:
    """Who has a socket open now (online or idle), per chat.presence's announced hash."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        return {int(user_id) for user_id in client.hkeys(tenant_key(tenant.pk))}
    finally:
        client.close()


def note_presence(*, online: set[int], now: datetime) -> None:
    """Forget the absence of whoever is online; start it for whoever is newly seen offline."""
    rows = NotificationSettings.objects
    rows.filter(user_id__in=online, away_since__isnull=False).update(away_since=None)
    rows.exclude(user_id__in=online).filter(away_since__isnull=True).update(away_since=now)


def pending(*, now: datetime) -> dict[int, list[int]]:
    """Per person, the ids of the unread mentions and direct messages waiting, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(_PENDING, {"since": now - LOOKBACK, "direct": Room.Kind.DIRECT})
        found: dict[int, list[int]] = defaultdict(list)
        for user_id, message_id in cursor.fetchall():
            found[user_id].append(message_id)
    return {user_id: sorted(ids) for user_id, ids in found.items()}


def send_digests(*, tenant: Client, now: datetime) -> int:
    """Mail everyone of the tenant whose batch is due; returns how many were mailed."""
    online = online_people(tenant)
    note_presence(online=online, now=now)
    waiting = pending(now=now)
    if not waiting:
        return 0
    # People first needed now start with the defaults, away from now on unless online.
    NotificationSettings.objects.bulk_create(
        [NotificationSettings(user_id=uid, away_since=None if uid in online else now) for uid in waiting],
        ignore_conflicts=True,
    )
    sent = 0
    for user_id, ids in waiting.items():
        if user_id not in online and _send_one(tenant=tenant, user_id=user_id, ids=ids, now=now):
            sent += 1
    return sent


def _send_one(*, tenant: Client, user_id: int, ids: list[int], now: datetime) -> bool:
    with transaction.atomic():
        # Locked so two runs at once (a redelivered task) cannot both mail this batch.
        row = (
            NotificationSettings.objects.select_for_update()
            .select_related("user")
            .filter(user_id=user_id, user__is_active=True)
            .first()
        )
        if row is None or row.digest_delay is None or row.away_since is None:
            return False
        due = now - timedelta(minutes=row.digest_delay)
        fresh = [message_id for message_id in ids if message_id > row.digest_mailed_through]
        if not fresh or row.away_since > due:
            return False
        messages = _messages(fresh)
        if not messages or messages[0].created_at > due:
            return False
        origin = tenant_url(tenant).removesuffix("/")
        shown = [_missed(origin, message) for message in messages[:SHOWN]]
        batch = Batch(user=row.user, missed=shown, more=max(len(messages) - SHOWN, 0))
        row.digest_mailed_through = max(fresh)
        row.save(update_fields=["digest_mailed_through", "updated_at"])
        email = _render(tenant, batch)
        transaction.on_commit(email.send)
    return True


def _messages(ids: list[int]) -> list[Message]:
    query = Message.objects.filter(pk__in=ids, deleted_at__isnull=True).select_related("author", "room")
    return list(query.order_by("id"))


def _missed(origin: str, message: Message) -> Missed:
    author = message.author.get_full_name() if message.author else "Someone"
    where = f"a direct message from {author}" if message.room.kind == Room.Kind.DIRECT else f"#{message.room.name}"
    text = " ".join(message.body.split())
    if len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 1].rstrip() + "…"
    return Missed(
        where=where,
        author=author,
        text=text or "(an attachment)",
        created_at=message.created_at,
        url=f"{origin}/#room-{message.room_id}",
    )


def _render(tenant: Client, batch: Batch) -> EmailMultiAlternatives:
    unsubscribe = tenant_url(
        tenant, reverse("accounts:unsubscribe", args=[unsubscribe_token(tenant=tenant, user=batch.user)])
    )
    count = len(batch.missed) + batch.more
    outgoing = render_branded_email(
        tenant=tenant,
        to=batch.user.email,
        template="mention_digest",
        context={
            "person": batch.user,
            "missed": batch.missed,
            "more": batch.more,
            "count": count,
            "url": tenant_url(tenant),
            "unsubscribe_url": unsubscribe,
            "settings_url": tenant_url(tenant, reverse("accounts:profile") + "#notifications"),
        },
    )
    message = EmailMultiAlternatives(
        subject=outgoing.subject,
        body=outgoing.text,
        from_email=outgoing.from_email,
        to=outgoing.to,
        reply_to=outgoing.reply_to,
        # RFC 2369 and RFC 8058: mail clients offer their own unsubscribe button, in one click.
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(outgoing.html, "text/html")
    return message
