"""Plans and their limits, in the public schema. Stripe objects live in dj-stripe's tables."""

from __future__ import annotations

from django.db import models


class Plan(models.Model):
    """What a tenant pays for and what it may use. `code` is stable; names may change."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    # None means unlimited.
    max_users = models.PositiveIntegerField(null=True, blank=True)
    max_storage_mb = models.PositiveIntegerField(null=True, blank=True)
    max_upload_mb = models.PositiveIntegerField(default=25)
    monthly_price_cents = models.PositiveIntegerField(default=0)
    # White-label: the tenant may hide the platform's "Powered by" line (read through
    # billing.entitlements, never directly).
    can_hide_powered_by = models.BooleanField(default=False)
    is_default = models.BooleanField(default=False, help_text="Plan given to new workspaces.")

    class Meta:
        ordering = ["monthly_price_cents", "name"]

    def __str__(self) -> str:
        return self.name
