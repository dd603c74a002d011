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
    suspension_reason = models.CharField(max_length=200, blank=True)
    plan = models.ForeignKey("billing.Plan", on_delete=models.PROTECT, related_name="clients")
    # Tenant setting, off by default: anyone may ask for an account from the login page
    # (and gets a verification link by e-mail), limited to `signup_domains` when set.
    open_signup = models.BooleanField(default=False)
    # Comma-separated e-mail domains, e.g. "acme.com, acme.co.uk"; blank allows any.
    signup_domains = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = False
    auto_drop_schema = False

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
    """A host name that resolves to a tenant (or, for the platform host, to the public schema)."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "domain"]

    def __str__(self) -> str:
        return self.domain
