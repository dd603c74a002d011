"""`/api/rooms/`, their members, read positions, and `/api/direct/`.

Every room id goes through chat.access: a private room the person is not in answers 404, exactly
like another tenant's room or an id that never existed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from chat.access import (
    RoomAccess,
    access_member_to_change,
    access_room,
    access_room_to_add,
    access_room_to_manage,
)
from chat.actions import (
    do_add_members,
    do_create_room,
    do_join_room,
    do_mark_read,
    do_open_direct,
    do_remove_member,
    do_set_member_role,
    do_set_room_archived,
    do_update_room,
)
from chat.api import serializers as s
from chat.models import Membership, Mention, Room
from chat.payloads import author_payload, handle_of, room_payload
from chat.selectors import room_list, unread_count
from config.api.common import BAD_INPUT, FORBIDDEN, NOT_FOUND, person, valid
from config.api.errors import AccessDenied, NotFound, Refused

LAST_OWNER = OpenApiResponse(description="The room's last owner cannot be removed or demoted (`last_owner`)")


def room_detail(room: Room, membership: Membership | None, user: User) -> dict[str, Any]:
    """A room as its own page shows it: the sidebar's counts, how many are in it, and for a direct
    message who the others are."""
    payload = room_payload(room, membership, unread=unread_count(user, membership) if membership else 0)
    payload["mentions"] = (
        Mention.objects.filter(user=user, room=room, message_id__gt=membership.last_read_id).count()
        if membership
        else 0
    )
    payload["members"] = Membership.objects.filter(room=room).count()
    payload["archived_at"] = room.archived_at
    payload["archived_by"] = author_payload(room.archived_by) if room.archived_by_id else None
    if room.kind == Room.Kind.DIRECT:
        others = Membership.objects.filter(room=room).exclude(user=user).select_related("user").order_by("user_id")
        payload["others"] = [author_payload(m.user) for m in others]
    return payload


def people_by_id(ids: list[int]) -> list[User]:
    """The people these ids name in this tenant; 404 if any is unknown (or another tenant's)."""
    wanted = set(ids)
    people = list(User.objects.filter(pk__in=wanted))
    if len(people) != len(wanted):
        raise NotFound
    return people


class RoomListView(APIView):
    @extend_schema(
        parameters=[s.RoomListQuerySerializer],
        responses={200: s.RoomListSerializer, 400: BAD_INPUT},
        operation_id="rooms_list",
        summary="Your rooms, or the public rooms to join",
        description="Without `browse`: the rooms you belong to (public, private and direct), each with "
        "`unread` (up to 100) and `mentions`; direct messages last and with `others`. With `browse=1`: "
        "every public room that is not archived, with `is_member` and `members`.",
    )
    def get(self, request: Request) -> Response:
        user = person(request)
        query = valid(s.RoomListQuerySerializer, request.query_params)
        if query["browse"]:
            mine = {m.room_id: m for m in Membership.objects.filter(user=user, room__kind=Room.Kind.PUBLIC)}
            rooms = (
                Room.objects.filter(kind=Room.Kind.PUBLIC, archived_at__isnull=True)
                .annotate(member_count=Count("memberships"))
                .order_by("name", "id")
            )
            results = [{**room_payload(room, mine.get(room.pk)), "members": room.member_count} for room in rooms]
            return Response({"results": results})
        entries = room_list(user, include_archived=query["archived"])
        results = []
        for entry in entries:
            payload = room_payload(entry.room, entry.membership, unread=entry.unread)
            payload["mentions"] = entry.mentions
            if entry.room.kind == Room.Kind.DIRECT:
                payload["others"] = [author_payload(other) for other in entry.others]
            results.append(payload)
        return Response({"results": results})

    @extend_schema(
        request=s.RoomCreateSerializer,
        responses={201: s.RoomSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        summary="Create a public or private room",
        description="You become its owner; `members` (user ids) join it at once. A name already taken "
        "is a 400 on `name`. Direct messages are opened with `POST /api/direct/`.",
    )
    def post(self, request: Request) -> Response:
        user = person(request)
        data = valid(s.RoomCreateSerializer, request.data)
        members = people_by_id(data["members"])
        if any(not member.is_active for member in members):
            raise ValidationError({"members": ["Someone you chose is deactivated."]}, code="inactive")
        room = do_create_room(
            tenant=request.tenant,
            name=data["name"],
            creator=user,
            kind=data["kind"],
            topic=data["topic"],
            members=members,
        )
        membership = Membership.objects.get(room=room, user=user)
        return Response(room_detail(room, membership, user), status=status.HTTP_201_CREATED)


class RoomDetailView(APIView):
    @extend_schema(responses={200: s.RoomSerializer, 404: NOT_FOUND}, summary="A room")
    def get(self, request: Request, pk: int) -> Response:
        user = person(request)
        access = access_room(user, pk)
        return Response(room_detail(access.room, access.membership, user))

    @extend_schema(
        request=s.RoomUpdateSerializer,
        responses={200: s.RoomSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
        summary="Rename, change the topic, archive or unarchive a room",
        description="The room's owners and admins, and the workspace's. An archived room is read-only: "
        "its name and topic change only together with `archived: false`.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = person(request)
        access = access_room_to_manage(user, pk)
        changes = valid(s.RoomUpdateSerializer, request.data)
        room = access.room
        archived = changes.get("archived")
        renames = "name" in changes or "topic" in changes
        if renames and room.is_archived and archived is not False:
            raise AccessDenied("This room is archived and read-only.", code="archived")
        with transaction.atomic():
            if archived is False:
                room = do_set_room_archived(tenant=request.tenant, room=room, archived=False, by=user)
            if renames:
                room = do_update_room(
                    tenant=request.tenant, room=room, name=changes.get("name"), topic=changes.get("topic")
                )
            if archived is True:
                room = do_set_room_archived(tenant=request.tenant, room=room, archived=True, by=user)
        return Response(room_detail(room, access.membership, user))


def member_payload(membership: Membership) -> dict[str, Any]:
    user = membership.user
    return {
        "user": author_payload(user),
        "handle": handle_of(user),
        "avatar": reverse("avatar", args=[user.pk]) if user.avatar else None,
        "role": membership.role,
        "joined_at": membership.joined_at,
    }


def person_to_add(user_id: int) -> User:
    """Someone of this workspace to add to a room. An id of another tenant finds nobody here (or
    this tenant's person of that id): the schema holds only this tenant's people."""
    target = User.objects.filter(pk=user_id).first()
    if target is None:
        raise Refused(status.HTTP_404_NOT_FOUND, "There is nobody with that id in this workspace.", "not_found")
    return target


def member_to_change(user: User, pk: int, user_id: int, *, role: str | None = None) -> tuple[Membership, RoomAccess]:
    """chat.access.access_member_to_change, with the last owner's refusal as the conflict it is."""
    try:
        return access_member_to_change(user, pk, user_id, role=role)
    except AccessDenied as exc:
        if exc.code != "last_owner":
            raise
        raise Refused(
            status.HTTP_409_CONFLICT,
            "This is the channel's last owner: make someone else an owner first.",
            "last_owner",
        ) from exc


class MemberListView(APIView):
    @extend_schema(
        parameters=[s.MemberListQuerySerializer],
        responses={200: s.MemberPageSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        operation_id="rooms_members_list",
        summary="The people in a room",
        description="Ordered by user id, in keyset pages: pass `next` as `after` until it is null.",
    )
    def get(self, request: Request, pk: int) -> Response:
        access = access_room(person(request), pk)
        query = valid(s.MemberListQuerySerializer, request.query_params)
        limit = query["limit"]
        members = Membership.objects.filter(room=access.room).select_related("user").order_by("user_id")
        if "after" in query:
            members = members.filter(user_id__gt=query["after"])
        rows = list(members[: limit + 1])
        page = rows[:limit]
        return Response(
            {
                "results": [member_payload(m) for m in page],
                "next": page[-1].user_id if len(rows) > limit else None,
            }
        )

    @extend_schema(
        request=s.MemberAddSerializer,
        responses={
            200: OpenApiResponse(s.MemberSerializer, description="Already a member"),
            201: s.MemberSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        summary="Join a public room, or add someone to a room",
        description="Your own id joins a public room. Any member may add people to a public room; a "
        "private room's owners and admins (and the workspace's) add people to it (403 `not_a_manager` "
        "otherwise). Someone already in the room answers 200 with their membership, an unknown person "
        "(or another workspace's) 404. Direct messages keep their members; not in archived rooms.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = person(request)
        data = valid(s.MemberAddSerializer, request.data)
        target_id = data["user"]
        if target_id == user.pk:
            access = access_room(user, pk)
            if access.membership is not None:
                return Response(member_payload(access.membership))
            if access.room.is_archived:
                raise AccessDenied("This room is archived and read-only.", code="archived")
            membership = do_join_room(tenant=request.tenant, user=user, room=access.room)
            return Response(member_payload(membership), status=status.HTTP_201_CREATED)
        access = access_room_to_add(user, pk)
        target = person_to_add(target_id)
        existing = Membership.objects.filter(room=access.room, user=target).select_related("user").first()
        if existing is not None:
            return Response(member_payload(existing))
        (membership,) = do_add_members(tenant=request.tenant, room=access.room, users=[target], by=user)
        return Response(member_payload(membership), status=status.HTTP_201_CREATED)


class MemberView(APIView):
    @extend_schema(
        request=s.MemberRoleSerializer,
        responses={200: s.MemberSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND, 409: LAST_OWNER},
        summary="Change someone's role in a room",
        description="The room's owners and admins (and the workspace's); only owners make or change "
        "owners, and a room's last owner stays one (409 `last_owner`).",
    )
    def patch(self, request: Request, pk: int, user_id: int) -> Response:
        data = valid(s.MemberRoleSerializer, request.data)
        membership, _ = member_to_change(person(request), pk, user_id, role=data["role"])
        membership = do_set_member_role(tenant=request.tenant, membership=membership, role=data["role"])
        return Response(member_payload(membership))

    @extend_schema(
        responses={204: None, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND, 409: LAST_OWNER},
        summary="Leave a room, or remove someone from it",
        description="Your own id leaves (a private room's history goes with it). Removing someone else "
        "takes the room's owners or admins (owners only for an owner); the last owner is not removed "
        "(409 `last_owner`). Nobody leaves a direct message.",
    )
    def delete(self, request: Request, pk: int, user_id: int) -> Response:
        user = person(request)
        if user_id == user.pk:
            access = access_room(user, pk)
            if access.membership is None:
                raise NotFound
            do_remove_member(tenant=request.tenant, room=access.room, user=user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        membership, access = member_to_change(user, pk, user_id)
        do_remove_member(tenant=request.tenant, room=access.room, user=membership.user, by=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DirectView(APIView):
    @extend_schema(
        request=s.DirectSerializer,
        responses={200: s.RoomSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        summary="Open the direct message with these people",
        description="The conversation of exactly you and `users`, created on first use and the same "
        "room every time after (at most 9 people, all active).",
    )
    def post(self, request: Request) -> Response:
        user = person(request)
        data = valid(s.DirectSerializer, request.data)
        others = people_by_id(data["users"])
        room = do_open_direct(tenant=request.tenant, user=user, others=others)
        return Response(room_detail(room, Membership.objects.get(room=room, user=user), user))


class ReadView(APIView):
    @extend_schema(
        request=s.ReadSerializer,
        responses={200: s.ReadResultSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
        summary="Mark a room read up to a message",
        description="Moves your read position forward to `message` (never back); allowed in archived "
        "rooms too. Answers the stored position and what is still unread.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = person(request)
        access = access_room(user, pk)
        if access.membership is None:
            raise AccessDenied("Join the room to take part in it.", code="not_a_member")
        data = valid(s.ReadSerializer, request.data)
        position = do_mark_read(tenant=request.tenant, user=user, room=access.room, message_id=data["message"])
        membership = Membership.objects.get(pk=access.membership.pk)
        return Response({"room": access.room.pk, "last_read_id": position, "unread": unread_count(user, membership)})
