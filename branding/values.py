"""A brand as plain values: what a draft holds and what a published version froze.

The draft is a row (`branding.models.Brand`); each published version keeps these values as JSON
(`BrandVersion.values`), so a version reads the same whatever the draft's columns become later,
and restoring one is copying values back. Assets are referred to by id and content digest: an
asset is immutable and never deleted while a draft or version names it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

# The images a brand is made of; the favicon set is derived from `icon`.
ASSET_KINDS = ("logo", "logo_dark", "icon", "icon_dark", "login_background")
# Images of one family are processed alike (branding.images), so one may stand in for another.
ASSET_FAMILY = {
    "logo": "logo",
    "logo_dark": "logo",
    "icon": "icon",
    "icon_dark": "icon",
    "login_background": "login_background",
}
ASSET_LABELS = {
    "logo": "Wordmark",
    "logo_dark": "Wordmark for dark mode",
    "icon": "Icon",
    "icon_dark": "Icon for dark mode",
    "login_background": "Sign-in background",
}
# The fields a draft edits, in the order people see them, with the label the version history uses.
FIELD_LABELS = {
    "display_name": "product name",
    "primary_colour": "primary colour",
    "accent_colour": "accent colour",
    "assets": "images",
    "login_headline": "sign-in headline",
    "login_text": "sign-in text",
    "legal_links": "legal links",
    "email_sender_name": "e-mail sender",
    "email_reply_to": "reply-to address",
    "email_footer": "e-mail footer",
    "custom_css": "custom CSS",
    "hide_powered_by": "“Powered by” line",
}


@dataclass(frozen=True)
class AssetRef:
    """An uploaded image as a version names it: enough to build its URL without a query."""

    id: int
    digest: str
    extension: str
    content_type: str
    width: int
    height: int

    @property
    def path(self) -> str:
        """The content-hash URL on the tenant's host (cached for a year: it never changes)."""
        return f"/brand/assets/{self.digest}.{self.extension}"


@dataclass(frozen=True)
class LegalLink:
    label: str
    url: str


@dataclass(frozen=True)
class BrandValues:
    display_name: str
    primary_colour: str
    accent_colour: str
    assets: dict[str, AssetRef | None] = field(default_factory=dict)
    login_headline: str = ""
    login_text: str = ""
    legal_links: tuple[LegalLink, ...] = ()
    email_sender_name: str = ""
    email_reply_to: str = ""
    email_footer: str = ""
    # As the tenant wrote it, and as it is served: filtered and scoped (branding.custom_css).
    custom_css: str = ""
    custom_css_compiled: str = ""
    # What the tenant asked for; whether the plan allows it is decided when pages are drawn.
    hide_powered_by: bool = False
    # The favicon set made from `icon`, by size name ("16", "32", "180", "192", "512", "ico").
    favicons: dict[str, AssetRef] = field(default_factory=dict)
    # The wordmark as e-mails carry it (a PNG or JPEG: mail clients show no SVG), if there is one.
    email_logo: AssetRef | None = None

    def asset(self, kind: str) -> AssetRef | None:
        return self.assets.get(kind)

    def with_changes(self, **changes: Any) -> BrandValues:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["legal_links"] = [asdict(link) for link in self.legal_links]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BrandValues:
        """Tolerant of versions written before a field existed: missing fields take defaults."""
        known = {name for name in cls.__dataclass_fields__}
        values = {key: value for key, value in data.items() if key in known}
        values["assets"] = {kind: AssetRef(**ref) if ref else None for kind, ref in (data.get("assets") or {}).items()}
        values["favicons"] = {size: AssetRef(**ref) for size, ref in (data.get("favicons") or {}).items()}
        values["legal_links"] = tuple(LegalLink(**link) for link in data.get("legal_links") or ())
        values["email_logo"] = AssetRef(**data["email_logo"]) if data.get("email_logo") else None
        return cls(**values)


def changed_fields(before: BrandValues | None, after: BrandValues) -> list[str]:
    """The labels of what differs, for the version history ("colours and images changed")."""
    if before is None:
        return []
    old, new = before.to_json(), after.to_json()
    changed = [name for name in FIELD_LABELS if old.get(name) != new.get(name)]
    return [FIELD_LABELS[name] for name in changed]
