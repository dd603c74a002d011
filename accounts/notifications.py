"""A person's notification settings as read by pages and tasks, and the signed token of the
digest e-mail's unsubscribe link.

The token is `django.core.signing` over the tenant's id and the person's id, with a salt of its
own: it works without signing in, only for what it names, and only on its tenant's host (the
view compares the tenant of the request with the one signed in the token, since user ids repeat
across schemas). It does not expire: an old digest's link still turns the digest off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing

from accounts.models import NotificationSettings, User
from tenants.models import Client

_SALT = "accounts.notifications.unsubscribe"


def notification_settings_for(user: User) -> NotificationSettings:
    """The stored settings, or the defaults (unsaved) for someone who never changed them."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found if found is not None else NotificationSettings(user=user)


def client_config(user: User) -> dict[str, Any]:
    """What the chat page needs (its json config): whether to notify and to play the sound."""
    settings = notification_settings_for(user)
    return {"desktop": settings.desktop, "sound": settings.sound}


def unsubscribe_token(*, tenant: Client, user: User) -> str:
    return signing.dumps({"t": tenant.pk, "u": user.pk}, salt=_SALT, compress=True)


class BadToken(Exception):
    """Not a token this product signed (edited, truncated, of another purpose)."""


@dataclass(frozen=True)
class Unsubscribe:
    tenant_id: int
    user_id: int


def read_unsubscribe_token(token: str) -> Unsubscribe:
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise BadToken from None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int) or not isinstance(data.get("u"), int):
        raise BadToken
    return Unsubscribe(tenant_id=data["t"], user_id=data["u"])
