"""Who may read, write and manage which room: the one place chat access is decided.

Every entry point (REST view, WebSocket frame, page) goes through these helpers, which return the
object or raise. A room the person may not read answers "not found", exactly like a room of
another tenant or an id that never existed, so ids reveal nothing. Precondition everywhere: the
connection is set to the tenant's schema, so only that tenant's rows can be found at all.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from accounts.models import User
from chat.models import Membership, Message, Room
from config import rows
from config.api.errors import AccessDenied, NotFound


@dataclass(frozen=True)
class RoomAccess:
    room: Room
    # None: a public room the person reads without having joined it.
    membership: Membership | None

    @property
    def is_member(self) -> bool:
        return self.membership is not None


def _active(user: User) -> None:
    if not (user.is_authenticated and user.is_active):
        raise AccessDenied("Sign in to chat.", code="not_authenticated")


def access_room(user: User, room_id: int | str) -> RoomAccess:
    """A room the person may read: any public room of the workspace, or a room they belong to."""
    _active(user)
    try:
        room_id = int(room_id)
    except (TypeError, ValueError):
        raise NotFound from None
    # One statement, written out: every socket frame asks this (config.rows).
    row = rows.fetch_one(_room_and_membership_sql(), [user.pk, room_id]) if 0 < room_id < 2**63 else None
    if row is None:
        raise NotFound
    room = rows.instance(Room, row)
    if row[rows.width(Room)] is None:  # the membership's id: no membership
        if room.kind != Room.Kind.PUBLIC:
            raise NotFound
        return RoomAccess(room=room, membership=None)
    membership = rows.instance(Membership, row, rows.width(Room))
    membership.room = room
    return RoomAccess(room=room, membership=membership)


@functools.cache
def _room_and_membership_sql() -> str:
    """The room, and the person's membership of it (all NULL when they have none)."""
    return (
        f"SELECT {rows.columns(Room, 'r')}, {rows.columns(Membership, 'm')} FROM chat_room r "  # noqa: S608  # nosec B608
        "LEFT JOIN chat_membership m ON m.room_id = r.id AND m.user_id = %s WHERE r.id = %s"
    )


def access_room_to_post(user: User, room_id: int | str) -> RoomAccess:
    """A room the person may write in (send, react, mark read): a member, and not archived."""
    access = access_room(user, room_id)
    if access.membership is None:
        raise AccessDenied("Join the room to take part in it.", code="not_a_member")
    if access.room.is_archived:
        raise AccessDenied("This room is archived and read-only.", code="archived")
    return access


def access_room_to_manage(user: User, room_id: int | str) -> RoomAccess:
    """Rename, archive, remove members, change roles: the room's owners and admins, and the
    workspace's owners and admins for any room they can read. Direct messages have no managers."""
    access = access_room(user, room_id)
    if access.room.kind == Room.Kind.DIRECT:
        raise AccessDenied("Direct messages cannot be changed; start a new one instead.", code="direct")
    if user.is_workspace_admin or (access.membership is not None and access.membership.can_manage):
        return access
    raise AccessDenied("Only the room's owners and admins can do that.")


def access_room_to_add(user: User, room_id: int | str) -> RoomAccess:
    """Adding someone else: any member of a public room (they could join it themselves anyway);
    a private room's owners and admins, or the workspace's, since it is private by choice. Not
    a DM (its people are fixed) and not an archived room."""
    access = access_room(user, room_id)
    if access.room.kind == Room.Kind.DIRECT:
        raise AccessDenied("Direct messages cannot be changed; start a new one instead.", code="direct")
    if access.membership is None and not user.is_workspace_admin:
        raise AccessDenied("Only members can add people to this room.", code="not_a_member")
    if access.room.is_archived:
        raise AccessDenied("This room is archived and read-only.", code="archived")
    manages = user.is_workspace_admin or (access.membership is not None and access.membership.can_manage)
    if access.room.kind == Room.Kind.PRIVATE and not manages:
        raise AccessDenied(
            "Only the channel's owners and admins can add people to a private channel.", code="not_a_manager"
        )
    return access


def may_add_people(user: User, room_id: int | str) -> bool:
    """access_room_to_add as a yes or no, for offering the choice (a mention of someone outside)."""
    try:
        access_room_to_add(user, room_id)
    except AccessDenied:
        return False
    return True


def access_message(user: User, message_id: int | str) -> tuple[Message, RoomAccess]:
    """A message in a room the person may read."""
    _active(user)
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        raise NotFound from None
    message = Message.objects.filter(pk=message_id).select_related("author").first()
    if message is None:
        raise NotFound
    return message, access_room(user, message.room_id)


def access_message_to_react(user: User, message_id: int | str) -> tuple[Message, RoomAccess]:
    message, _ = access_message(user, message_id)
    if message.is_deleted:
        raise AccessDenied("This message was deleted.", code="deleted")
    return message, access_room_to_post(user, message.room_id)


def access_message_to_change(user: User, message_id: int | str, *, delete: bool = False) -> tuple[Message, RoomAccess]:
    """Edit: the author only. Delete: the author, the room's managers, or a workspace admin."""
    message, access = access_message(user, message_id)
    if message.is_deleted:
        raise AccessDenied("This message was deleted.", code="deleted")
    if access.room.is_archived:
        raise AccessDenied("This room is archived and read-only.", code="archived")
    if message.author_id == user.pk:
        return message, access
    if delete and (user.is_workspace_admin or (access.membership is not None and access.membership.can_manage)):
        return message, access
    verb = "delete" if delete else "edit"
    raise AccessDenied(f"You can only {verb} your own messages.")


def access_member_to_change(
    user: User, room_id: int | str, member_id: int | str, *, role: str | None = None
) -> tuple[Membership, RoomAccess]:
    """Someone else's membership that `user` may give `role`, or remove (`role` None): the room's
    managers (access_room_to_manage); only the room's owners and the workspace's owners and admins
    make, change or remove an owner; nobody demotes or removes a room's last owner (leaving is
    each person's own choice and is not checked here)."""
    access = access_room_to_manage(user, room_id)
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        raise NotFound from None
    target = Membership.objects.filter(room=access.room, user_id=member_id).select_related("user").first()
    if target is None:
        raise NotFound
    owner = Membership.Role.OWNER
    if target.role == owner or role == owner:
        if not (user.is_workspace_admin or (access.membership is not None and access.membership.role == owner)):
            raise AccessDenied("Only the room's owners can make, change or remove an owner.")
        if (
            target.role == owner
            and role != owner
            and not access.room.memberships.filter(role=owner).exclude(pk=target.pk).exists()
        ):
            raise AccessDenied("The room's last owner stays an owner.", code="last_owner")
    return target, access
