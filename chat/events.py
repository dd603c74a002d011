"""Chat events on the channel layer, sent only after the data they announce is committed.

A frame is encoded to JSON once, here, and travels as text: every process holding sockets of the
room receives one channel-layer message and hands the same text to each of its local sockets
(see chat.realtime.hub), rather than one message, one handler and one encode per recipient.

Group names start with the tenant (ARCHITECTURE rule 4):
  t<client>.room.<room>  everyone subscribed to a room
  t<client>.user.<user>  every socket of one person (accounts.events.user_group too)
  t<client>.presence     every socket of the tenant, for presence changes
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

logger = logging.getLogger(__name__)

# Channel-layer message types the hub understands.
FANOUT = "chat.fanout"
ROOM_ACCESS = "chat.room_access"

Outgoing = tuple[str, dict[str, Any]]

# Set by a consumer around its database call: events are collected here instead of being sent
# from the database thread, and the consumer sends them on its own event loop once the call
# returned (the transaction is committed by then).
_captured: ContextVar[list[Outgoing] | None] = ContextVar("chat_captured_events", default=None)


def room_group(tenant_id: int, room_id: int) -> str:
    return f"t{tenant_id}.room.{room_id}"


def presence_group(tenant_id: int) -> str:
    return f"t{tenant_id}.presence"


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def fanout_message(
    frame: dict[str, Any],
    *,
    room: int | None = None,
    message: int | None = None,
    seq: int | None = None,
    needs: int | None = None,
) -> dict[str, Any]:
    """The channel-layer message carrying an encoded frame. `room` and `message` let a socket that
    is still replaying history drop a live copy of a message it already sent (the replay seam).
    `seq` (a new message's) and `needs` (the seq of the message an edit, deletion or reaction is
    about) let a process keep a room's events in commit order (chat.realtime.ordering)."""
    return {
        "type": FANOUT,
        "text": encode(frame),
        "event": frame["type"],
        "room": room,
        "message": message,
        "seq": seq,
        "needs": needs,
    }


def to_room(
    tenant_id: int,
    room_id: int,
    frame: dict[str, Any],
    *,
    message: int | None = None,
    seq: int | None = None,
    needs: int | None = None,
) -> None:
    outgoing = fanout_message(frame, room=room_id, message=message, seq=seq, needs=needs)
    _send_on_commit(room_group(tenant_id, room_id), outgoing)


def to_user(tenant_id: int, user_id: int, frame: dict[str, Any], *, room: int | None = None) -> None:
    _send_on_commit(user_group_by_id(tenant_id, user_id), fanout_message(frame, room=room))


def room_access_changed(
    tenant_id: int, user_id: int, room_id: int, *, granted: bool, by: dict[str, Any] | None = None
) -> None:
    """Tell a person's sockets that they joined or lost a room: on loss they stop receiving it
    at once, whatever they subscribed to before. `by`: who added or removed them (an author
    payload), passed on in `room.added` / `room.removed` so their page can say so."""
    message: dict[str, Any] = {"type": ROOM_ACCESS, "room": room_id, "granted": granted}
    if by is not None:
        message["by"] = by
    _send_on_commit(user_group_by_id(tenant_id, user_id), message)


def user_group_by_id(tenant_id: int, user_id: int) -> str:
    return f"t{tenant_id}.user.{user_id}"


@contextlib.contextmanager
def capture() -> Iterator[list[Outgoing]]:
    """Collect the events of the enclosed (committed) work instead of sending them."""
    events: list[Outgoing] = []
    token = _captured.set(events)
    try:
        yield events
    finally:
        _captured.reset(token)


def _send_on_commit(group: str, message: dict[str, Any]) -> None:
    # A process receives all its groups' events on one channel (chat.realtime.hub): the group routes them.
    message = {**message, "group": group}
    captured = _captured.get()
    if captured is not None:
        transaction.on_commit(lambda: captured.append((group, message)))
    else:
        transaction.on_commit(lambda: send_now(group, message))


def send_now(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        # The data is committed; a socket that misses the event catches up from the database
        # when it resubscribes with `after`.
        logger.exception("could not send %s to %s", message.get("event", message["type"]), group)
