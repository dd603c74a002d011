"""The studio's live preview: the real sign-in page, chat app and invitation e-mail, drawn with
values that are not saved yet.

The studio posts what the form holds; the values are cleaned by the same rules as a save, but
leniently (a field that does not pass keeps the draft's value, and colours that fail contrast
are shown anyway, so people see why they fail), kept in the cache under a random token for the
person who made them, and the preview pages draw with them. Nothing here writes to the brand.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest

from accounts.models import User
from branding.models import Brand
from branding.selectors import draft_values
from branding.theme import Theme, theme_from_values
from branding.validation import BrandRefused, CheckContext, LowContrast, check_draft_changes
from branding.values import BrandValues, LegalLink
from config.cache import cache

TOKEN_SECONDS = 60 * 60
# The theme a preview page is drawn with; the context processor prefers it over the published one.
REQUEST_ATTRIBUTE = "brand_preview_theme"


def preview_values(data: Mapping[str, Any], *, brand: Brand, context: CheckContext) -> BrandValues:
    """The draft with every field of `data` that passes the rules applied, one field at a time."""
    values = draft_values(brand)
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name == "assets":
            continue  # images change through uploads, which save at once
        try:
            changes.update(check_draft_changes({name: value, "accept_low_contrast": True}, context=context))
        except (BrandRefused, LowContrast):
            continue
    if "legal_links" in changes:
        changes["legal_links"] = tuple(LegalLink(**link) for link in changes["legal_links"])
    fields = {name: value for name, value in changes.items() if name in BrandValues.__dataclass_fields__}
    return values.with_changes(**fields)


def store_preview(*, user: User, values: BrandValues) -> str:
    token = secrets.token_urlsafe(18)
    cache.set(f"branding:preview:{token}", {"user": user.pk, "values": values.to_json()}, TOKEN_SECONDS)
    return token


def preview_theme(*, user: User, token: str) -> Theme | None:
    """The theme stored under `token`, for the person who stored it only."""
    stored = cache.get(f"branding:preview:{token}")
    if not stored or stored.get("user") != user.pk:
        return None
    return theme_from_values(BrandValues.from_json(stored["values"]))


def with_preview_theme(request: HttpRequest, theme: Theme) -> HttpRequest:
    setattr(request, REQUEST_ATTRIBUTE, theme)
    return request


def previewed_theme(request: HttpRequest, default: Callable[[], Theme]) -> Theme:
    theme = getattr(request, REQUEST_ATTRIBUTE, None)
    return theme if isinstance(theme, Theme) else default()
