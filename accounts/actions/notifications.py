"""Writes to a person's notification settings: the profile page's form and the digest's
unsubscribe link. The digest's own bookkeeping (`away_since`, `digest_mailed_through`) is
written by chat.digest, which owns that process."""

from __future__ import annotations

from accounts.models import NotificationSettings, User


def do_update_notification_settings(
    *, user: User, desktop: bool, sound: bool, digest_delay: int | None
) -> NotificationSettings:
    if digest_delay is not None and digest_delay not in NotificationSettings.DigestDelay.values:
        raise ValueError(f"unknown digest delay {digest_delay!r}")
    settings, _ = NotificationSettings.objects.update_or_create(
        user=user, defaults={"desktop": desktop, "sound": sound, "digest_delay": digest_delay}
    )
    return settings


def do_turn_digest_off(*, user: User) -> bool:
    """True when it was on. Saying it twice changes nothing."""
    settings, created = NotificationSettings.objects.get_or_create(user=user, defaults={"digest_delay": None})
    if created:
        return True
    if settings.digest_delay is None:
        return False
    settings.digest_delay = None
    settings.save(update_fields=["digest_delay", "updated_at"])
    return True
