"""Rooms and who is in them: create, rename, archive, join, leave, invite, remove, roles, DMs.

Preconditions for every action: the connection is set to `tenant`'s schema, and the caller has
already checked access through chat.access. Events go out only after the commit (chat.events).
A read-only workspace (config.limits) changes no rooms and no memberships.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from chat import events
from chat.models import Membership, Room
from chat.payloads import author_payload, room_payload
from config import limits
from tenants.models import Client

MAX_DIRECT_MEMBERS = 9


def check_room_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": ["Give the room a name."]}, code="required")
    if len(name) > 80:
        raise ValidationError({"name": ["A room name has at most 80 characters."]}, code="max_length")
    return name


def check_topic(topic: str) -> str:
    topic = " ".join((topic or "").split())
    if len(topic) > 250:
        raise ValidationError({"topic": ["A topic has at most 250 characters."]}, code="max_length")
    return topic


def _slug_for(name: str) -> str:
    return slugify(name)[:70] or "room"


def _announce_room(tenant: Client, room: Room) -> None:
    """`room.updated` to everyone following the room, with when and by whom it was archived."""
    payload = {**room_payload(room), "archived_at": room.archived_at}
    if room.is_archived and room.archived_by is not None:
        payload["archived_by"] = author_payload(room.archived_by)
    events.to_room(tenant.pk, room.pk, {"type": "room.updated", "room": payload})


def _membership_frame(kind: str, room: Room, user: User, by: User | None) -> dict[str, Any]:
    """`room.member_joined` / `room.member_left`: who, how many are in the room now (read inside
    the write's transaction), and who added or removed them when it was someone else."""
    frame: dict[str, Any] = {"type": kind, "room": room.pk, "user": user.pk, "members": room.memberships.count()}
    if by is not None and by.pk != user.pk:
        frame["by"] = author_payload(by)
    return frame


def do_create_room(
    *,
    tenant: Client | None,
    name: str,
    creator: User | None,
    kind: str = Room.Kind.PUBLIC,
    topic: str = "",
    members: Iterable[User] = (),
    is_default: bool = False,
) -> Room:
    """A public or private room; the creator becomes its owner. `tenant` None only while the
    workspace itself is being provisioned (nobody can be connected yet)."""
    if kind not in (Room.Kind.PUBLIC, Room.Kind.PRIVATE):
        raise ValidationError({"kind": ["A room is public or private; use a direct message for people."]})
    name = check_room_name(name)
    topic = check_topic(topic)
    if tenant is not None:
        limits.check_writable(tenant)
    slug = _slug_for(name)
    try:
        with transaction.atomic():
            room = Room.objects.create(
                name=name, slug=slug, kind=kind, topic=topic, created_by=creator, is_default=is_default
            )
            if creator is not None:
                Membership.objects.create(room=room, user=creator, role=Membership.Role.OWNER)
            for user in members:
                if creator is None or user.pk != creator.pk:
                    Membership.objects.get_or_create(room=room, user=user)
                    if tenant is not None:
                        events.room_access_changed(tenant.pk, user.pk, room.pk, granted=True)
    except IntegrityError as exc:
        raise ValidationError({"name": [f"A room named “{name}” already exists."]}, code="unique") from exc
    return room


def do_update_room(*, tenant: Client, room: Room, name: str | None = None, topic: str | None = None) -> Room:
    fields = []
    if name is not None:
        room.name = check_room_name(name)
        fields.append("name")
        if room.kind != Room.Kind.DIRECT:
            room.slug = _slug_for(room.name)
            fields.append("slug")
    if topic is not None:
        room.topic = check_topic(topic)
        fields.append("topic")
    if not fields:
        return room
    limits.check_writable(tenant)
    try:
        with transaction.atomic():
            room.save(update_fields=fields)
            _announce_room(tenant, room)
    except IntegrityError as exc:
        raise ValidationError({"name": [f"A room named “{room.name}” already exists."]}, code="unique") from exc
    return room


def do_set_room_archived(*, tenant: Client, room: Room, archived: bool, by: User | None = None) -> Room:
    """An archived room keeps its history, readable by its members, and takes no new messages.
    `by`: who archived it, kept for the notice that replaces the composer."""
    if room.is_archived == archived:
        return room
    limits.check_writable(tenant)
    room.archived_at = timezone.now() if archived else None
    room.archived_by = by if archived else None
    with transaction.atomic():
        room.save(update_fields=["archived_at", "archived_by"])
        _announce_room(tenant, room)
    return room


def do_join_room(*, tenant: Client, user: User, room: Room) -> Membership:
    """Join a public room (private rooms take an invitation, DMs have fixed members)."""
    if room.kind != Room.Kind.PUBLIC:
        raise ValidationError("Only public rooms can be joined freely.", code="not_public")
    limits.check_writable(tenant)
    return _add_member(tenant, room, user)


def do_add_members(*, tenant: Client, room: Room, users: Iterable[User], by: User | None = None) -> list[Membership]:
    """`by`: who added them, told to them and to the room."""
    if room.kind == Room.Kind.DIRECT:
        raise ValidationError("Direct messages cannot take new members.", code="direct")
    limits.check_writable(tenant)
    with transaction.atomic():
        return [_add_member(tenant, room, user, by=by) for user in users]


def _add_member(
    tenant: Client, room: Room, user: User, role: str = Membership.Role.MEMBER, *, by: User | None = None
) -> Membership:
    if not user.is_active:
        raise ValidationError(f"{user.email} is deactivated.", code="inactive")
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(room=room, user=user, defaults={"role": role})
        if created:
            # A newcomer has nothing unread from before they joined.
            last = room.messages.order_by("-id").values_list("id", flat=True).first()
            if last:
                membership.last_read_id = last
                membership.save(update_fields=["last_read_id"])
            adder = author_payload(by) if by is not None and by.pk != user.pk else None
            events.room_access_changed(tenant.pk, user.pk, room.pk, granted=True, by=adder)
            events.to_room(tenant.pk, room.pk, _membership_frame("room.member_joined", room, user, by))
    return membership


def do_remove_member(*, tenant: Client, room: Room, user: User, by: User | None = None) -> None:
    """Leave, or be removed (`by` someone else). Leaving a private room takes away its history
    too; the person's sockets stop receiving it immediately."""
    if room.kind == Room.Kind.DIRECT:
        raise ValidationError("You cannot leave a direct message.", code="direct")
    limits.check_writable(tenant)
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(room=room, user=user).delete()
        if deleted:
            remover = author_payload(by) if by is not None and by.pk != user.pk else None
            if room.kind != Room.Kind.PUBLIC:
                events.room_access_changed(tenant.pk, user.pk, room.pk, granted=False, by=remover)
            # A public room's reader keeps following it: this frame is how their page learns.
            events.to_room(tenant.pk, room.pk, _membership_frame("room.member_left", room, user, by))


def do_set_member_role(*, tenant: Client, membership: Membership, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError({"role": ["Choose owner, admin or member."]}, code="invalid_role")
    if membership.role == role:
        return membership
    limits.check_writable(tenant)
    membership.role = role
    with transaction.atomic():
        membership.save(update_fields=["role"])
        events.to_room(
            tenant.pk,
            membership.room_id,
            {"type": "room.member_updated", "room": membership.room_id, "user": membership.user_id, "role": role},
        )
    return membership


def do_open_direct(*, tenant: Client, user: User, others: Iterable[User]) -> Room:
    """The direct conversation of exactly these people, created on first use."""
    people = {user.pk: user, **{other.pk: other for other in others}}
    if len(people) < 2:
        raise ValidationError({"users": ["Choose at least one other person."]}, code="too_few")
    if len(people) > MAX_DIRECT_MEMBERS:
        raise ValidationError(
            {"users": [f"A direct message has at most {MAX_DIRECT_MEMBERS} people."]}, code="too_many"
        )
    if any(not person.is_active for person in people.values()):
        raise ValidationError({"users": ["Someone you chose is deactivated."]}, code="inactive")
    key = ",".join(str(pk) for pk in sorted(people))
    existing = Room.objects.filter(direct_key=key).first()
    if existing is not None:
        return existing
    limits.check_writable(tenant)
    names = ", ".join(sorted(person.get_full_name() for person in people.values()))[:80]
    try:
        with transaction.atomic():
            room = Room.objects.create(
                name=names, slug=f"dm.{key.replace(',', '.')}"[:80], kind=Room.Kind.DIRECT, direct_key=key,
                created_by=user,
            )  # fmt: skip
            for person in people.values():
                Membership.objects.create(room=room, user=person)
                events.room_access_changed(tenant.pk, person.pk, room.pk, granted=True)
    except IntegrityError:
        # Both sides opened it at the same moment: use the one that won.
        return Room.objects.get(direct_key=key)
    return room


def do_join_default_rooms(user: User) -> None:
    """New people start in the workspace's default rooms (`general`). Nobody can be connected as
    a person who is only now being created, so there is nothing to announce."""
    for room in Room.objects.filter(is_default=True, archived_at__isnull=True):
        Membership.objects.get_or_create(room=room, user=user)
