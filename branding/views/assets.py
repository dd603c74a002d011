"""A tenant's brand images, favicon and web app manifest, served from its own host.

Brand images are for anyone who reaches the tenant's host (the sign-in page shows the logo to
people not yet signed in), so they are the one kind of tenant file served without a signed-in
person: the tenant is still checked, as the asset is looked up in the Host's schema only.
Content-hash URLs never change, so they are cached for a year.
"""

from __future__ import annotations

import json

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from branding.images import process_brand_image
from branding.renditions import favicons_by_size, letter_icon
from branding.selectors import asset_by_digest
from branding.theme import FAVICON_SIZES, Theme, letter_icon_key, letter_of, theme_for
from config.cache import cache
from config.files import private_file

A_YEAR = "public, max-age=31536000, immutable"
# Names that do not change with the content: short, so a new brand shows soon.
AN_HOUR = "public, max-age=3600"


@require_safe
def asset(request: HttpRequest, digest: str, extension: str) -> FileResponse:
    found = asset_by_digest(digest)
    if found is None or found.extension != extension:
        raise Http404("No such image.")
    return private_file(found.file, missing="No such image.", content_type=found.content_type, cache_control=A_YEAR)


@require_safe
def letter_icon_png(request: HttpRequest, key: str, size: str) -> HttpResponse:
    """The icon of a workspace that has not uploaded one: its first letter on its colour."""
    theme = theme_for(request.tenant)  # type: ignore[attr-defined]
    if size not in FAVICON_SIZES or key != letter_icon_key(theme.display_name, theme.primary_colour):
        raise Http404("No such icon.")
    return image_response(letter_icon_renditions(theme)[size], "image/png", A_YEAR)


@require_safe
def favicon(request: HttpRequest) -> HttpResponseBase:
    theme = theme_for(request.tenant)  # type: ignore[attr-defined]
    ico = theme.favicon_urls.get("ico", "")
    if ico.startswith("/brand/assets/"):
        found = asset_by_digest(ico.removeprefix("/brand/assets/").partition(".")[0])
        if found is not None:
            return private_file(found.file, missing="No icon.", content_type=found.content_type, cache_control=AN_HOUR)
    return image_response(letter_icon_renditions(theme)["ico"], "image/x-icon", AN_HOUR)


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest, so the workspace installs to a home screen under its own name."""
    theme = theme_for(request.tenant)  # type: ignore[attr-defined]
    icons = [
        {"src": theme.favicon_urls[size], "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in ("192", "512")
        if size in theme.favicon_urls
    ]
    body = {
        "name": theme.display_name,
        "short_name": theme.short_name,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": theme.primary_colour,
        "background_color": "#ffffff",
        "icons": icons,
    }
    response = HttpResponse(json.dumps(body), content_type="application/manifest+json")
    response["Cache-Control"] = AN_HOUR
    return response


def letter_icon_renditions(theme: Theme) -> dict[str, bytes]:
    """The letter icon at every favicon size, made once per letter and colour (cached)."""
    key = f"branding:letter-icon:{letter_icon_key(theme.display_name, theme.primary_colour)}"
    renditions: dict[str, bytes] | None = cache.get(key)
    if renditions is None:
        source = letter_icon(
            letter=letter_of(theme.display_name), background=theme.primary_colour, foreground=theme.text_on_primary
        )
        icon = process_brand_image(source, kind="icon")
        renditions = {name: rendition.content for name, rendition in favicons_by_size(icon).items()}
        cache.set(key, renditions, 24 * 60 * 60)
    return renditions


def image_response(content: bytes, content_type: str, cache_control: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response
