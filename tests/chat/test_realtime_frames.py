"""Frames read and checked before any handler runs (chat.realtime.frames): what a client sends
wrong is answered with the code and sentence it will see in its `error` frame."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chat.realtime import frames
from chat.realtime.frames import Frame, FrameError, Presence, SendMessage, Subscribe


def refused(call: Any, *args: Any) -> tuple[str, str]:
    with pytest.raises(FrameError) as caught:
        call(*args)
    return caught.value.code, caught.value.detail


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (None, "Frames are JSON text."),
        ("{not json", "A frame is a JSON object."),
        ("[1, 2]", "A frame is a JSON object with a `type`."),
        ('{"room": 1}', "A frame is a JSON object with a `type`."),
        ('{"type": 5}', "A frame is a JSON object with a `type`."),
        (json.dumps({"type": "ping", "pad": "é" * 40_000}), "A frame has at most 64 KiB."),
    ],
)
def test_parse_refuses_what_is_not_a_frame(text: str | None, detail: str) -> None:
    assert refused(frames.parse, text) == ("bad_request", detail)


def test_parse_keeps_type_ref_and_fields() -> None:
    frame = frames.parse('{"type": "subscribe", "room": 3, "ref": "r1"}')

    assert frame == Frame(type="subscribe", ref="r1", fields={"type": "subscribe", "room": 3, "ref": "r1"})


def test_parse_ignores_a_ref_that_is_neither_text_nor_a_number() -> None:
    assert frames.parse('{"type": "ping", "ref": {"a": 1}}').ref is None


@pytest.mark.parametrize("value", [True, None, 1.5, -1, 2**63, "12a", [1]])
def test_read_int_refuses_what_is_not_an_id(value: object) -> None:
    assert refused(frames.read_int, {"room": value}, "room") == ("invalid", "`room` must be an id.")


def test_read_int_takes_an_id_as_a_number_or_as_digits() -> None:
    assert frames.read_int({"room": 7}, "room") == 7
    assert frames.read_int({"room": "42"}, "room") == 42
    assert frames.read_int({"room": 2**63 - 1}, "room") == 2**63 - 1


def test_read_text_refuses_a_number() -> None:
    assert refused(frames.read_text, {"changes_since": 5}, "changes_since") == (
        "invalid",
        "`changes_since` must be text.",
    )


def test_subscribe_reads_after_and_changes_since() -> None:
    request = Subscribe.read({"room": 1, "after": "9", "changes_since": "2026-01-02T03:04:05Z"})

    assert (request.room, request.after, request.changes_since and request.changes_since.isoformat()) == (
        1,
        9,
        "2026-01-02T03:04:05+00:00",
    )


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"room": 1, "after": 2, "changes_since": "yesterday"}, "`changes_since` must be an ISO 8601 time."),
        ({"room": 1, "changes_since": "2026-01-02T03:04:05Z"}, "`changes_since` goes with `after`."),
        ({"room": 1, "after": -3}, "`after` must be an id."),
    ],
)
def test_subscribe_refuses_a_bad_catch_up(fields: dict[str, Any], detail: str) -> None:
    assert refused(Subscribe.read, fields) == ("invalid", detail)


def test_send_refuses_attachments_that_are_not_a_list() -> None:
    assert refused(SendMessage.read, {"room": 1, "body": "hi", "attachments": 4}) == (
        "invalid",
        "`attachments` must be a list of document ids.",
    )


def test_send_checks_the_room_before_the_thread() -> None:
    assert refused(SendMessage.read, {"room": "x", "thread": "y"}) == ("invalid", "`room` must be an id.")


def test_presence_takes_active_or_idle_only() -> None:
    assert Presence.read({"status": "idle"}).status == "idle"
    assert refused(Presence.read, {"status": "away"}) == ("invalid", "`status` is `active` or `idle`.")


def test_answers_carry_the_ref_only_when_the_request_had_one() -> None:
    asked = Frame(type="message.edit", ref=5, fields={})
    silent = Frame(type="message.edit", ref=None, fields={})

    assert frames.reply(asked, {"type": "pong"}) == {"type": "pong", "ref": 5}
    assert frames.reply(silent, {"type": "pong"}) == {"type": "pong"}
    assert frames.ack(asked, message=3) == {"type": "ack", "ref": 5, "for": "message.edit", "message": 3}
    assert frames.ack(silent, message=3) is None
    assert frames.error("invalid", "No.", 5, limit=10) == {
        "type": "error",
        "code": "invalid",
        "detail": "No.",
        "limit": 10,
        "ref": 5,
    }
