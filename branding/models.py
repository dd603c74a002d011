"""A tenant's look: one `Brand` row per tenant schema, created when the tenant is provisioned."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from tenants.storage import TenantUploadPath

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.")


class Brand(models.Model):
    """Display name, colours and logo that theme every page of the tenant's hosts."""

    display_name = models.CharField(max_length=100)
    primary_colour = models.CharField(max_length=7, validators=[hex_colour], default="#4f46e5")
    accent_colour = models.CharField(max_length=7, validators=[hex_colour], default="#0ea5e9")
    # Stored under the tenant's media prefix; served only through `branding.views.logo`.
    logo = models.FileField(upload_to=TenantUploadPath("branding"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name
