"""Custom CSS cleaned the way the brand tests need it: only the tenant's own asset addresses
allowed, a refusal checked for its reason and its place, and the selectors of what was kept."""

from __future__ import annotations

import re
from typing import Any

import pytest
import tinycss2

from branding.custom_css import CustomCssError, clean_custom_css

ASSET = "/brand/assets/3f2a9c41d7e8b605.png"
_ASSET_RE = re.compile(r"/brand/assets/[0-9a-f]{16}\.(?:png|jpg|webp|svg)")


def own_asset(url: str) -> bool:
    """What the caller allows: the tenant's own uploaded brand assets, nothing else."""
    return bool(_ASSET_RE.fullmatch(url))


def clean(source: str, **kwargs: object) -> str:
    return clean_custom_css(source, asset_url_allowed=own_asset, **kwargs)  # type: ignore[arg-type]


def refusal(source: str, **kwargs: object) -> CustomCssError:
    with pytest.raises(CustomCssError) as caught:
        clean(source, **kwargs)
    error = caught.value
    assert error.message and error.message == str(error)
    assert error.message.startswith(f"Line {error.line}, column {error.column}: ") or error.code == "too_large"
    return error


def selectors_of(css: str) -> list[str]:
    """Every selector of every style rule in `css` (a list `a, b` gives two), inside @media and
    @supports too."""
    found: list[str] = []

    def walk(rules: list[Any]) -> None:
        for rule in rules:
            if rule.type == "qualified-rule":
                selector: list[Any] = []
                for token in [*rule.prelude, None]:
                    if token is None or (token.type == "literal" and token.value == ","):
                        found.append(tinycss2.serialize(selector).strip())
                        selector = []
                    else:
                        selector.append(token)
            elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports"):
                walk(tinycss2.parse_rule_list(rule.content, skip_whitespace=True))

    walk(tinycss2.parse_stylesheet(css, skip_whitespace=True))
    return found
