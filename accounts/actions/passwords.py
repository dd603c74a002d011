"""Passwords: change (signed in), reset by e-mail link."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from accounts import lockout
from accounts.actions.users import do_revoke_credentials
from accounts.models import User
from accounts.reset import reset_link
from branding.emails import render_branded_email, send_after_commit
from config.ratelimit import consume
from tenants.models import Client
from tenants.urls_helpers import tenant_url


def do_request_password_reset(*, tenant: Client, email: str) -> None:
    """Mail a reset link if an active account with a password has this address.

    Answers the same way whether or not it exists: the caller shows one message, and at most
    ACCOUNT_EMAILS_PER_HOUR mails go to one address, so the form cannot bomb an inbox.
    """
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is not None and user.has_usable_password():
        do_send_password_reset(tenant=tenant, user=user)


def do_send_password_reset(*, tenant: Client, user: User) -> bool:
    """Mail `user` a reset link (after commit); False if the address had its hourly share.
    Also used by platform staff from the admin. Precondition: connection in tenant's schema."""
    if consume(f"reset-mail:{user.email.lower()}", limit=settings.ACCOUNT_EMAILS_PER_HOUR, window_seconds=3600):
        return False
    send_after_commit(
        render_branded_email(
            tenant=tenant,
            to=user.email,
            template="password_reset",
            context={
                "user": user,
                "url": reset_link(tenant, user),
                "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
            },
        )
    )
    return True


def _set_password(tenant: Client, user: User, password: str) -> None:
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        do_revoke_credentials(tenant=tenant, user=user)
        send_after_commit(
            render_branded_email(
                tenant=tenant,
                to=user.email,
                template="password_changed",
                context={"user": user, "reset_url": tenant_url(tenant, "/password/reset/")},
            )
        )


def do_change_password(*, tenant: Client, user: User, password: str) -> None:
    """The signed-in user's new password. Every other session and token ends; the caller keeps
    its own session with `update_session_auth_hash`."""
    _set_password(tenant, user, password)


def do_reset_password(*, tenant: Client, user: User, password: str) -> None:
    """A new password through a reset link: also ends every session and token, and lifts a
    sign-in lock on the account, since the link proved who is asking."""
    _set_password(tenant, user, password)
    lockout.record_success(tenant, email=user.email)
