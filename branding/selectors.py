"""Reads of the brand. Precondition everywhere: the connection is in the tenant's schema."""

from __future__ import annotations

from dataclasses import dataclass

from branding.models import Brand, BrandAsset, BrandVersion
from branding.values import ASSET_KINDS, AssetRef, BrandValues, LegalLink

VERSIONS_PAGE = 20


def draft() -> Brand:
    """The tenant's draft; provisioning creates it, so it always exists."""
    return Brand.objects.select_related(*ASSET_KINDS).order_by("pk")[:1].get()


def published_version() -> BrandVersion | None:
    return BrandVersion.objects.order_by("-number").first()


def asset_ref(asset: BrandAsset) -> AssetRef:
    return AssetRef(
        id=asset.pk,
        digest=asset.digest,
        extension=asset.extension,
        content_type=asset.content_type,
        width=asset.width,
        height=asset.height,
    )


def favicon_refs(icon: BrandAsset | None) -> dict[str, AssetRef]:
    if icon is None:
        return {}
    return {rendition.rendition: asset_ref(rendition) for rendition in icon.renditions.all()}


# What mail clients show; anything else needs the PNG rendition made at upload.
EMAIL_SAFE_TYPES = frozenset({"image/png", "image/jpeg"})


def email_logo_ref(logo: BrandAsset | None) -> AssetRef | None:
    if logo is None:
        return None
    if logo.content_type in EMAIL_SAFE_TYPES:
        return asset_ref(logo)
    rendition = logo.renditions.filter(rendition="email").first()
    return asset_ref(rendition) if rendition else None


def draft_values(brand: Brand) -> BrandValues:
    """The draft as values: what a publish would freeze, and what the preview draws."""
    assets = {kind: asset_ref(asset) if (asset := getattr(brand, kind)) else None for kind in ASSET_KINDS}
    return BrandValues(
        display_name=brand.display_name,
        primary_colour=brand.primary_colour,
        accent_colour=brand.accent_colour,
        assets=assets,
        login_headline=brand.login_headline,
        login_text=brand.login_text,
        legal_links=tuple(LegalLink(label=link["label"], url=link["url"]) for link in brand.legal_links or ()),
        email_sender_name=brand.email_sender_name,
        email_reply_to=brand.email_reply_to,
        email_footer=brand.email_footer,
        custom_css=brand.custom_css,
        custom_css_compiled=brand.custom_css_compiled,
        hide_powered_by=brand.hide_powered_by,
        favicons=favicon_refs(brand.icon),
        email_logo=email_logo_ref(brand.logo),
    )


def asset_by_digest(digest: str) -> BrandAsset | None:
    return BrandAsset.objects.filter(digest=digest).first()


def asset_path_exists(path: str) -> bool:
    """Whether `path` is the content-hash URL of one of this tenant's assets (custom CSS may
    point at those and nothing else)."""
    prefix = "/brand/assets/"
    if not path.startswith(prefix):
        return False
    digest, _, extension = path.removeprefix(prefix).partition(".")
    if len(digest) != 64 or not digest.isalnum():
        return False
    return BrandAsset.objects.filter(digest=digest, extension=extension).exists()


@dataclass(frozen=True)
class VersionsPage:
    versions: list[BrandVersion]
    # Pass as `before` for the next (older) page; None on the last.
    next_before: int | None


def versions_page(*, before: int | None = None, limit: int = VERSIONS_PAGE) -> VersionsPage:
    """Newest first, keyset-paged by version number."""
    rows = BrandVersion.objects.select_related("published_by").order_by("-number")
    if before is not None:
        rows = rows.filter(number__lt=before)
    versions = list(rows[: limit + 1])
    more = len(versions) > limit
    versions = versions[:limit]
    return VersionsPage(versions=versions, next_before=versions[-1].number if more and versions else None)


def version_by_number(number: int) -> BrandVersion | None:
    return BrandVersion.objects.filter(number=number).first()
