"""The theme a page is drawn with: the tenant's `Brand`, or the platform's own on the public host."""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django_tenants.models import TenantMixin
from django_tenants.utils import get_public_schema_name, schema_context

from branding.models import Brand

CACHE_KEY = "branding:theme:v1"


@dataclass(frozen=True)
class Theme:
    display_name: str
    primary_colour: str
    accent_colour: str
    logo_url: str
    text_on_primary: str


def default_colours(name: str) -> tuple[str, str]:
    """Two colours derived from the name, so every new tenant starts with a distinct look."""
    hue = int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) / 0xFFFF
    primary = colorsys.hls_to_rgb(hue, 0.38, 0.65)
    accent = colorsys.hls_to_rgb((hue + 0.08) % 1, 0.48, 0.7)
    return to_hex(primary), to_hex(accent)


def to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in rgb)


def readable_text_colour(background: str) -> str:
    red, green, blue = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#111827" if luminance > 0.6 else "#ffffff"


def platform_theme() -> Theme:
    name = settings.PLATFORM_NAME
    return Theme(name, "#4f46e5", "#0ea5e9", "", "#ffffff")


def theme_from_brand(brand: Brand) -> Theme:
    return Theme(
        display_name=brand.display_name,
        primary_colour=brand.primary_colour,
        accent_colour=brand.accent_colour,
        logo_url="/branding/logo/" if brand.logo else "",
        text_on_primary=readable_text_colour(brand.primary_colour),
    )


def theme_for(tenant: TenantMixin | None) -> Theme:
    """The theme of `tenant`'s pages; the platform's own for the public schema or no tenant.

    The tenant is passed in, not read from the connection: error pages are rendered on
    threads whose connection may still be on another schema. Cached per tenant (cache keys
    carry the schema they are made in).
    """
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return platform_theme()
    with schema_context(tenant.schema_name):
        theme = cache.get(CACHE_KEY)
        if theme is None:
            brand = Brand.objects.order_by("pk").first()
            if brand is None:
                name = str(getattr(tenant, "name", "") or tenant.schema_name)
                primary, accent = default_colours(name)
                theme = Theme(name, primary, accent, "", readable_text_colour(primary))
            else:
                theme = theme_from_brand(brand)
            cache.set(CACHE_KEY, theme, 300)
    return theme


def forget_theme() -> None:
    """Call after a Brand changes, inside that tenant's schema."""
    cache.delete(CACHE_KEY)
