"""Every write to a brand: the default one a tenant starts with, draft edits, images, publishing
and restoring. Preconditions for all: the connection is in `tenant`'s schema, and the caller
has checked that `actor` may change the brand (accounts.access.require_workspace_admin).

A publish freezes the draft into the next numbered version in one transaction, under the
draft's row lock, so two publishes at once get two numbers and neither is lost; pages see the
new version once it is committed (the theme cache is cleared on commit).

A read-only workspace (config.limits) keeps its brand as it is: people change nothing, while the
platform's own writes (`actor` None: provisioning, restores by staff tools) still go through.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import User
from branding.images import ProcessedImage
from branding.models import Brand, BrandAsset, BrandVersion
from branding.oklch import nearest_passing
from branding.palette import check_contrast
from branding.renditions import Rendition, email_logo, favicons_by_size
from branding.selectors import draft_values, published_version, version_by_number
from branding.theme import default_colours, forget_theme
from branding.values import ASSET_KINDS, BrandValues, changed_fields
from config import limits
from tenants.db import in_tenant
from tenants.models import Client

logger = logging.getLogger(__name__)


class NothingToPublish(ValidationError):
    """The draft is what is already published."""


def _check_writable(tenant: Client, actor: User | None) -> None:
    if actor is not None:
        limits.check_writable(tenant)


def do_create_default_brand(*, display_name: str) -> Brand:
    """The brand a new tenant starts with: a draft and its version 1."""
    primary, accent = passing_default_colours(display_name)
    brand = Brand.objects.create(display_name=display_name, primary_colour=primary, accent_colour=accent)
    BrandVersion.objects.create(number=1, values=draft_values(brand).to_json())
    forget_theme()
    return brand


def passing_default_colours(name: str) -> tuple[str, str]:
    primary, accent = default_colours(name)
    for problem in check_contrast(primary=primary, accent=accent):
        if problem.field == "primary_colour":
            primary = nearest_passing(primary)
        else:
            accent = nearest_passing(accent)
    return primary, accent


def do_update_draft(*, tenant: Client, actor: User | None, changes: dict[str, Any]) -> Brand:
    """`changes` comes from branding.validation.check_draft_changes (already cleaned)."""
    _check_writable(tenant, actor)
    with transaction.atomic():
        brand = Brand.objects.select_for_update().order_by("pk")[:1].get()
        for name, value in changes.items():
            setattr(brand, name, value)
        brand.updated_by = actor
        brand.save(update_fields=[*changes, "updated_by", "updated_at"])
    return brand


def do_add_brand_image(*, tenant: Client, actor: User, kind: str, image: ProcessedImage) -> BrandAsset:
    """Store an image (once per content) and put it in the draft as `kind`. An icon also gets
    its favicon set, and a wordmark mail clients cannot show (SVG, WebP) a PNG for e-mails, made
    now so that pages and e-mails never wait for them."""
    if kind not in ASSET_KINDS:
        raise ValidationError({"kind": [f"“{kind}” is not a kind of brand image."]}, code="invalid_kind")
    _check_writable(tenant, actor)
    stored: list[BrandAsset] = []
    try:
        with transaction.atomic():
            asset = _stored_asset(actor=actor, kind=kind, content=image, stored=stored)
            if kind in ("icon", "icon_dark") and not asset.renditions.exists():
                for name, rendition in favicons_by_size(image).items():
                    _stored_asset(
                        actor=actor, kind="rendition", content=rendition, source=asset, name=name, stored=stored
                    )
            if kind == "logo" and not asset.renditions.exists() and (png := email_logo(image)) is not None:
                _stored_asset(actor=actor, kind="rendition", content=png, source=asset, name="email", stored=stored)
            brand = Brand.objects.select_for_update().order_by("pk")[:1].get()
            setattr(brand, kind, asset)
            brand.updated_by = actor
            brand.save(update_fields=[kind, "updated_by", "updated_at"])
    except BaseException:
        # The rows rolled back: remove the files stored for them, unless another row holds one.
        for orphan in stored:
            if not BrandAsset.objects.filter(digest=orphan.digest).exists():
                orphan.file.delete(save=False)
        raise
    return asset


def _stored_asset(
    *,
    actor: User,
    kind: str,
    content: ProcessedImage | Rendition,
    stored: list[BrandAsset],
    source: BrandAsset | None = None,
    name: str = "",
) -> BrandAsset:
    existing = BrandAsset.objects.filter(digest=content.sha256, source=source, rendition=name).first()
    if existing is not None:
        return existing
    extension = content.extension if isinstance(content, ProcessedImage) else _extension(content.content_type)
    asset = BrandAsset(
        kind=kind,
        digest=content.sha256,
        content_type=content.content_type,
        extension=extension,
        width=content.width,
        height=content.height,
        size=len(content.content),
        source=source,
        rendition=name,
        uploaded_by=actor,
    )
    twin = BrandAsset.objects.filter(digest=content.sha256).first()
    if twin is not None:
        asset.file.name = twin.file.name  # the same bytes are stored already
    else:
        asset.file.save("", ContentFile(content.content), save=False)
        stored.append(asset)
    asset.save()
    return asset


def _extension(content_type: str) -> str:
    return {"image/png": "png", "image/x-icon": "ico", "image/vnd.microsoft.icon": "ico"}.get(content_type, "bin")


def do_publish_brand(*, tenant: Client, actor: User | None, restored_from: int | None = None) -> BrandVersion:
    """Freeze the draft as the next version; every page shows it once this commits."""
    _check_writable(tenant, actor)
    with transaction.atomic():
        brand = Brand.objects.select_for_update().order_by("pk")[:1].get()
        brand = Brand.objects.select_related(*ASSET_KINDS).get(pk=brand.pk)
        values = draft_values(brand)
        previous = published_version()
        before = BrandValues.from_json(previous.values) if previous else None
        changes = changed_fields(before, values)
        if before is not None and not changes and restored_from is None:
            raise NothingToPublish(
                f"The draft is the same as the published brand (version {previous.number if previous else 0}).",
                code="unchanged",
            )
        version = BrandVersion.objects.create(
            number=(previous.number if previous else 0) + 1,
            values=values.to_json(),
            published_by=actor,
            changes=changes,
            restored_from=restored_from,
        )
        transaction.on_commit(lambda: _forget_theme_of(tenant))
    logger.info("published brand version %s in %s", version.number, tenant.schema_name)
    return version


def _forget_theme_of(tenant: Client) -> None:
    with in_tenant(tenant):
        forget_theme()


def do_restore_brand_version(*, tenant: Client, actor: User | None, number: int, publish: bool = False) -> Brand:
    """Make version `number` the draft again; with `publish`, also publish it as a new version
    (the history keeps every version; restoring never rewrites one)."""
    _check_writable(tenant, actor)
    version = version_by_number(number)
    if version is None:
        raise BrandVersion.DoesNotExist(f"no version {number}")
    values = BrandValues.from_json(version.values)
    with transaction.atomic():
        brand = Brand.objects.select_for_update().order_by("pk")[:1].get()
        existing = set(
            BrandAsset.objects.filter(pk__in=[ref.id for ref in values.assets.values() if ref]).values_list(
                "pk", flat=True
            )
        )
        for kind in ASSET_KINDS:
            ref = values.asset(kind)
            setattr(brand, f"{kind}_id", ref.id if ref and ref.id in existing else None)
        brand.display_name = values.display_name
        brand.primary_colour = values.primary_colour
        brand.accent_colour = values.accent_colour
        brand.login_headline = values.login_headline
        brand.login_text = values.login_text
        brand.legal_links = [{"label": link.label, "url": link.url} for link in values.legal_links]
        brand.email_sender_name = values.email_sender_name
        brand.email_reply_to = values.email_reply_to
        brand.email_footer = values.email_footer
        brand.custom_css = values.custom_css
        brand.custom_css_compiled = values.custom_css_compiled
        brand.hide_powered_by = values.hide_powered_by
        brand.updated_by = actor
        brand.save()
        if publish:
            do_publish_brand(tenant=tenant, actor=actor, restored_from=number)
    return brand
