"""Self-serve sign-up that proves the owner's e-mail address before the workspace exists.

`do_start_signup` keeps what the form asked for in a `PendingSignup` (the password as Django's
hash) and mails a link; `do_confirm_signup`, when the link is followed, provisions the workspace
through `do_provision_workspace` like every other way of creating one, and issues a one-time
sign-in handoff: the new owner's browser carries it to the workspace's host, whose session the
platform host cannot set (cookies are host-only), and `do_redeem_handoff` signs them in there.

Every secret is random, mailed or redirected once, and stored only as a SHA-256 digest.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenants.actions import check_new_workspace, do_provision_workspace
from tenants.db import in_public, in_tenant
from tenants.mail import render_platform_email, send_after_commit
from tenants.models import Client, PendingSignup
from tenants.urls_helpers import platform_host, platform_url, tenant_url

# How long the mailed link works; long enough for a message caught in a spam folder overnight.
# The pages say "24 hours" (templates/tenants/signup_sent.html, signup_link_problem.html).
LINK_TTL = timedelta(hours=24)
# How long the browser has to carry the handoff from the platform host to the workspace's:
# one redirect, so seconds would do; a slow phone on a train gets two minutes.
HANDOFF_TTL = timedelta(minutes=2)
TOKEN_MAX_LENGTH = 100


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_start_signup(*, name: str, slug: str, owner_name: str, email: str, password: str) -> PendingSignup:
    """Keep the sign-up and mail its link (after the commit). Raises ValidationError keyed by
    field when the workspace could not be created now (its address taken, say)."""
    email = email.strip().lower()
    check_new_workspace(slug=slug, name=name, owner_email=email)
    token = secrets.token_urlsafe(32)
    with in_public(), transaction.atomic():
        pending = PendingSignup.objects.create(
            name=name.strip(),
            slug=slug,
            owner_name=owner_name.strip(),
            email=email,
            password_hash=make_password(password),
            token_hash=hash_token(token),
            expires_at=timezone.now() + LINK_TTL,
        )
        send_after_commit(
            render_platform_email(
                to=email,
                template="signup_confirm",
                context={
                    "url": platform_url(f"/signup/confirm/{token}/"),
                    "workspace_name": pending.name,
                    "workspace_host": platform_host(slug),
                    "expires_at": pending.expires_at,
                },
            )
        )
    return pending


class Outcome(enum.Enum):
    CREATED = "created"
    USED = "used"  # confirmed before: the workspace exists
    EXPIRED = "expired"
    INVALID = "invalid"  # no such link: mistyped, tampered with, or never sent
    TAKEN = "taken"  # another workspace took the address since the link was mailed


@dataclass(frozen=True)
class Confirmation:
    outcome: Outcome
    pending: PendingSignup | None = None
    client: Client | None = None
    # Where the browser goes next: the workspace's host, carrying the sign-in handoff.
    next_url: str = ""


def find_pending(token: str) -> PendingSignup | None:
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    with in_public():
        return PendingSignup.objects.select_related("client").filter(token_hash=hash_token(token)).first()


def check_pending(pending: PendingSignup | None) -> Confirmation | None:
    """Why this link cannot create a workspace now, or None when it can."""
    if pending is None:
        return Confirmation(Outcome.INVALID)
    if pending.confirmed_at is not None:
        return Confirmation(Outcome.USED, pending=pending, client=pending.client)
    if pending.expires_at <= timezone.now():
        return Confirmation(Outcome.EXPIRED, pending=pending)
    return None


def do_confirm_signup(*, token: str) -> Confirmation:
    """Provision the workspace of the link's sign-up, once. The row is locked for the whole
    provisioning, so a link followed twice at once (two tabs, a mail scanner and a person)
    provisions once: the second waits, then finds it confirmed."""
    if find_pending(token) is None:
        return Confirmation(Outcome.INVALID)
    with in_public(), transaction.atomic():
        pending = PendingSignup.objects.select_for_update().filter(token_hash=hash_token(token)).first()
        refusal = check_pending(pending)
        if refusal is not None:
            return refusal
        assert pending is not None  # checked by check_pending
        try:
            workspace = do_provision_workspace(
                slug=pending.slug,
                name=pending.name,
                owner_email=pending.email,
                owner_password=None,
                owner_name=pending.owner_name,
            )
        except ValidationError:
            # The address went to another workspace meanwhile (the only rule that can change
            # between sign-up and confirmation); nothing of this one was created.
            return Confirmation(Outcome.TAKEN, pending=pending)
        client = workspace.client
        with in_tenant(client):
            # The owner was created without a password (an unusable one); the hash of the one
            # chosen at sign-up becomes theirs. A raw hash cannot go through create_user.
            get_user_model().objects.filter(email__iexact=pending.email).update(password=pending.password_hash)
        handoff = secrets.token_urlsafe(32)
        now = timezone.now()
        pending.confirmed_at = now
        pending.client = client
        pending.password_hash = ""  # nosec B105: the used hash is forgotten, not a password
        pending.handoff_hash = hash_token(handoff)
        pending.handoff_expires_at = now + HANDOFF_TTL
        pending.save(update_fields=["confirmed_at", "client", "password_hash", "handoff_hash", "handoff_expires_at"])
    return Confirmation(
        Outcome.CREATED, pending=pending, client=client, next_url=tenant_url(client, f"/welcome/{handoff}/")
    )


def do_redeem_handoff(*, tenant: Client, token: str) -> str | None:
    """The owner's e-mail if `token` is an unused, unexpired handoff of `tenant`'s sign-up, and
    marks it used (one UPDATE, so two redemptions at once cannot both succeed); else None."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    now = timezone.now()
    with in_public():
        mine = PendingSignup.objects.filter(
            handoff_hash=hash_token(token), client=tenant, handoff_used_at__isnull=True, handoff_expires_at__gt=now
        )
        email = mine.values_list("email", flat=True).first()
        if email is None or mine.update(handoff_used_at=now) != 1:
            return None
    return email


# Sign-ups nobody confirmed are kept this long past their link's expiry (to answer "expired"
# rather than "not valid" to a late click), then removed by `do_prune_pending_signups`.
KEEP_EXPIRED = timedelta(days=7)


def do_prune_pending_signups() -> int:
    """Delete unconfirmed sign-ups long expired (their password hashes with them); confirmed
    ones stay, so a reused link keeps saying "already used". Returns how many went."""
    with in_public():
        stale = PendingSignup.objects.filter(confirmed_at__isnull=True, expires_at__lt=timezone.now() - KEEP_EXPIRED)
        deleted, _ = stale.delete()
    return deleted
