"""The `message` and `room` objects of CONTRACT.md, shared by the REST API and the WebSocket, so
both always describe a message the same way."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Prefetch

from accounts.models import User
from accounts.payloads import author_payload as author_payload  # re-exported
from chat import attachments
from chat.models import Membership, Message, Reaction, Room


def handle_of(user: User) -> str:
    """What `@handle` names a person by: their e-mail address before the @, lower-cased."""
    return user.email.split("@", 1)[0].lower()


def with_related(messages: Any) -> Any:
    """The queryset shape `message_payload` reads without a query per message."""
    return messages.select_related("author").prefetch_related(
        Prefetch("reactions", queryset=Reaction.objects.order_by("id")),
        "mentions",
        *attachments.registered().prefetch(),
    )


def reactions_payload(reactions: Iterable[Reaction]) -> list[dict[str, Any]]:
    """Grouped by emoji in the order each was first used: `{emoji, count, users}`."""
    grouped: dict[str, list[int]] = {}
    for reaction in reactions:
        grouped.setdefault(reaction.emoji, []).append(reaction.user_id)
    return [{"emoji": emoji, "count": len(users), "users": users} for emoji, users in grouped.items()]


def message_payload(
    message: Message,
    *,
    mentions: list[int] | None = None,
    reactions: list[dict[str, Any]] | None = None,
    attached: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`mentions`, `reactions` and `attached` (the attachments' payloads), when the caller knows
    them (a message just written), save reading them back."""
    deleted = message.is_deleted
    if mentions is None:
        mentions = [] if deleted else sorted(m.user_id for m in message.mentions.all())
    if reactions is None:
        reactions = [] if deleted else reactions_payload(message.reactions.all())
    if attached is None:
        attached = [] if deleted else attachments.registered().payloads(message)
    return {
        "id": message.pk,
        "room": message.room_id,
        "seq": message.seq,
        "author": author_payload(message.author),
        "body": "" if deleted else message.body,
        "html": "" if deleted else message.html,
        "created_at": message.created_at,
        "edited_at": message.edited_at,
        "deleted": deleted,
        "client_id": message.client_id,
        "thread": message.thread_id,
        "reply_count": message.reply_count,
        "last_reply_at": message.last_reply_at,
        "mentions": [] if deleted else mentions,
        "attachments": [] if deleted else attached,
        "reactions": [] if deleted else reactions,
    }


def message_payloads(messages: Sequence[Message]) -> list[dict[str, Any]]:
    return [message_payload(message) for message in messages]


def room_payload(room: Room, membership: Membership | None = None, *, unread: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": room.pk,
        "name": room.name,
        "slug": room.slug,
        "kind": room.kind,
        "topic": room.topic,
        "created_at": room.created_at,
        "archived": room.is_archived,
        "is_member": membership is not None,
        "role": membership.role if membership else None,
        "last_read_id": membership.last_read_id if membership else None,
    }
    if unread is not None:
        payload["unread"] = unread
    return payload
