"""Messages: edit, delete, react, read (sending is chat.actions.sending), and the checks and
rendering a send shares with them. Each writes in one transaction and announces itself only after
the commit, so nobody hears of a message that is not in the database.

Preconditions for every action: the connection is set to `tenant`'s schema, and the caller has
already checked access through chat.access (`access_room_to_post`, `access_message_to_change`...).

A read-only workspace (config.limits) takes no sends, edits, deletions or reactions; read
positions still move.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Lower, StrIndex, Substr
from django.utils import timezone

from accounts.models import User
from chat import events
from chat.attachments import registered as registered_attachments
from chat.emoji import MAX_INPUT_LENGTH as MAX_EMOJI_INPUT_LENGTH
from chat.emoji import reaction_emoji
from chat.markdown import MAX_BODY_LENGTH, Rendered, find_handles, render
from chat.models import Membership, Mention, Message, MessageEdit, Reaction, ReadEvent, Room
from chat.payloads import message_payload, reactions_payload, with_related
from config import limits
from tenants.models import Client

MAX_CLIENT_ID_LENGTH = 64


def check_body(body: object, *, allow_blank: bool = False) -> str:
    """`allow_blank`: a message that carries documents needs no text."""
    if body is None and allow_blank:
        body = ""
    if not isinstance(body, str):
        raise ValidationError({"body": ["A message is text."]}, code="invalid")
    body = body.strip()
    if not body and not allow_blank:
        raise ValidationError({"body": ["A message cannot be empty."]}, code="blank")
    if len(body) > MAX_BODY_LENGTH:
        raise ValidationError({"body": [f"A message has at most {MAX_BODY_LENGTH:,} characters."]}, code="max_length")
    if "\x00" in body:
        raise ValidationError({"body": ["A message cannot contain NUL characters."]}, code="invalid")
    return body


def check_client_id(client_id: object) -> str | None:
    if client_id in (None, ""):
        return None
    if not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID_LENGTH or not client_id.isprintable():
        raise ValidationError(
            {"client_id": [f"client_id is printable text of at most {MAX_CLIENT_ID_LENGTH} characters."]},
            code="invalid",
        )
    return client_id


def check_emoji(emoji: object) -> str:
    """One emoji of the set (chat.emoji), or a known `:shortcode:` of one; answers the emoji as
    stored, so 👍 and :+1: are the same reaction."""
    if isinstance(emoji, str) and len(emoji) <= MAX_EMOJI_INPUT_LENGTH:
        found = reaction_emoji(emoji)
        if found is not None:
            return found
        shown = emoji.strip()
        if len(shown) > 2 and shown[0] == ":" and shown[-1] == ":":
            raise ValidationError(
                {"emoji": [f"“{shown}” is not a shortcode we know. Try one such as :tada: or :+1:."]},
                code="invalid",
            )
    raise ValidationError({"emoji": ["Choose one emoji, such as 👍 or :tada:."]}, code="invalid")


@dataclass(frozen=True)
class Resolved:
    rendered: Rendered
    # People named by a unique @handle who are not members of the room, `{id, name}` each, by
    # name: the sender is offered to add them. In a public room they can read it, so they are
    # mentioned too; in a private room or a DM they are not (their handle stays text).
    not_in_room: list[dict[str, object]] = field(default_factory=list)


def render_for(room: Room, body: str) -> Rendered:
    return resolve_for(room, body).rendered


def resolve_for(room: Room, body: str) -> Resolved:
    """Resolve `@handle`s (the part of an e-mail address before the @) among people who can read
    the room: everyone active for a public room, the members otherwise. An ambiguous handle
    (two people share it) stays plain text rather than notifying the wrong person. One query,
    and only when the body names a handle: whether each person named is a member comes with it,
    so sending pays nothing for the not-in-room warning."""
    handles = find_handles(body)
    if not handles:
        return Resolved(render(body, {}))
    candidates = (
        User.objects.filter(is_active=True)
        .annotate(handle=Lower(Substr("email", 1, StrIndex("email", Value("@")) - 1)))
        .filter(handle__in=handles)
        .annotate(is_member=Exists(Membership.objects.filter(room=room, user=OuterRef("pk"))))
    )
    public = room.kind == Room.Kind.PUBLIC
    readers: dict[str, list[tuple[int, str]]] = {}
    everyone: dict[str, list[tuple[int, str, bool]]] = {}
    for user in candidates:
        person = (user.pk, user.get_full_name())
        everyone.setdefault(user.handle, []).append((*person, user.is_member))
        if public or user.is_member:
            readers.setdefault(user.handle, []).append(person)
    people = {handle: found[0] for handle, found in readers.items() if len(found) == 1}
    outsiders = sorted(
        (found[0] for found in everyone.values() if len(found) == 1 and not found[0][2]),
        key=lambda person: (person[1].lower(), person[0]),
    )
    return Resolved(render(body, people), [{"id": pk, "name": name} for pk, name, _ in outsiders])


def render_preview(room: Room | None, body: str) -> Rendered:
    """What `body` becomes when sent to `room`, without sending it (the composer's preview), so
    the preview and the message can never differ. Without a room no @handle resolves."""
    body = check_body(body)
    return render_for(room, body) if room is not None else render(body)


def record_mentions(tenant: Client, message: Message, user_ids: frozenset[int], *, already: set[int]) -> list[int]:
    """Record and notify the newly mentioned; returns everyone now mentioned, sorted."""
    new = [uid for uid in user_ids if uid not in already and uid != message.author_id]
    Mention.objects.bulk_create(
        [Mention(message=message, user_id=uid, room_id=message.room_id) for uid in new], ignore_conflicts=True
    )
    for uid in new:
        events.to_user(tenant.pk, uid, {"type": "mention", "room": message.room_id, "message": message.pk})
    return sorted(already.union(new) & set(user_ids))


def reload_message(message_id: int) -> Message:
    return with_related(Message.objects.filter(pk=message_id)).get()


def do_edit_message(*, tenant: Client, editor: User, message: Message, body: str) -> Message:
    """Keep the previous text in the history, re-render, notify anyone newly mentioned."""
    body = check_body(body)
    limits.check_writable(tenant)
    if body == message.body:
        return message
    rendered = render_for(message.room, body)
    now = timezone.now()
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.is_deleted:
            raise ValidationError("This message was deleted.", code="deleted")
        MessageEdit.objects.create(message=locked, body=locked.body, edited_at=now, editor=editor)
        locked.body = body
        locked.html = rendered.html
        locked.edited_at = now
        locked.save(update_fields=["body", "html", "edited_at", "updated_at"])
        already = set(Mention.objects.filter(message=locked).values_list("user_id", flat=True))
        Mention.objects.filter(message=locked).exclude(user_id__in=rendered.mentioned_ids).delete()
        record_mentions(tenant, locked, rendered.mentioned_ids, already=already)
        fresh = reload_message(locked.pk)
        frame = {"type": "message.updated", "message": message_payload(fresh)}
        events.to_room(tenant.pk, fresh.room_id, frame, needs=fresh.seq)
    return fresh


def do_delete_message(*, tenant: Client, message: Message) -> Message:
    """Soft delete: the row stays as a tombstone, the text, its history, reactions and mentions go."""
    limits.check_writable(tenant)
    now = timezone.now()
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, deleted_at__isnull=True).update(
            deleted_at=now, body="", html="", updated_at=now
        )
        if updated:
            # What it carried stays: others may share it, and its owners keep it.
            registered_attachments().unlink(message)
            MessageEdit.objects.filter(message=message).delete()
            Reaction.objects.filter(message=message).delete()
            Mention.objects.filter(message=message).delete()
            frame = {"type": "message.deleted", "id": message.pk, "room": message.room_id}
            events.to_room(tenant.pk, message.room_id, frame, needs=message.seq)
    return reload_message(message.pk)


def _announce_reactions(tenant: Client, message: Message, frame_type: str, user: User, emoji: str) -> None:
    Message.objects.filter(pk=message.pk).update(updated_at=timezone.now())
    reactions = reactions_payload(Reaction.objects.filter(message=message).order_by("id"))
    events.to_room(
        tenant.pk,
        message.room_id,
        {
            "type": frame_type,
            "message": message.pk,
            "room": message.room_id,
            "emoji": emoji,
            "user": user.pk,
            "reactions": reactions,
        },
        needs=message.seq,
    )


def do_add_reaction(*, tenant: Client, user: User, message: Message, emoji: str) -> bool:
    """True when the reaction is new; adding the same one twice changes nothing."""
    emoji = check_emoji(emoji)
    limits.check_writable(tenant)
    with transaction.atomic():
        _, created = Reaction.objects.get_or_create(message=message, user=user, emoji=emoji)
        if created:
            _announce_reactions(tenant, message, "reaction.added", user, emoji)
    return created


def do_remove_reaction(*, tenant: Client, user: User, message: Message, emoji: str) -> bool:
    # A reaction stored before reactions were held to the emoji set (":tada:", "★") is taken back
    # as it is shown; anything else must name an emoji of the set.
    shown = emoji.strip() if isinstance(emoji, str) else ""
    if not (shown and Reaction.objects.filter(message=message, user=user, emoji=shown).exists()):
        emoji = check_emoji(emoji)
    else:
        emoji = shown
    limits.check_writable(tenant)
    with transaction.atomic():
        deleted, _ = Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()
        if deleted:
            _announce_reactions(tenant, message, "reaction.removed", user, emoji)
    return bool(deleted)


def do_mark_read(*, tenant: Client, user: User, room: Room, message_id: int) -> int:
    """Move the person's read position forward (never back) to a message of the room. Returns
    the position now stored."""
    newest = Message.objects.filter(room=room, pk__lte=message_id).order_by("-id").values_list("pk", flat=True).first()
    if newest is None:
        raise ValidationError({"message": ["Choose a message of this room."]}, code="invalid_message")
    with transaction.atomic():
        # The row is locked to learn where the position was, so the read is recorded once
        # (ReadEvent, counted by analytics) even when two tabs mark the same messages at once.
        before = (
            Membership.objects.select_for_update()
            .filter(room=room, user=user, last_read_id__lt=newest)
            .values_list("last_read_id", flat=True)
            .first()
        )
        if before is not None:
            Membership.objects.filter(room=room, user=user).update(last_read_id=newest)
            ReadEvent.objects.create(user=user, room=room, from_id=before, to_id=newest)
            events.to_room(tenant.pk, room.pk, {"type": "read", "room": room.pk, "user": user.pk, "message": newest})
    return int(Membership.objects.filter(room=room, user=user).values_list("last_read_id", flat=True).first() or 0)
