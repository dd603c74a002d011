"""Sending messages: one, or several that arrived together, written in one transaction.

A send writes the room's next `seq`, the message and the author's read position, counts the
message for the plan (config.limits), then records what the message carries: documents, a
thread's reply count, mentions. Sockets hand over the sends that arrive while earlier ones are
being written (chat.realtime.sending), and those are written here together: one statement for
all their messages, one count, one commit (docs/benchmarks.md, the send path).

Preconditions: the connection is set to `tenant`'s schema, and the caller has checked access
through chat.access (`access_room_to_post`) and chat.attachments (`access_to_share`). Events go
out after the commit only (chat.events), so nobody hears of a message that is not stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from chat import events
from chat.access import may_add_people
from chat.actions.messages import Resolved, check_body, check_client_id, record_mentions, reload_message, resolve_for
from chat.attachments import registered as registered_attachments
from chat.markdown import Rendered
from chat.models import Message, Room
from chat.payloads import message_payload
from config import limits
from tenants.models import Client


@dataclass(frozen=True)
class Send:
    author: User
    room: Room
    body: object
    client_id: object = None
    # A message of the room to reply to (replies to replies join the thread's root).
    thread_id: int | None = None
    # What the author may share (chat.attachments.access_to_share); the room's readers may
    # then read them too.
    attachments: Sequence[object] = field(default_factory=list)


@dataclass(frozen=True)
class SendResult:
    message: Message
    # False when the send repeated a `client_id` already stored: nothing new was written.
    created: bool
    # The message as clients see it (chat.payloads.message_payload), built from what was written.
    payload: dict[str, Any]
    # People the message names who are not members of the room, `{id, name}` each (the sender
    # is offered to add them); empty for a repeated send.
    not_in_room: list[dict[str, object]] = field(default_factory=list)

    @property
    def can_add_members(self) -> bool:
        """Whether the sender may bring the people of `not_in_room` in (chat.access.access_room_to_add).
        Asked only when someone was outside, so the common send costs no query for it."""
        author = self.message.author
        return bool(self.not_in_room) and author is not None and may_add_people(author, self.message.room_id)


Outcome = SendResult | ValidationError


@dataclass(frozen=True)
class _Checked:
    send: Send
    body: str
    client_id: str | None
    thread: Message | None
    resolved: Resolved

    @property
    def rendered(self) -> Rendered:
        return self.resolved.rendered


def do_send_message(
    *,
    tenant: Client,
    author: User,
    room: Room,
    body: str,
    client_id: str | None = None,
    thread_id: int | None = None,
    attachments: Sequence[object] = (),
) -> SendResult:
    send = Send(author, room, body, client_id, thread_id, list(attachments))
    outcome = do_send_messages(tenant=tenant, sends=[send])[0]
    if isinstance(outcome, ValidationError):
        raise outcome
    return outcome


def do_send_messages(*, tenant: Client, sends: Sequence[Send]) -> list[Outcome]:
    """Each send's result, or the ValidationError that refused it alone, in the order given. The
    rest are written in one transaction; what refuses all of them (a read-only workspace) is
    raised. A send repeating a stored `client_id` (a retry after a lost answer) is answered with
    the stored message, and so is the second of two sends with one `client_id` in the batch."""
    outcomes: list[Outcome | None] = [None] * len(sends)
    checked: list[tuple[int, _Checked]] = []
    for index, send in enumerate(sends):
        try:
            checked.append((index, _check(send)))
        except ValidationError as error:
            outcomes[index] = error
    # A `client_id` stored before is found by the unique constraint (`_write_all`), which costs
    # nothing when, as nearly always, there is none; one used twice in the batch is found here.
    keys: set[tuple[int, str]] = set()
    writing: list[tuple[int, _Checked]] = []
    repeats: list[tuple[int, _Checked]] = []
    for index, item in checked:
        if item.client_id is not None and (item.send.author.pk, item.client_id) in keys:
            repeats.append((index, item))
            continue
        writing.append((index, item))
        if item.client_id is not None:
            keys.add((item.send.author.pk, item.client_id))
    for (index, _), outcome in zip(writing, _write_all(tenant, [item for _, item in writing]), strict=True):
        outcomes[index] = outcome
    for index, item in repeats:
        outcomes[index] = _repeated(item)
    return [outcome for outcome in outcomes if outcome is not None]


def _check(send: Send) -> _Checked:
    body = check_body(send.body, allow_blank=bool(send.attachments))
    client_id = check_client_id(send.client_id)
    thread: Message | None = None
    if send.thread_id is not None:
        thread = Message.objects.filter(pk=send.thread_id, room=send.room).first()
        if thread is None:
            raise ValidationError({"thread": ["Reply to a message of this room."]}, code="invalid_thread")
        if thread.thread_id is not None:
            thread = Message.objects.get(pk=thread.thread_id)
    return _Checked(send, body, client_id, thread, resolve_for(send.room, body))


def _repeated(item: _Checked) -> Outcome:
    existing = Message.objects.filter(author=item.send.author, client_id=item.client_id).first()
    if existing is None:
        return ValidationError({"room": ["This room no longer exists."]}, code="not_found")
    message = reload_message(existing.pk)
    return SendResult(message=message, created=False, payload=message_payload(message))


def _write_all(tenant: Client, items: list[_Checked]) -> list[Outcome]:
    if not items:
        return []
    try:
        return _write(tenant, items)
    except IntegrityError:
        # A `client_id` stored before (a retry after a lost answer, or the same send on two
        # connections at once): the unique constraint refused the batch, which rolled back
        # whole. Each send alone then finds what was stored.
        if len(items) > 1:
            return [_write_all(tenant, [item])[0] for item in items]
        if items[0].client_id is None:
            raise
        return [_repeated(items[0])]


def _write(tenant: Client, items: list[_Checked]) -> list[Outcome]:
    now = timezone.now()
    carried = registered_attachments()
    outcomes: list[Outcome] = []
    with transaction.atomic():
        positions = _insert(items, now)
        written = sum(1 for position in positions if position is not None)
        if written:
            # Refused in a read-only workspace, which rolls the sends back.
            limits.record_message(tenant, count=written)
        for item, position in zip(items, positions, strict=True):
            if position is None:
                outcomes.append(ValidationError({"room": ["This room no longer exists."]}, code="not_found"))
                continue
            send, thread = item.send, item.thread
            message = Message(
                id=position[0], room=send.room, seq=position[1], author=send.author, body=item.body,
                html=item.rendered.html, client_id=item.client_id, thread=thread, reply_count=0,
                created_at=now, updated_at=now,
            )  # fmt: skip
            message._state.adding = False
            message._state.db = "default"
            if send.attachments:
                carried.store(message, send.attachments)
            mentioned = record_mentions(tenant, message, item.rendered.mentioned_ids, already=set())
            if thread is not None:
                Message.objects.filter(pk=thread.pk).update(
                    reply_count=F("reply_count") + 1, last_reply_at=now, updated_at=timezone.now()
                )
            # Built from what was just written, not read back: a new message has no reactions.
            attached = [carried.payload(attachment) for attachment in send.attachments]
            payload = message_payload(message, mentions=mentioned, reactions=[], attached=attached)
            frame = {"type": "message.new", "message": payload}
            events.to_room(tenant.pk, send.room.pk, frame, message=message.pk, seq=message.seq)
            if thread is not None:
                root = reload_message(thread.pk)
                frame = {"type": "message.updated", "message": message_payload(root)}
                events.to_room(tenant.pk, send.room.pk, frame, needs=root.seq)
            outcomes.append(
                SendResult(message=message, created=True, payload=payload, not_in_room=item.resolved.not_in_room)
            )
    return outcomes


# Every room's next `seq`s, the messages, and the authors' read positions, in one statement:
# sending is the hottest write there is, and each statement through the ORM cost a send about
# 0.5 ms of CPU (config.rows). The rooms' row locks taken by the first UPDATE are held until the
# commit, so the sends of one room commit one batch after another, in `seq` order and `id` order
# alike (the INSERT takes its rows, and their ids, in input order), and a rollback gives the
# numbers back.
_INSERT = """
WITH input AS (
    SELECT * FROM unnest(%(rooms)s::bigint[], %(authors)s::bigint[], %(bodies)s::text[], %(htmls)s::text[],
                         %(client_ids)s::text[], %(threads)s::bigint[])
        WITH ORDINALITY AS i (room_id, author_id, body, html, client_id, thread_id, position)
), counted AS (
    SELECT room_id, count(*) AS n FROM input GROUP BY room_id
), numbered AS (
    UPDATE chat_room SET last_seq = last_seq + counted.n FROM counted WHERE chat_room.id = counted.room_id
    RETURNING chat_room.id, chat_room.last_seq - counted.n AS before
), stored AS (
    INSERT INTO chat_message (room_id, seq, author_id, body, html, client_id, thread_id, reply_count,
                              created_at, updated_at)
    SELECT i.room_id, numbered.before + row_number() OVER (PARTITION BY i.room_id ORDER BY i.position),
           i.author_id, i.body, i.html, i.client_id, i.thread_id, 0, %(now)s, %(now)s
    FROM input i JOIN numbered ON numbered.id = i.room_id
    ORDER BY i.position
    RETURNING id, room_id, seq, author_id
), read AS (
    UPDATE chat_membership SET last_read_id = GREATEST(last_read_id, newest.id)
    FROM (SELECT room_id, author_id, max(id) AS id FROM stored GROUP BY room_id, author_id) newest
    WHERE chat_membership.room_id = newest.room_id AND chat_membership.user_id = newest.author_id
)
SELECT room_id, seq, id FROM stored
"""


def _insert(items: list[_Checked], now: datetime) -> list[tuple[int, int] | None]:
    """(id, seq) of each item's new message; None where its room is gone."""
    params: dict[str, Any] = {
        "rooms": [item.send.room.pk for item in items],
        "authors": [item.send.author.pk for item in items],
        "bodies": [item.body for item in items],
        "htmls": [item.rendered.html for item in items],
        "client_ids": [item.client_id for item in items],
        "threads": [item.thread.pk if item.thread is not None else None for item in items],
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, params)
        written = sorted(cursor.fetchall())
    # A room's items took its numbers in input order.
    by_room: dict[int, list[tuple[int, int]]] = {}
    for room_id, seq, pk in written:
        by_room.setdefault(room_id, []).append((pk, seq))
    return [by_room[item.send.room.pk].pop(0) if by_room.get(item.send.room.pk) else None for item in items]
