"""People: creation, profile, role, deactivation, and revoking everything they were issued."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django_tenants.utils import get_public_schema_name

from accounts.access import check_can_assign, check_can_manage, require_people_manager
from accounts.events import announce_revocation
from accounts.models import User
from accounts.tokens import revoke_refresh_tokens
from config import limits
from config.api.errors import AccessDenied
from tenants.db import current_schema
from tenants.models import Client


def do_create_user(
    *, email: str, password: str | None, name: str = "", role: str = User.Role.MEMBER, time_zone: str = "UTC"
) -> User:
    """Add a person to the schema the connection is set to (a tenant, or public for staff). In a
    tenant they start as a member of its default rooms. `time_zone` is theirs until they choose
    (people joining a workspace start in the workspace's)."""
    with transaction.atomic():
        user = User.objects.create_user(email, password, name=name.strip(), role=role, time_zone=time_zone)
        if current_schema() != get_public_schema_name():
            # Imported here: chat builds on accounts, not the other way round.
            from chat.actions import do_join_default_rooms

            do_join_default_rooms(user)
    return user


def do_create_staff_user(*, email: str, password: str, name: str = "") -> User:
    """A platform staff account; only meaningful in the public schema."""
    return User.objects.create_superuser(email, password, name=name.strip())


def do_update_profile(
    *, user: User, name: str, time_zone: str, avatar: ContentFile[bytes] | None = None, remove_avatar: bool = False
) -> User:
    """`avatar` is an already decoded and re-encoded image (see accounts.avatars)."""
    user.name = name.strip()
    user.time_zone = time_zone
    user.full_clean(validate_unique=False, exclude=["password", "avatar"])
    old_avatar = user.avatar.name if user.avatar else ""
    fields = ["name", "time_zone"]
    if avatar is not None:
        user.avatar.save(avatar.name or "avatar.png", avatar, save=False)
        fields.append("avatar")
    elif remove_avatar and old_avatar:
        user.avatar = ""
        fields.append("avatar")
    user.save(update_fields=fields)
    if old_avatar and "avatar" in fields:
        storage = user.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar))
    return user


def _lock_for_change(actor: User, user: User) -> tuple[User, User, list[int]]:
    """Lock every active owner row, then the target's, and re-read both people.

    Owners are locked first and in id order, so two changes that could together leave the
    tenant without an owner queue behind each other instead of deadlocking; the actor is
    re-read because a change that committed meanwhile may have taken their rights away.
    Precondition: inside a transaction.
    """
    owners = list(
        User.objects.select_for_update()
        .filter(role=User.Role.OWNER, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    target = User.objects.select_for_update().get(pk=user.pk)
    return User.objects.get(pk=actor.pk), target, owners


def _check_not_last_owner(user: User, owners: list[int]) -> None:
    if user.role == User.Role.OWNER and user.is_active and owners == [user.pk]:
        raise AccessDenied("This is the workspace's last owner. Make someone else an owner first.", code="last_owner")


def _check_manage(actor: User, user: User) -> None:
    if actor.pk != user.pk:
        check_can_manage(actor, user)
    else:
        require_people_manager(actor)


def do_change_role(*, actor: User, user: User, role: str) -> User:
    """Owners and admins may also change their own role (an owner stepping down)."""
    check_can_assign(actor, role)
    _check_manage(actor, user)
    with transaction.atomic():
        actor, user, owners = _lock_for_change(actor, user)
        check_can_assign(actor, role)
        _check_manage(actor, user)
        if user.role == role:
            return user
        _check_not_last_owner(user, owners)
        user.role = role
        user.save(update_fields=["role"])
    return user


def do_revoke_credentials(*, tenant: Client, user: User) -> None:
    """End every session and token `user` holds: sessions and access tokens check the epoch on
    every request, refresh tokens are blacklisted, live sockets are told to close."""
    User.objects.filter(pk=user.pk).update(auth_epoch=F("auth_epoch") + 1)
    user.refresh_from_db(fields=["auth_epoch"])
    revoke_refresh_tokens(user)
    transaction.on_commit(lambda: announce_revocation(tenant, user.pk))


def do_deactivate_user(*, tenant: Client, actor: User, user: User) -> User:
    if actor.pk == user.pk:
        raise AccessDenied("You cannot deactivate yourself. Ask another owner or admin.", code="self")
    check_can_manage(actor, user)
    with transaction.atomic():
        actor, user, owners = _lock_for_change(actor, user)
        check_can_manage(actor, user)
        if not user.is_active:
            return user
        _check_not_last_owner(user, owners)
        user.is_active = False
        user.save(update_fields=["is_active"])
        limits.release(tenant, "seats")
        do_revoke_credentials(tenant=tenant, user=user)
    return user


def do_reactivate_user(*, tenant: Client, actor: User, user: User) -> User:
    """Takes a seat again (PlanLimitReached when the plan has none left)."""
    check_can_manage(actor, user)
    if user.is_active:
        return user
    if User.objects.filter(email__iexact=user.email, is_active=True).exclude(pk=user.pk).exists():
        raise ValidationError("Another active account uses this e-mail address.")
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
        if updated:
            limits.reserve(tenant, "seats")
    user.is_active = True
    return user
