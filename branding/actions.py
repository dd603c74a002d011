from __future__ import annotations

from branding.models import Brand
from branding.theme import default_colours, forget_theme


def do_create_default_brand(*, display_name: str) -> Brand:
    """The brand a new tenant starts with. Precondition: the connection is in the tenant's schema."""
    primary, accent = default_colours(display_name)
    brand = Brand.objects.create(display_name=display_name, primary_colour=primary, accent_colour=accent)
    forget_theme()
    return brand
