"""The theme a page, an error page or an e-mail is drawn with: the tenant's newest published
brand version, or the platform's own look on the public host.

Pages never read the draft. A theme is built from `BrandValues` (a version's, or a draft's for
the studio's preview) and cached per schema until the next publish.
"""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django_tenants.utils import get_public_schema_name

from branding.colours import text_on
from branding.palette import css_variables, expand_palette
from branding.values import BrandValues, LegalLink
from config.cache import cache
from tenants.db import in_tenant
from tenants.models import Client

CACHE_KEY = "branding:theme:v4"
CACHE_SECONDS = 24 * 60 * 60
# Favicon sizes in the set made from the icon (branding.renditions.favicon_set), and "ico".
FAVICON_SIZES = ("16", "32", "180", "192", "512")


@dataclass(frozen=True)
class Theme:
    """Everything templates need of a brand. URLs are paths on the tenant's own host."""

    display_name: str
    primary_colour: str
    accent_colour: str
    text_on_primary: str
    # The primary as the dark scheme draws it (lightened when it would not show on dark).
    primary_colour_dark: str
    # CSS custom properties for light and dark, built from validated colours only.
    palette_css: str
    version: int = 0
    logo_url: str = ""
    logo_dark_url: str = ""
    icon_url: str = ""
    icon_dark_url: str = ""
    login_background_url: str = ""
    # The wordmark e-mails carry (a PNG or JPEG), or "".
    email_logo_url: str = ""
    # The wordmark that reads on the brand colour (the top bar), or "" to show icon and name.
    logo_on_primary_url: str = ""
    # By size ("16" ... "512") and "ico"; a workspace without an icon gets its letter icon.
    favicon_urls: dict[str, str] = field(default_factory=dict)
    login_headline: str = ""
    login_text: str = ""
    legal_links: tuple[LegalLink, ...] = ()
    email_sender_name: str = ""
    email_reply_to: str = ""
    email_footer: str = ""
    # Filtered and scoped when it was saved (branding.custom_css): safe to inline.
    custom_css: str = ""
    # What the tenant asked for; `show_powered_by` in templates also weighs the plan.
    hide_powered_by: bool = False
    is_platform: bool = False

    @property
    def sender_name(self) -> str:
        return self.email_sender_name or self.display_name

    @property
    def short_name(self) -> str:
        """For the home screen (the manifest): a few words, cut at a word where possible."""
        name = self.display_name
        if len(name) <= 12:
            return name
        return name[:12].rsplit(" ", 1)[0] or name[:12]


def default_colours(name: str) -> tuple[str, str]:
    """Two colours derived from the name, so every new tenant starts with a distinct look that
    passes the contrast checks (dark enough for white text and to be seen on white)."""
    hue = int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) / 0xFFFF
    primary = colorsys.hls_to_rgb(hue, 0.36, 0.65)
    accent = colorsys.hls_to_rgb((hue + 0.08) % 1, 0.36, 0.7)
    return to_hex(primary), to_hex(accent)


def to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in rgb)


def letter_icon_key(theme_name: str, primary: str) -> str:
    """Names the letter icon of a workspace without one: changes when its letter or colour does."""
    return hashlib.sha256(f"{letter_of(theme_name)}|{primary}".encode()).hexdigest()[:16]


def letter_of(name: str) -> str:
    return (name.strip()[:1] or "?").upper()


def theme_from_values(values: BrandValues, *, version: int = 0, is_platform: bool = False) -> Theme:
    palette = expand_palette(primary=values.primary_colour, accent=values.accent_colour)
    assets = {kind: ref.path if ref else "" for kind, ref in values.assets.items()}
    on_primary = text_on(values.primary_colour)
    # White text on the colour means a dark colour: the wordmark made for dark backgrounds fits.
    logo_on_primary = assets.get("logo_dark", "") if on_primary == "#ffffff" else assets.get("logo", "")
    if is_platform:
        favicons: dict[str, str] = {}  # the platform host serves no brand icons
    elif values.favicons:
        favicons = {size: ref.path for size, ref in values.favicons.items()}
    else:
        key = letter_icon_key(values.display_name, values.primary_colour)
        favicons = {size: f"/brand/letter-icon/{key}/{size}.png" for size in FAVICON_SIZES}
        favicons["ico"] = "/favicon.ico"
    return Theme(
        display_name=values.display_name,
        primary_colour=values.primary_colour,
        accent_colour=values.accent_colour,
        text_on_primary=on_primary,
        primary_colour_dark=palette.dark["brand-primary"],
        palette_css=css_variables(palette),
        version=version,
        logo_url=assets.get("logo", ""),
        logo_dark_url=assets.get("logo_dark", ""),
        icon_url=assets.get("icon", ""),
        icon_dark_url=assets.get("icon_dark", ""),
        login_background_url=assets.get("login_background", ""),
        logo_on_primary_url=logo_on_primary,
        email_logo_url=values.email_logo.path if values.email_logo else "",
        favicon_urls=favicons,
        login_headline=values.login_headline,
        login_text=values.login_text,
        legal_links=values.legal_links,
        email_sender_name=values.email_sender_name,
        email_reply_to=values.email_reply_to,
        email_footer=values.email_footer,
        custom_css=values.custom_css_compiled,
        hide_powered_by=values.hide_powered_by,
        is_platform=is_platform,
    )


def platform_theme() -> Theme:
    values = BrandValues(display_name=settings.PLATFORM_NAME, primary_colour="#4f46e5", accent_colour="#0ea5e9")
    return theme_from_values(values, is_platform=True)


def theme_for(tenant: Client | None) -> Theme:
    """The theme of `tenant`'s pages; the platform's own for the public schema or no tenant.

    The tenant is passed in, not read from the connection: error pages are rendered on
    threads whose connection may still be on another schema. Cached per tenant (cache keys
    carry the schema they are made in) until `forget_theme`.
    """
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return platform_theme()
    with in_tenant(tenant):
        theme: Theme | None = cache.get(CACHE_KEY)
        if theme is None:
            theme = _published_theme(tenant)
            cache.set(CACHE_KEY, theme, CACHE_SECONDS)
    return theme


def _published_theme(tenant: Client) -> Theme:
    from branding.selectors import published_version

    version = published_version()
    if version is None:  # a schema mid-provisioning; never shown once the tenant exists
        name = str(getattr(tenant, "name", "") or tenant.schema_name)
        primary, accent = default_colours(name)
        return theme_from_values(BrandValues(display_name=name, primary_colour=primary, accent_colour=accent))
    return theme_from_values(BrandValues.from_json(version.values), version=version.number)


def forget_theme() -> None:
    """Call after a brand version is published, inside that tenant's schema."""
    cache.delete(CACHE_KEY)
