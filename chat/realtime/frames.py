"""What a client may send on the socket (CONTRACT.md, WebSocket), read and checked before any
handler runs, and the shapes of the answers that carry a request's `ref`.

A frame that cannot be served raises FrameError, answered with `error {code, detail, ref}`;
nothing has been read or written by then. Bodies, emoji and client ids are checked by the
actions, which answer the API the same way.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self, cast

from django.utils.dateparse import parse_datetime

from chat import presence

# Larger frames are refused (a message body is at most a few thousand characters).
MAX_FRAME_BYTES = 64 * 1024
MAX_ID = 2**63 - 1


class FrameError(Exception):
    """A frame that cannot be served; answered with `error {code, detail, ref}`."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Frame:
    """A request as the client sent it: its type, the `ref` its answers carry, its fields."""

    type: str
    # A `ref` that is neither text nor a number is ignored, as if it had not been sent.
    ref: str | int | None
    fields: dict[str, Any]


def parse(text: str | None) -> Frame:
    """The frame in a `websocket.receive`; binary frames are refused."""
    if text is None:
        raise FrameError("bad_request", "Frames are JSON text.")
    # Counting bytes only when the characters alone could exceed the limit.
    if len(text) > MAX_FRAME_BYTES // 4 and len(text.encode()) > MAX_FRAME_BYTES:
        raise FrameError("bad_request", f"A frame has at most {MAX_FRAME_BYTES // 1024} KiB.")
    try:
        fields = json.loads(text)
    except ValueError:
        raise FrameError("bad_request", "A frame is a JSON object.") from None
    if not isinstance(fields, dict) or not isinstance(fields.get("type"), str):
        raise FrameError("bad_request", "A frame is a JSON object with a `type`.")
    ref = fields.get("ref")
    return Frame(type=fields["type"], ref=ref if isinstance(ref, (str, int)) else None, fields=fields)


def read_int(fields: dict[str, Any], key: str) -> int:
    """An id: a non-negative integer (or its digits as text) that fits a bigint."""
    value = fields.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise FrameError("invalid", f"`{key}` must be an id.")
    try:
        number = int(value)
    except ValueError:
        raise FrameError("invalid", f"`{key}` must be an id.") from None
    if number < 0 or number > MAX_ID:
        raise FrameError("invalid", f"`{key}` must be an id.")
    return number


def read_optional_int(fields: dict[str, Any], key: str) -> int | None:
    return read_int(fields, key) if fields.get(key) is not None else None


def read_text(fields: dict[str, Any], key: str) -> str:
    value = fields.get(key)
    if not isinstance(value, str):
        raise FrameError("invalid", f"`{key}` must be text.")
    return value


# -- requests ---------------------------------------------------------------------------------


class Request:
    """A typed frame (a frozen dataclass). By default each field is read by its annotation, in
    order, so the first bad one is the one refused: `int` an id, `int | None` an id or nothing,
    anything else as sent (the action checks bodies, emoji and client ids)."""

    @classmethod
    def read(cls, fields: dict[str, Any]) -> Self:
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cast(Any, cls)):
            if field.type == "int":
                values[field.name] = read_int(fields, field.name)
            elif field.type == "int | None":
                values[field.name] = read_optional_int(fields, field.name)
            else:
                values[field.name] = fields.get(field.name)
        return cast(Self, cast(Any, cls)(**values))


@dataclass(frozen=True)
class RoomRequest(Request):
    """`unsubscribe {room}`, `typing {room}`."""

    room: int


@dataclass(frozen=True)
class Subscribe(Request):
    """`subscribe {room, after?, changes_since?}`: `after` is the newest message id the client
    has; `changes_since` also replays edits and deletions of the messages up to `after`."""

    room: int
    after: int | None
    changes_since: datetime | None

    @classmethod
    def read(cls, fields: dict[str, Any]) -> Self:
        request = super().read(fields)
        if fields.get("changes_since") is None:
            return request
        since = parse_datetime(read_text(fields, "changes_since"))
        if since is None:
            raise FrameError("invalid", "`changes_since` must be an ISO 8601 time.")
        if request.after is None:
            raise FrameError("invalid", "`changes_since` goes with `after`.")
        return dataclasses.replace(request, changes_since=since)


@dataclass(frozen=True)
class SendMessage(Request):
    """`message.send {room, body, client_id, thread?, attachments?}`."""

    room: int
    body: object
    client_id: object
    thread: int | None
    attachments: list[Any]

    @classmethod
    def read(cls, fields: dict[str, Any]) -> Self:
        request = super().read(fields)
        if request.attachments is not None and not isinstance(request.attachments, list):
            raise FrameError("invalid", "`attachments` must be a list of document ids.")
        return dataclasses.replace(request, attachments=request.attachments or [])


@dataclass(frozen=True)
class MessageRequest(Request):
    """`message.edit {id, body}`, and `message.delete {id}` (without a body)."""

    id: int
    body: object


@dataclass(frozen=True)
class React(Request):
    """`reaction.add {message, emoji}`, `reaction.remove {message, emoji}`."""

    message: int
    emoji: object


@dataclass(frozen=True)
class Read(Request):
    """`read {room, message}`: the person has read the room up to `message`."""

    room: int
    message: int


@dataclass(frozen=True)
class Presence(Request):
    """`presence {status}`: this socket is `active` or `idle`."""

    status: str

    @classmethod
    def read(cls, fields: dict[str, Any]) -> Self:
        request = super().read(fields)
        if not isinstance(request.status, str) or request.status not in presence.SOCKET_STATUSES:
            raise FrameError("invalid", "`status` is `active` or `idle`.")
        return request


# -- answers ----------------------------------------------------------------------------------


def reply(frame: Frame, answer: dict[str, Any]) -> dict[str, Any]:
    """An answer that always goes out, carrying the request's `ref` when it had one."""
    return answer if frame.ref is None else {**answer, "ref": frame.ref}


def ack(frame: Frame, **extra: Any) -> dict[str, Any] | None:
    """The acknowledgement of a request that asked for one with a `ref`, else nothing."""
    if frame.ref is None:
        return None
    return {"type": "ack", "ref": frame.ref, "for": frame.type, **extra}


def error(code: str, detail: str, ref: str | int | None = None, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {"type": "error", "code": code, "detail": detail, **extra}
    if ref is not None:
        answer["ref"] = ref
    return answer
