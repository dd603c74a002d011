"""Shapes of the chat endpoints.

Input serializers check types, lengths and known choices; chat.access decides who may do what and
the actions decide everything about state. Responses are the dicts of chat.payloads, so the API
and the WebSocket describe a message identically; the output serializers here only document
those shapes in the OpenAPI schema.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chat.actions.messages import MAX_CLIENT_ID_LENGTH
from chat.attachments import MAX_ATTACHMENTS, registered
from chat.emoji import MAX_INPUT_LENGTH as MAX_EMOJI_INPUT_LENGTH
from chat.markdown import MAX_BODY_LENGTH
from chat.models import Membership, Room
from chat.search import MAX_SEARCH_LENGTH
from chat.search_all import AllCursor
from chat.selectors import MAX_PAGE_SIZE
from config.api.fields import PersonRefSerializer, StrictCharField, id_field

MAX_MEMBERS_AT_ONCE = 100


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


class RoomListQuerySerializer(serializers.Serializer[Any]):
    browse = serializers.BooleanField(
        required=False, default=False, help_text="List the public rooms of the workspace instead of your own."
    )
    archived = serializers.BooleanField(
        required=False, default=False, help_text="Include archived rooms you belong to."
    )


class RoomCreateSerializer(serializers.Serializer[Any]):
    name = StrictCharField(max_length=80)
    kind = serializers.ChoiceField(choices=[Room.Kind.PUBLIC, Room.Kind.PRIVATE], default=Room.Kind.PUBLIC)
    topic = StrictCharField(max_length=250, required=False, allow_blank=True, default="")
    members = serializers.ListField(
        child=id_field(), required=False, default=list, max_length=MAX_MEMBERS_AT_ONCE, help_text="User ids to add."
    )


class RoomUpdateSerializer(serializers.Serializer[Any]):
    name = StrictCharField(max_length=80, required=False)
    topic = StrictCharField(max_length=250, required=False, allow_blank=True)
    archived = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send `name`, `topic` or `archived`.", code="empty")
        return attrs


class MemberListQuerySerializer(serializers.Serializer[Any]):
    after = id_field(required=False, help_text="`next` of the previous page (a user id).")
    limit = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False, default=100)


class MemberAddSerializer(serializers.Serializer[Any]):
    user = id_field(help_text="The person to add; your own id joins a public room.")


class MemberRoleSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class DirectSerializer(serializers.Serializer[Any]):
    users = serializers.ListField(
        child=id_field(), min_length=1, max_length=20, help_text="The other people (your own id may be included)."
    )


class HistoryQuerySerializer(serializers.Serializer[Any]):
    before = id_field(required=False, help_text="Messages older than this id, newest first.")
    after = id_field(required=False, help_text="Messages newer than this id, oldest first.")
    limit = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False, default=50)
    thread = id_field(required=False, help_text="Only this thread: its first message and the replies.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("before") is not None and attrs.get("after") is not None:
            raise serializers.ValidationError("Send `before` or `after`, not both.", code="both_cursors")
        return attrs


class MessageCreateSerializer(serializers.Serializer[Any]):
    # Trimming and blank checks are the action's (check_body), so the socket gets the same rules.
    body = StrictCharField(max_length=MAX_BODY_LENGTH, trim_whitespace=False, allow_blank=True)
    client_id = StrictCharField(
        max_length=MAX_CLIENT_ID_LENGTH,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Chosen by the client; a retried send with the same one returns the stored message (200).",
    )
    thread = id_field(required=False, allow_null=True, help_text="Reply in the thread of this message.")
    attachments = serializers.ListField(
        child=id_field(), required=False, default=list, max_length=MAX_ATTACHMENTS, help_text="Document ids."
    )


class MessageUpdateSerializer(serializers.Serializer[Any]):
    body = StrictCharField(max_length=MAX_BODY_LENGTH, trim_whitespace=False, allow_blank=True)


class ReactionSerializer(serializers.Serializer[Any]):
    emoji = StrictCharField(
        max_length=MAX_EMOJI_INPUT_LENGTH,
        help_text="One emoji (👍) or its `:shortcode:` (`:+1:`), stored as the emoji; anything else is a 400.",
    )


class ReadSerializer(serializers.Serializer[Any]):
    message = id_field(help_text="The newest message read; the position never moves back.")


class PreviewSerializer(serializers.Serializer[Any]):
    body = StrictCharField(max_length=MAX_BODY_LENGTH, trim_whitespace=False, allow_blank=True)
    room = id_field(required=False, allow_null=True, help_text="Resolve @mentions as a message of this room would.")


@extend_schema_field(OpenApiTypes.STR)
class DateOrDateTimeField(serializers.Field):
    """`2026-11-27` (midnight in the person's time zone) or an ISO 8601 date and time."""

    default_error_messages = {"invalid": "Use a date (YYYY-MM-DD) or an ISO 8601 date and time."}

    def to_internal_value(self, data: Any) -> datetime:
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        value: datetime | date | None
        try:
            value = parse_datetime(data) or parse_date(data)
        except ValueError:
            value = None
        if value is None:
            self.fail("invalid")
        if not isinstance(value, datetime):
            value = datetime.combine(value, time.min)
        if timezone.is_naive(value):
            value = value.replace(tzinfo=self._zone())
        return value

    def to_representation(self, value: Any) -> Any:
        return value

    def _zone(self) -> ZoneInfo:
        request = self.context.get("request")
        name = getattr(getattr(request, "user", None), "time_zone", "") or "UTC"
        try:
            return ZoneInfo(name)
        except (KeyError, ValueError):
            return ZoneInfo("UTC")


class SearchQuerySerializer(serializers.Serializer[Any]):
    q = StrictCharField(max_length=MAX_SEARCH_LENGTH, help_text='Words, "a phrase", -excluded, or.')
    type = serializers.ChoiceField(
        choices=["all", "messages", "documents"], required=False, default="all", help_text="What to search."
    )
    room = id_field(required=False, help_text="Only this room (its messages, and documents shared in it).")
    author = id_field(required=False, help_text="Only messages by, and documents uploaded by, this person.")
    after = DateOrDateTimeField(required=False, help_text="Sent at or after (a date is midnight in your zone).")
    before = DateOrDateTimeField(required=False, help_text="Sent before (a date is midnight in your zone).")
    limit = serializers.IntegerField(min_value=1, max_value=50, required=False, default=20)
    cursor = StrictCharField(required=False, allow_blank=True, max_length=400, default="")

    def validate_cursor(self, value: str) -> AllCursor | None:
        if not value:
            return None
        try:
            return AllCursor.decode(value)
        except ValueError as exc:
            raise serializers.ValidationError("Not a cursor from this API; use `next` of a previous page.") from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        after, before = attrs.get("after"), attrs.get("before")
        if after is not None and before is not None and after >= before:
            raise serializers.ValidationError({"before": ["`before` must be later than `after`."]}, code="range")
        return attrs


# ---------------------------------------------------------------------------------------------
# Output (documentation of the payloads of chat.payloads)
# ---------------------------------------------------------------------------------------------


def _inserted(
    fields: dict[str, serializers.Field], added: dict[str, serializers.Field], *, before: str
) -> dict[str, serializers.Field]:
    """`fields` with the attachments' (chat.attachments: the registered app's, known only once
    apps are ready) placed where the payload has them, before the field `before`."""
    names = list(fields)
    at = names.index(before)
    return {
        **{name: fields[name] for name in names[:at]},
        **added,
        **{name: fields[name] for name in names[at:]},
    }


class ReactionGroupSerializer(serializers.Serializer[Any]):
    emoji = serializers.CharField()
    count = serializers.IntegerField()
    users = serializers.ListField(child=serializers.IntegerField())


class MessageSerializer(serializers.Serializer[Any]):
    """chat.payloads.message_payload: the same object the WebSocket sends."""

    id = serializers.IntegerField()
    room = serializers.IntegerField()
    author = PersonRefSerializer(allow_null=True)
    body = serializers.CharField(help_text="Markdown as written; empty once deleted.")
    html = serializers.CharField(help_text="The body rendered safely; empty once deleted.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()
    client_id = serializers.CharField(allow_null=True)
    thread = serializers.IntegerField(allow_null=True, help_text="The first message of the thread replied to.")
    reply_count = serializers.IntegerField()
    last_reply_at = serializers.DateTimeField(allow_null=True)
    mentions = serializers.ListField(child=serializers.IntegerField())
    reactions = ReactionGroupSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        return _inserted(super().get_fields(), {"attachments": registered().field()}, before="reactions")


class MessagePageSerializer(serializers.Serializer[Any]):
    results = MessageSerializer(many=True)
    next_before = serializers.IntegerField(
        allow_null=True, help_text="Pass as `before` for older messages; null when the oldest is in this page."
    )
    next_after = serializers.IntegerField(
        allow_null=True, help_text="Pass as `after` for newer messages; null when the newest is in this page."
    )


class RoomSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.ChoiceField(choices=Room.Kind.choices)
    topic = serializers.CharField()
    created_at = serializers.DateTimeField()
    archived = serializers.BooleanField()
    is_member = serializers.BooleanField()
    role = serializers.ChoiceField(choices=Membership.Role.choices, allow_null=True)
    last_read_id = serializers.IntegerField(allow_null=True)
    unread = serializers.IntegerField(required=False, help_text="Others' messages after your read position, up to 100.")
    mentions = serializers.IntegerField(required=False, help_text="Unread messages that mention you.")
    members = serializers.IntegerField(required=False, help_text="How many people are in the room.")
    archived_at = serializers.DateTimeField(required=False, allow_null=True, help_text="When it was archived.")
    archived_by = PersonRefSerializer(required=False, allow_null=True, help_text="Who archived it.")
    others = PersonRefSerializer(many=True, required=False, help_text="Direct messages: the other people.")


class RoomListSerializer(serializers.Serializer[Any]):
    results = RoomSerializer(many=True)


class MemberSerializer(serializers.Serializer[Any]):
    user = PersonRefSerializer()
    handle = serializers.CharField(help_text="The part of the e-mail address before the @, for @mentions.")
    avatar = serializers.CharField(allow_null=True, help_text="The URL of their picture; null without one.")
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    joined_at = serializers.DateTimeField()


class MemberPageSerializer(serializers.Serializer[Any]):
    results = MemberSerializer(many=True)
    next = serializers.IntegerField(allow_null=True, help_text="Pass as `after` for the next page; null at the end.")


class EditSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(help_text="The text before this edit.")
    edited_at = serializers.DateTimeField()
    editor = PersonRefSerializer(allow_null=True)


class EditListSerializer(serializers.Serializer[Any]):
    message = serializers.IntegerField()
    current = serializers.CharField(help_text="The text now.")
    results = EditSerializer(many=True)


class ReadResultSerializer(serializers.Serializer[Any]):
    room = serializers.IntegerField()
    last_read_id = serializers.IntegerField()
    unread = serializers.IntegerField()


class PreviewResultSerializer(serializers.Serializer[Any]):
    html = serializers.CharField()


class DirectoryEntrySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    handle = serializers.CharField()


class DirectoryPageSerializer(serializers.Serializer[Any]):
    results = DirectoryEntrySerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="Cursor of the next page; null on the last page.")


class RoomRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SearchResultSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=["message", "document"])
    message = MessageSerializer(required=False, help_text="A message hit.")
    room = RoomRefSerializer(required=False, help_text="A message hit's room.")
    snippet = serializers.CharField(
        help_text="HTML-escaped text of the match with the matched words in <mark></mark>, safe to insert as HTML."
    )
    rank = serializers.FloatField()

    def get_fields(self) -> dict[str, serializers.Field]:
        return _inserted(super().get_fields(), registered().search_fields(), before="snippet")


class SearchPageSerializer(serializers.Serializer[Any]):
    results = SearchResultSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="Cursor of the next page; null on the last page.")
