"""How a brand appears in the API: the published one, the draft, a version of the history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounts.payloads import author_payload
from branding.hooks import may_hide_powered_by
from branding.models import Brand, BrandVersion
from branding.palette import expand_palette
from branding.selectors import draft, draft_values, published_version
from branding.values import ASSET_KINDS, AssetRef, BrandValues
from tenants.models import Client
from tenants.urls_helpers import tenant_url

# A path on the tenant's host -> its absolute URL on the tenant's primary domain (rule 8).
UrlFor = Callable[[str], str]


def _asset_url(ref: AssetRef | None, url_for: UrlFor) -> str | None:
    return url_for(ref.path) if ref else None


def values_payload(values: BrandValues, *, url_for: UrlFor) -> dict[str, Any]:
    """The fields a brand has, whether published or draft (CONTRACT.md, "White-label")."""
    palette = expand_palette(primary=values.primary_colour, accent=values.accent_colour)
    assets: dict[str, str | None] = {kind: _asset_url(values.asset(kind), url_for) for kind in ASSET_KINDS}
    assets["favicon"] = _asset_url(values.favicons.get("ico"), url_for)
    return {
        "display_name": values.display_name,
        "primary_colour": values.primary_colour,
        "accent_colour": values.accent_colour,
        "palette": {"light": palette.light, "dark": palette.dark},
        "login_headline": values.login_headline,
        "login_text": values.login_text,
        "email_sender_name": values.email_sender_name,
        "email_reply_to": values.email_reply_to,
        "email_footer": values.email_footer,
        "custom_css": values.custom_css,
        "legal_links": [{"label": link.label, "url": link.url} for link in values.legal_links],
        "assets": assets,
    }


def published_payload(version: BrandVersion, *, url_for: UrlFor, show_powered_by: bool) -> dict[str, Any]:
    values = BrandValues.from_json(version.values)
    return {
        "version": version.number,
        "published_at": version.published_at,
        **values_payload(values, url_for=url_for),
        "show_powered_by": show_powered_by,
    }


def draft_payload(
    brand: Brand, values: BrandValues, *, url_for: UrlFor, published: BrandVersion | None, may_hide_powered_by: bool
) -> dict[str, Any]:
    images = {
        kind: {
            "id": ref.id,
            "url": url_for(ref.path),
            "width": ref.width,
            "height": ref.height,
            "content_type": ref.content_type,
        }
        if (ref := values.asset(kind))
        else None
        for kind in ASSET_KINDS
    }
    published_values = BrandValues.from_json(published.values) if published else None
    return {
        **values_payload(values, url_for=url_for),
        "images": images,
        "hide_powered_by": values.hide_powered_by,
        "may_hide_powered_by": may_hide_powered_by,
        "updated_at": brand.updated_at,
        "updated_by": author_payload(brand.updated_by),
        "published_version": published.number if published else None,
        # Whether publishing would change anything people see.
        "unpublished_changes": published_values is None or published_values.to_json() != values.to_json(),
    }


def version_payload(version: BrandVersion, *, url_for: UrlFor) -> dict[str, Any]:
    values = BrandValues.from_json(version.values)
    return {
        "version": version.number,
        "published_at": version.published_at,
        "published_by": author_payload(version.published_by),
        "changes": version.changes,
        "restored_from": version.restored_from,
        "display_name": values.display_name,
        "primary_colour": values.primary_colour,
        "accent_colour": values.accent_colour,
        "logo": _asset_url(values.asset("logo"), url_for),
        "icon": _asset_url(values.asset("icon"), url_for),
    }


def url_builder(tenant: Client) -> UrlFor:
    origin = tenant_url(tenant, "")
    return lambda path: origin + path


def current_draft_payload(tenant: Client) -> dict[str, Any]:
    """The draft as the API and the studio page show it. Precondition: in `tenant`'s schema."""
    brand = draft()
    return draft_payload(
        brand,
        draft_values(brand),
        url_for=url_builder(tenant),
        published=published_version(),
        may_hide_powered_by=may_hide_powered_by(tenant),
    )
