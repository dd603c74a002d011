"""People. The table exists in the public schema (platform staff) and in every tenant schema
(that tenant's people), so user ids repeat across tenants and never identify one on their own."""

from __future__ import annotations

import zoneinfo
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tenants.storage import TenantUploadPath


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone from the list.", code="invalid_time_zone")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address; `role` applies inside their tenant."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    # Stored lowercased by the manager; unique ignoring case by the constraint below.
    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    # Django admin access; only meaningful for platform staff in the public schema.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # An account a program speaks through (an integration), counted apart from people in
    # analytics. db_default too, for rows inserted with raw SQL.
    is_bot = models.BooleanField(default=False, db_default=False)
    # Served only through `accounts.views.profile.avatar`, to signed-in people of the same tenant.
    avatar = models.ImageField(upload_to=TenantUploadPath("avatars"), blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    # Bumped to revoke everything issued before: it is part of every session's auth hash and
    # every token's claims, so deactivation or a password reset ends them all at once.
    auth_epoch = models.PositiveIntegerField(default=0)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django compares this with the copy in the session on every request; covering the
        # epoch as well as the password ends every session when either changes.
        return salted_hmac(
            "accounts.User.session_auth_hash", f"{self.password}:{self.auth_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()

    @property
    def is_workspace_admin(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def usable(self) -> InvitationQuerySet:
        return self.pending().filter(expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An e-mailed link that lets one person join this tenant with a role, once, before it expires.

    Only a SHA-256 of the link's secret is stored, and the row lives in the inviting tenant's
    schema, so a link opened on any other host finds nothing. Open sign-up uses the same
    mechanism with no inviter: the link proves the address before an account exists.
    """

    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=16, choices=User.Role.choices, default=User.Role.MEMBER)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one live invitation per address: inviting again resends it.
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="accounts_invitation_one_pending_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "pending"


class NotificationSettings(models.Model):
    """How one person hears of mentions and direct messages: in the browser (a notification, a
    sound) and by a batched e-mail of what they missed while away. A person without a row has
    the defaults; rows are made when first saved or first needed by the digest.

    The digest's bookkeeping sits here too: `away_since` is when the digest task first saw the
    person offline (chat.presence keeps only who is online now), and `digest_mailed_through`
    the newest message id already mailed. Message ids grow within a tenant, so no message is
    ever mailed twice.
    """

    class DigestDelay(models.IntegerChoices):
        TEN_MINUTES = 10, "After 10 minutes away"
        ONE_HOUR = 60, "After 1 hour away"
        ONE_DAY = 24 * 60, "After 1 day away"

    DEFAULT_DIGEST_DELAY = DigestDelay.ONE_HOUR

    user = models.OneToOneField(User, primary_key=True, on_delete=models.CASCADE, related_name="notification_settings")
    desktop = models.BooleanField(default=True)
    sound = models.BooleanField(default=True)
    # Minutes away before the digest goes out; null: no digest.
    digest_delay = models.PositiveIntegerField(
        null=True, blank=True, choices=DigestDelay.choices, default=DEFAULT_DIGEST_DELAY
    )
    away_since = models.DateTimeField(null=True, blank=True)
    digest_mailed_through = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"notifications of {self.user_id}"
