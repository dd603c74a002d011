"""Tenants live in the public schema: one `Client` per company, reached through its `Domain`s."""

from __future__ import annotations

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Client(TenantMixin):
    """A company renting the platform. Its people and data live in the schema `schema_name`.

    Schemas are created by `tenants.provisioning` from the template schema, never by
    django-tenants' own save() hook (which would run every migration for each tenant).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    name = models.CharField(max_length=100)
    # The first label of the workspace's platform host: `<slug>.<PLATFORM_DOMAIN>`.
    slug = models.SlugField(max_length=40, unique=True)
    # Billing contact; dj-stripe requires its subscriber model to have `email`.
    email = models.EmailField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    # Why staff suspended it, as they typed it on the admin's confirmation page; cleared on
    # reactivation (the `SuspensionRecord` rows keep the history).
    suspension_reason = models.CharField(max_length=500, blank=True)
    # Tenant setting, off by default: anyone may ask for an account from the login page
    # (and gets a verification link by e-mail), limited to `signup_domains` when set.
    open_signup = models.BooleanField(default=False)
    # Comma-separated e-mail domains, e.g. "acme.com, acme.co.uk"; blank allows any.
    signup_domains = models.CharField(max_length=500, blank=True)
    # The workspace's home zone (IANA name), set by its owners on the workspace settings page.
    time_zone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = False
    auto_drop_schema = False
    # Set per request by tenants.middleware.TenantHostMiddleware: whether the request's host is
    # the tenant's primary one (so the redirect to the primary costs no query when it is).
    host_is_primary: bool | None = None

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def signup_domain_list(self) -> list[str]:
        return [part.strip().lower().lstrip("@") for part in self.signup_domains.split(",") if part.strip()]

    def allows_signup_from(self, email: str) -> bool:
        if not self.open_signup:
            return False
        domains = self.signup_domain_list
        return not domains or email.rsplit("@", 1)[-1].lower() in domains


class Domain(DomainMixin):
    """A host name that resolves to a tenant (or, for the platform host, to the public schema).

    A tenant's rows are its platform subdomain (from provisioning, never removed) and one per
    verified `CustomDomain`; exactly one of them is primary, the host every other one
    redirects to and every absolute link names.
    """

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(is_primary=True), name="tenants_domain_one_primary"
            )
        ]

    def __str__(self) -> str:
        return self.domain


class CustomDomain(models.Model):
    """A tenant's claim on a host name of its own, and where proving it stands.

    Only a verified claim has a `Domain` row, created and deleted in the same transaction as the
    status change (`tenants.domains.actions`), so a name nobody has proved routes nowhere. The
    TXT record `<DOMAINS_CHALLENGE_LABEL>.<domain>` holding `token` is the proof: several
    tenants may claim one name while pending, the first to verify takes it, and the others'
    claims fail. Removed claims are kept for the record; the name can be claimed again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        VERIFIED = "verified", "Verified"
        FAILED = "failed", "Failed"
        REMOVED = "removed", "Removed"

    tenant = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="custom_domains")
    # The IDNA A-label form, lowercase, without a trailing dot (tenants.domains.names).
    domain = models.CharField(max_length=253)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(max_length=64)
    # A registrable domain (acme.com) takes A/AAAA records; anything below it a CNAME.
    is_apex = models.BooleanField(default=False)
    checked_at = models.DateTimeField(null=True, blank=True)
    # When the sweeper should check next; None: only on request ("check now").
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    # A verified domain whose DNS stopped pointing here, since when; it stops routing after
    # DOMAINS_GRACE_HOURS unless it recovers.
    failing_since = models.DateTimeField(null=True, blank=True)
    # Checks since the last success (or since the claim was made): the backoff's exponent.
    attempts = models.PositiveIntegerField(default=0)
    problem = models.CharField(max_length=1000, blank=True)
    problem_code = models.CharField(max_length=40, blank=True)
    # Every problem of the last check, [{"code", "detail"}]; `problem` joins their sentences.
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.EmailField(blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["domain", "pk"]
        indexes = [models.Index(fields=["domain"], name="tenants_customdomain_domain")]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"], condition=models.Q(status="verified"), name="tenants_customdomain_one_verified"
            ),
            models.UniqueConstraint(
                fields=["tenant", "domain"],
                condition=~models.Q(status="removed"),
                name="tenants_customdomain_one_live_per_tenant",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "verified", "failed", "removed"]),
                name="tenants_customdomain_status",
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def is_live(self) -> bool:
        return self.status != self.Status.REMOVED


class SuspensionRecord(models.Model):
    """One suspension or reactivation of a client by platform staff, kept after the client's
    own `suspension_reason` is cleared: the history shown on the admin's change page."""

    class Action(models.TextChoices):
        SUSPENDED = "suspended", "Suspended"
        REACTIVATED = "reactivated", "Reactivated"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="suspension_records")
    action = models.CharField(max_length=16, choices=Action.choices)
    reason = models.CharField(max_length=500, blank=True)
    # The staff member's e-mail as it was then (staff accounts may be removed later).
    by = models.CharField(max_length=254, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class PendingSignup(models.Model):
    """A self-serve sign-up waiting for its owner to follow the e-mailed link: nothing of the
    workspace exists until then (`tenants.signups`).

    Only SHA-256 digests of the link's secret and of the sign-in handoff's secret are stored.
    The password is kept as Django's hash, never in clear, and emptied once the workspace exists.
    A pending sign-up reserves nothing: whoever confirms first gets the address.
    """

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=40)
    owner_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(max_length=254)
    password_hash = models.CharField(max_length=128, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The one-time secret that signs the new owner in on the workspace's host, which cannot
    # read the platform host's session (cookies are host-only).
    handoff_hash = models.CharField(max_length=64, blank=True)
    handoff_expires_at = models.DateTimeField(null=True, blank=True)
    handoff_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["handoff_hash"], name="tenants_signup_handoff", condition=~models.Q(handoff_hash=""))
        ]

    def __str__(self) -> str:
        return f"{self.slug} ({self.email})"
