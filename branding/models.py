"""A tenant's look, in its own schema: the draft owners and admins edit, the numbered versions
they published (the newest themes every page), and the images both are made of."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Model
from django.utils import timezone

from tenants.db import current_schema

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.")


def asset_path(instance: Model, filename: str) -> str:
    """`tenants/<schema>/branding/<digest>.<ext>`: the tenant's prefix (rule 7), and a name that
    is the content's own, so a stored asset is never overwritten by a different image.
    Precondition: the connection is in the tenant's schema."""
    asset = instance
    return f"tenants/{current_schema()}/branding/{asset.digest}.{asset.extension}"  # type: ignore[attr-defined]


class BrandAsset(models.Model):
    """An image of the brand, decoded and re-encoded before it was stored (branding.images), or a
    rendition made from one (the favicon set of an icon). Immutable and named by the digest of
    its content: its URL never changes, so browsers may cache it for a year. Never deleted while
    a draft or a version names it (versions name assets by id in their values)."""

    class Kind(models.TextChoices):
        LOGO = "logo", "Wordmark"
        LOGO_DARK = "logo_dark", "Wordmark for dark mode"
        ICON = "icon", "Icon"
        ICON_DARK = "icon_dark", "Icon for dark mode"
        LOGIN_BACKGROUND = "login_background", "Sign-in background"
        RENDITION = "rendition", "Rendition"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    # sha256 of `file`'s content, hex. Not unique: a rendition can come out byte for byte like
    # another image; both rows then name the same stored file.
    digest = models.CharField(max_length=64, db_index=True)
    file = models.FileField(upload_to=asset_path, max_length=200)
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=8)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    # For renditions: the image they were made from, and which one they are ("32", "ico"...).
    source = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="renditions")
    rendition = models.CharField(max_length=8, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "rendition"],
                condition=models.Q(source__isnull=False),
                name="branding_asset_one_rendition_each",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}"


class Brand(models.Model):
    """The draft: what owners and admins are editing in the brand studio. One row per tenant
    schema, created with the tenant. Pages never read it; they read the newest `BrandVersion`."""

    display_name = models.CharField(max_length=100)
    primary_colour = models.CharField(max_length=7, validators=[hex_colour], default="#4f46e5")
    accent_colour = models.CharField(max_length=7, validators=[hex_colour], default="#0ea5e9")
    logo = models.ForeignKey(BrandAsset, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    logo_dark = models.ForeignKey(BrandAsset, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    icon = models.ForeignKey(BrandAsset, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    icon_dark = models.ForeignKey(BrandAsset, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    login_background = models.ForeignKey(BrandAsset, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    login_headline = models.CharField(max_length=120, blank=True)
    login_text = models.CharField(max_length=500, blank=True)
    # [{"label": "Terms", "url": "https://..."}], checked by branding.validation.
    legal_links = models.JSONField(default=list, blank=True)
    email_sender_name = models.CharField(max_length=100, blank=True)
    email_reply_to = models.EmailField(blank=True)
    email_footer = models.CharField(max_length=500, blank=True)
    # As written, and as served (filtered and scoped when saved: branding.custom_css).
    custom_css = models.TextField(blank=True)
    custom_css_compiled = models.TextField(blank=True)
    hide_powered_by = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.display_name


class BrandVersion(models.Model):
    """A published brand: numbered 1, 2, 3... per tenant; the highest number is what every
    page, error page, e-mail and the manifest show. `values` is `BrandValues.to_json()`."""

    number = models.PositiveIntegerField(unique=True)
    values = models.JSONField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    # The labels of what changed against the version before ("primary colour", "images").
    changes = models.JSONField(default=list, blank=True)
    # Set when this version brought an older one back.
    restored_from = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"version {self.number}"
