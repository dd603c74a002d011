"""The rules a draft change must pass before anything is written: shapes, lengths, colours that
people can read (WCAG AA), legal links, and custom CSS that can only restyle the tenant's own
pages. One function for the API and the studio, so both refuse the same things the same way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from branding.colours import parse_hex, to_hex
from branding.custom_css import CustomCssError, clean_custom_css
from branding.palette import ContrastProblem, check_contrast
from branding.values import ASSET_FAMILY, ASSET_KINDS

MAX_LEGAL_LINKS = 5
TEXT_LIMITS = {
    "display_name": 100,
    "login_headline": 120,
    "login_text": 500,
    "email_sender_name": 100,
    "email_footer": 500,
}
# Fields that may hold line breaks (shown as paragraphs); the others are one line.
MULTILINE = frozenset({"login_text", "email_footer"})
EDITABLE = frozenset(
    {
        *TEXT_LIMITS,
        "primary_colour",
        "accent_colour",
        "legal_links",
        "email_reply_to",
        "custom_css",
        "hide_powered_by",
        "assets",
    }
)


class BrandRefused(Exception):
    """A change refused with a sentence for people; `status` is the HTTP answer (400 or 402)."""

    def __init__(self, *, field: str, message: str, code: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code
        self.status = status
        self.extra = extra

    def payload(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code, "field": self.field, **self.extra}


@dataclass(frozen=True)
class LowContrast(Exception):
    """Colours people could not read; refused unless the request accepts them knowingly."""

    problems: list[ContrastProblem] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        first = self.problems[0]
        return {
            "detail": first.message,
            "code": "low_contrast",
            "field": first.field,
            "ratio": first.ratio,
            "required": first.required,
            "suggestion": first.suggestion,
            "problems": [problem_payload(p) for p in self.problems],
        }


def problem_payload(problem: ContrastProblem) -> dict[str, Any]:
    return {
        "field": problem.field,
        "against": problem.against,
        "ratio": problem.ratio,
        "required": problem.required,
        "suggestion": problem.suggestion,
        "detail": problem.message,
    }


@dataclass(frozen=True)
class CheckContext:
    """What the rules need to know beyond the request: the colours already in the draft, which
    asset URLs belong to the tenant, which asset ids exist, and whether the plan lets the tenant
    hide the "Powered by" line."""

    primary_colour: str
    accent_colour: str
    asset_url_allowed: Callable[[str], bool]
    asset_kind_of: Callable[[int], str | None]
    may_hide_powered_by: bool


def check_draft_changes(data: Mapping[str, Any], *, context: CheckContext) -> dict[str, Any]:
    """The cleaned changes (only the fields sent), or BrandRefused / LowContrast."""
    unknown = sorted(set(data) - EDITABLE - {"accept_low_contrast"})
    if unknown:
        raise BrandRefused(field=unknown[0], message=f"“{unknown[0]}” is not a brand setting.", code="unknown_field")
    changes: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        if name in data:
            changes[name] = clean_text(name, data[name], limit=limit, required=name == "display_name")
    for name in ("primary_colour", "accent_colour"):
        if name in data:
            changes[name] = clean_colour(name, data[name])
    if "legal_links" in data:
        changes["legal_links"] = clean_legal_links(data["legal_links"])
    if "email_reply_to" in data:
        changes["email_reply_to"] = clean_reply_to(data["email_reply_to"])
    if "custom_css" in data:
        changes["custom_css"], changes["custom_css_compiled"] = clean_css(data["custom_css"], context)
    if "hide_powered_by" in data:
        changes["hide_powered_by"] = clean_hide_powered_by(data["hide_powered_by"], context)
    if "assets" in data:
        changes.update(clean_asset_choices(data["assets"], context))
    if "primary_colour" in changes or "accent_colour" in changes:
        accept = data.get("accept_low_contrast", False)
        if not isinstance(accept, bool):
            raise BrandRefused(
                field="accept_low_contrast", message="accept_low_contrast is true or false.", code="invalid"
            )
        problems = check_contrast(
            primary=changes.get("primary_colour", context.primary_colour),
            accent=changes.get("accent_colour", context.accent_colour),
        )
        # Only the colours being changed are judged: an earlier, accepted choice stays accepted.
        problems = [p for p in problems if p.field in changes]
        if problems and not accept:
            raise LowContrast(problems)
    return changes


def clean_text(name: str, value: object, *, limit: int, required: bool = False) -> str:
    if not isinstance(value, str):
        raise BrandRefused(field=name, message="Enter text.", code="invalid")
    value = value.strip()
    if required and not value:
        raise BrandRefused(field=name, message="Enter the product's name.", code="required")
    if len(value) > limit:
        raise BrandRefused(field=name, message=f"Use at most {limit} characters.", code="too_long", limit=limit)
    allowed_breaks = "\n" if name in MULTILINE else ""
    for ch in value.replace("\r\n", "\n"):
        if ch not in allowed_breaks and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            raise BrandRefused(
                field=name,
                message="Remove the line breaks and control characters."
                if not allowed_breaks
                else "Remove the control characters.",
                code="invalid",
            )
    return value.replace("\r\n", "\n")


def clean_colour(name: str, value: object) -> str:
    try:
        return to_hex(parse_hex(value)) if isinstance(value, str) else _bad_colour(name)
    except ValueError:
        return _bad_colour(name)


def _bad_colour(name: str) -> str:
    raise BrandRefused(field=name, message="Enter a colour as #rrggbb, for example #4f46e5.", code="invalid_colour")


def clean_legal_links(value: object) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise BrandRefused(field="legal_links", message="Legal links are a list of labels and URLs.", code="invalid")
    if len(value) > MAX_LEGAL_LINKS:
        raise BrandRefused(field="legal_links", message=f"Add at most {MAX_LEGAL_LINKS} legal links.", code="too_many")
    links = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("label"), str) or not isinstance(item.get("url"), str):
            raise BrandRefused(field="legal_links", message="Each legal link has a label and a URL.", code="invalid")
        label, url = item["label"].strip(), item["url"].strip()
        if not label and not url:
            continue  # an empty row of the form
        if not label or len(label) > 40:
            raise BrandRefused(
                field="legal_links", message="Give each link a label of up to 40 characters.", code="invalid"
            )
        parts = urlsplit(url)
        if (
            parts.scheme not in ("https", "http", "mailto")
            or len(url) > 500
            or (parts.scheme != "mailto" and not parts.netloc)
        ):
            raise BrandRefused(
                field="legal_links",
                message=f"“{label}” needs a full web address, such as https://example.com/terms.",
                code="invalid_url",
            )
        links.append({"label": label, "url": url})
    return links


def clean_reply_to(value: object) -> str:
    if not isinstance(value, str):
        raise BrandRefused(field="email_reply_to", message="Enter an e-mail address.", code="invalid")
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise BrandRefused(
                field="email_reply_to", message="Enter a valid e-mail address, or leave it empty.", code="invalid_email"
            ) from None
    return value.lower()


def clean_css(value: object, context: CheckContext) -> tuple[str, str]:
    if not isinstance(value, str):
        raise BrandRefused(field="custom_css", message="Custom CSS is text.", code="invalid")
    try:
        compiled = clean_custom_css(value, asset_url_allowed=context.asset_url_allowed)
    except CustomCssError as exc:
        raise BrandRefused(
            field="custom_css", message=exc.message, code=f"css_{exc.code}", line=exc.line, column=exc.column
        ) from None
    return value.strip(), compiled


def clean_hide_powered_by(value: object, context: CheckContext) -> bool:
    if not isinstance(value, bool):
        raise BrandRefused(field="hide_powered_by", message="hide_powered_by is true or false.", code="invalid")
    if value and not context.may_hide_powered_by:
        raise BrandRefused(
            field="hide_powered_by",
            message="Your plan shows the “Powered by” line. Upgrade to a plan that lets you hide it.",
            code="plan_limit",
            status=402,
            limit="hide_powered_by",
        )
    return value


def clean_asset_choices(value: object, context: CheckContext) -> dict[str, int | None]:
    """`{"logo": null}` removes an image from the draft; `{"logo": <asset id>}` puts back one
    uploaded before (restoring from the history). New images come through the upload."""
    if not isinstance(value, dict):
        raise BrandRefused(field="assets", message="assets maps an image kind to an asset id or null.", code="invalid")
    chosen: dict[str, int | None] = {}
    for kind, asset_id in value.items():
        if kind not in ASSET_KINDS:
            raise BrandRefused(field="assets", message=f"“{kind}” is not a kind of brand image.", code="invalid_kind")
        if asset_id is None:
            chosen[f"{kind}_id"] = None
            continue
        found = (
            context.asset_kind_of(asset_id) if isinstance(asset_id, int) and not isinstance(asset_id, bool) else None
        )
        if found is None or ASSET_FAMILY.get(found) != ASSET_FAMILY[kind]:
            raise BrandRefused(field="assets", message=f"No such {kind.replace('_', ' ')} image.", code="not_found")
        chosen[f"{kind}_id"] = asset_id
    return chosen
