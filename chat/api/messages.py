"""A room's history and messages: send, read, edit, delete, react, and the composer's preview.

Every response carrying a message is chat.payloads.message_payload, the object the WebSocket
sends, so a client renders both the same way.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.access import (
    access_message,
    access_message_to_change,
    access_message_to_react,
    access_room,
    access_room_to_post,
)
from chat.actions import (
    do_add_reaction,
    do_delete_message,
    do_edit_message,
    do_remove_reaction,
    do_send_message,
)
from chat.actions.messages import render_preview
from chat.api import serializers as s
from chat.attachments import access_to_share
from chat.models import Message, MessageEdit
from chat.payloads import author_payload, message_payload, message_payloads, with_related
from chat.selectors import history
from config.api.common import BAD_INPUT, FORBIDDEN, NOT_FOUND, person, valid
from config.api.errors import NotFound


class _OutsiderSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SentMessageSerializer(s.MessageSerializer):
    """A sent message, and whom it names who is not in the room (docs/architecture.md, Mentions)."""

    not_in_room = _OutsiderSerializer(many=True)
    can_add_members = serializers.BooleanField()


def fresh(message: Message) -> dict[str, Any]:
    return message_payload(with_related(Message.objects.filter(pk=message.pk)).get())


class RoomMessagesView(APIView):
    @extend_schema(
        parameters=[s.HistoryQuerySerializer],
        responses={200: s.MessagePageSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        operation_id="rooms_messages_list",
        summary="A page of a room's history",
        description="Keyset pages by message id (never OFFSET: a page deep in history costs what the "
        "first costs). No cursor: the newest messages, newest first. `before`: older than that id, "
        "newest first. `after`: newer than that id, oldest first (catching up). Walk on with "
        "`next_before` / `next_after`; each is null once that end is reached. Pages never overlap "
        "or skip a message. `thread` keeps to one thread (its first message and the replies).",
    )
    def get(self, request: Request, pk: int) -> Response:
        access = access_room(person(request), pk)
        query = valid(s.HistoryQuerySerializer, request.query_params)
        before, after = query.get("before"), query.get("after")
        limit, thread = query["limit"], query.get("thread")
        room = access.room
        if thread is not None and not Message.objects.filter(pk=thread, room=room, thread__isnull=True).exists():
            raise NotFound
        rows = history(room, before=before, after=after, limit=limit + 1, thread=thread)
        page, more = rows[:limit], len(rows) > limit
        in_scope = Message.objects.filter(room=room)
        if thread is not None:
            in_scope = in_scope.filter(Q(pk=thread) | Q(thread_id=thread))
        next_before = next_after = None
        if page:
            oldest, newest = (page[0], page[-1]) if after is not None else (page[-1], page[0])
            if after is not None:
                next_after = newest.pk if more else None
                next_before = oldest.pk if in_scope.filter(pk__lt=oldest.pk).exists() else None
            else:
                next_before = oldest.pk if more else None
                next_after = newest.pk if in_scope.filter(pk__gt=newest.pk).exists() else None
        return Response({"results": message_payloads(page), "next_before": next_before, "next_after": next_after})

    @extend_schema(
        request=s.MessageCreateSerializer,
        responses={
            201: SentMessageSerializer,
            200: OpenApiResponse(SentMessageSerializer, description="`client_id` repeated: the message already stored"),
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        summary="Send a message",
        description="Members only, not in archived rooms. Markdown, rendered safely into `html`; "
        "`@handle` (the part of an e-mail address before the @) mentions someone who can read the room. "
        "People named who are not members come back in `not_in_room` (`[{id, name}]`, beside the message), "
        "with `can_add_members` saying whether you may add them (`POST /api/rooms/<id>/members/`); a "
        "handle that names nobody of this workspace is plain text. "
        "`thread` replies in the thread of that message. A send retried with the same `client_id` is "
        "stored once: the retry answers 200 with the stored message.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = person(request)
        access = access_room_to_post(user, pk)
        data = valid(s.MessageCreateSerializer, request.data)
        attached = access_to_share(user, data["attachments"])
        result = do_send_message(
            tenant=request.tenant,
            author=user,
            room=access.room,
            body=data["body"],
            client_id=data.get("client_id"),
            thread_id=data.get("thread"),
            attachments=attached,
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        # Beside the message: whom it names who is not in the room, and whether the sender may
        # add them (POST /api/rooms/<id>/members/).
        outside = {"not_in_room": result.not_in_room, "can_add_members": result.can_add_members}
        return Response({**result.payload, **outside}, status=code)


class MessageView(APIView):
    @extend_schema(responses={200: s.MessageSerializer, 404: NOT_FOUND}, summary="A message")
    def get(self, request: Request, pk: int) -> Response:
        message, _ = access_message(person(request), pk)
        return Response(fresh(message))

    @extend_schema(
        request=s.MessageUpdateSerializer,
        responses={200: s.MessageSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
        summary="Edit your message",
        description="The author only; the previous text is kept (`GET /api/messages/<id>/edits/`).",
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = person(request)
        message, _ = access_message_to_change(user, pk)
        data = valid(s.MessageUpdateSerializer, request.data)
        edited = do_edit_message(tenant=request.tenant, editor=user, message=message, body=data["body"])
        return Response(fresh(edited))

    @extend_schema(
        responses={200: s.MessageSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        summary="Delete a message",
        description="The author, the room's owners and admins, or the workspace's. The message stays in "
        "its place as `deleted: true` with no text; its edits, reactions and mentions go. Answers the "
        "deleted message.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        message, _ = access_message_to_change(person(request), pk, delete=True)
        return Response(message_payload(do_delete_message(tenant=request.tenant, message=message)))


class MessageEditsView(APIView):
    @extend_schema(
        responses={200: s.EditListSerializer, 404: NOT_FOUND},
        summary="The edit history of a message",
        description="Everyone who can read the message sees what it said before each edit, oldest "
        "first (as Zulip does by default): history that only the author could see would let them "
        "change a message others already answered without anyone being able to tell. A deleted "
        "message has no history.",
    )
    def get(self, request: Request, pk: int) -> Response:
        message, _ = access_message(person(request), pk)
        edits = MessageEdit.objects.filter(message=message).select_related("editor").order_by("id")
        return Response(
            {
                "message": message.pk,
                "current": "" if message.is_deleted else message.body,
                "results": [
                    {"body": edit.body, "edited_at": edit.edited_at, "editor": author_payload(edit.editor)}
                    for edit in edits
                ],
            }
        )


class ReactionsView(APIView):
    @extend_schema(
        request=s.ReactionSerializer,
        responses={
            201: s.MessageSerializer,
            200: OpenApiResponse(s.MessageSerializer, description="You had already reacted with it"),
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        summary="React to a message",
        description="Members of the room, not in archived rooms nor on deleted messages. `emoji` is one "
        "emoji of the set (emojibase-data, skin tones included) or its `:shortcode:`, stored as the "
        "emoji, so 👍 and `:+1:` are one reaction; anything else answers 400 and nothing is stored. "
        "Answers the message with its reactions.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = person(request)
        message, _ = access_message_to_react(user, pk)
        data = valid(s.ReactionSerializer, request.data)
        created = do_add_reaction(tenant=request.tenant, user=user, message=message, emoji=data["emoji"])
        return Response(fresh(message), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=s.ReactionSerializer,
        responses={200: s.MessageSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
        summary="Take back your reaction",
        description="`emoji` in the query string or the JSON body. Answers the message with its reactions.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        user = person(request)
        message, _ = access_message_to_react(user, pk)
        source = request.query_params if "emoji" in request.query_params else request.data
        data = valid(s.ReactionSerializer, source)
        do_remove_reaction(tenant=request.tenant, user=user, message=message, emoji=data["emoji"])
        return Response(fresh(message))


class PreviewView(APIView):
    @extend_schema(
        request=s.PreviewSerializer,
        responses={200: s.PreviewResultSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        summary="Render a message body without sending it",
        description="The composer's preview: the same renderer as sending, so what you see is what is "
        "sent. With `room`, @handles resolve as they would there.",
    )
    def post(self, request: Request) -> Response:
        user = person(request)
        data = valid(s.PreviewSerializer, request.data)
        room_id = data.get("room")
        room = access_room(user, room_id).room if room_id is not None else None
        return Response({"html": render_preview(room, data["body"]).html})
