"""Invitations, and open sign-up, which is an invitation a person sends themselves.

The link carries a random secret; only its SHA-256 is stored, in the inviting tenant's schema.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.access import check_can_assign
from accounts.actions.seats import check_seat_to_invite, check_seat_to_join
from accounts.actions.users import do_create_user
from accounts.models import Invitation, User
from branding.emails import render_branded_email, send_after_commit
from config import limits
from config.api.errors import AccessDenied
from config.ratelimit import consume
from tenants.models import Client
from tenants.urls_helpers import tenant_url


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_invitation(token: str) -> Invitation | None:
    """The usable (pending, unexpired) invitation behind a link's secret, in this schema."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.usable().filter(token_hash=hash_token(token)).first()


def _issue(invitation: Invitation, *, tenant: Client, inviter: User | None) -> None:
    """Give `invitation` a new secret and expiry, save it and mail the link (after commit)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = hash_token(token)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=settings.INVITATION_TTL_DAYS)
    invitation.save()
    template = "invitation" if invitation.invited_by_id else "signup"
    send_after_commit(
        render_branded_email(
            tenant=tenant,
            to=invitation.email,
            template=template,
            context={
                "url": tenant_url(tenant, f"/invite/{token}/"),
                "inviter_name": inviter.get_full_name() if inviter else "",
                "role_label": User.Role(invitation.role).label,
                "expires_at": invitation.expires_at,
            },
            reply_to=inviter.email if inviter else None,
        )
    )


def _check_resend_allowed(invitation: Invitation) -> None:
    bucket = f"invitation-mail:{invitation.email.lower()}"
    if consume(bucket, limit=settings.ACCOUNT_EMAILS_PER_HOUR, window_seconds=3600) is not None:
        raise ValidationError("This address was sent too many e-mails in the last hour. Try again later.")


def do_invite(*, tenant: Client, actor: User, email: str, role: str) -> Invitation:
    """Invite `email` with `role`; inviting an address with a pending invitation resends it."""
    check_can_assign(actor, role)
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if existing.is_active:
            raise ValidationError({"email": ["This person is already a member of the workspace."]})
        raise ValidationError({"email": ["This person's account is deactivated; reactivate it instead."]})
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().pending().filter(email__iexact=email).first()
        if invitation is None or invitation.invited_by_id is None:
            # A new promise of a seat (a person's invitation replaces an uncounted sign-up link).
            check_seat_to_invite(tenant)
        else:
            limits.check_writable(tenant)
        if invitation is not None:
            if invitation.role != role:
                check_can_assign(actor, invitation.role)
            _check_resend_allowed(invitation)
            invitation.role = role
            invitation.invited_by = actor
            invitation.send_count += 1
        else:
            invitation = Invitation(email=email, role=role, invited_by=actor)
        try:
            with transaction.atomic():
                _issue(invitation, tenant=tenant, inviter=actor)
        except IntegrityError as exc:
            # Another admin invited the same address a moment ago.
            raise ValidationError({"email": ["This address was just invited by someone else."]}) from exc
    return invitation


def _check_pending(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation was already accepted.")
    if invitation.revoked_at is not None:
        raise ValidationError("This invitation was revoked.")


def do_resend_invitation(*, tenant: Client, actor: User, invitation: Invitation) -> Invitation:
    """A fresh link and expiry; the previous link stops working."""
    check_can_assign(actor, invitation.role)
    limits.check_writable(tenant)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _check_pending(invitation)
        _check_resend_allowed(invitation)
        invitation.send_count += 1
        _issue(invitation, tenant=tenant, inviter=actor)
    return invitation


def do_revoke_invitation(*, actor: User, invitation: Invitation) -> Invitation:
    check_can_assign(actor, invitation.role)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _check_pending(invitation)
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def do_accept_invitation(*, tenant: Client, token: str, name: str, password: str) -> User:
    """Create the invitee's account from a usable link, exactly once, taking a seat of the plan
    (PlanLimitReached when none is left, ReadOnlyWorkspace when the workspace is read-only)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().usable().filter(token_hash=hash_token(token)).first()
            if token and len(token) <= 100
            else None
        )
        if invitation is None:
            raise AccessDenied("This invitation link is invalid, expired or already used.", code="invalid_invitation")
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError("An account with this e-mail address already exists. Sign in instead.")
        try:
            password_validation.validate_password(password, User(email=invitation.email, name=name))
        except ValidationError as exc:
            # Keyed to the field, so forms show it under the password and the API under `password`.
            raise ValidationError({"password": exc.error_list}) from exc
        limits.reserve(tenant, "seats")
        user = do_create_user(
            email=invitation.email, password=password, name=name, role=invitation.role, time_zone=tenant.time_zone
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user


def do_request_signup(*, tenant: Client, email: str) -> None:
    """Open sign-up: mail a link that proves the address (or, for an existing account, a note
    saying so). The caller answers the same way in every case, revealing no accounts."""
    if not tenant.allows_signup_from(email):
        raise ValidationError({"email": ["Sign-up is not open to this e-mail address."]})
    # The same answer for everyone, so it reveals no accounts: a full or read-only workspace
    # mails no links that could not be used.
    check_seat_to_join(tenant)
    email = email.strip().lower()
    if consume(f"signup-mail:{email}", limit=settings.ACCOUNT_EMAILS_PER_HOUR, window_seconds=3600) is not None:
        return
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        send_after_commit(
            render_branded_email(
                tenant=tenant,
                to=user.email,
                template="account_exists",
                context={
                    "login_url": tenant_url(tenant, "/login/"),
                    "reset_url": tenant_url(tenant, "/password/reset/"),
                },
            )
        )
        return
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().pending().filter(email__iexact=email).first()
        if invitation is None:
            invitation = Invitation(email=email, role=User.Role.MEMBER)
        else:
            invitation.send_count += 1
        try:
            with transaction.atomic():
                _issue(invitation, tenant=tenant, inviter=invitation.invited_by)
        except IntegrityError:
            return  # a concurrent request for the same address already sent a link
