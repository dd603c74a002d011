"""The brand's two colours checked when a brand is saved, and the palette every page is drawn with.

A brand is saved only when its two colours can be read and seen on the page (`check_contrast`);
each refusal comes with the nearest colour that passes (branding.oklch). `expand_palette` turns
the two colours into the CSS custom properties of the light and the dark scheme. Every value it
produces is a `#rrggbb` literal, so `css_variables` can be inlined into a page without escaping
anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from branding.colours import (
    DARK_SURFACE,
    LIGHT_SURFACE,
    LIGHT_TEXT,
    NON_TEXT_CONTRAST,
    TEXT_CONTRAST,
    contrast_ratio,
    normalise,
    shown_ratio,
    text_on,
)
from branding.oklch import from_oklch, nearest_lightness, nearest_passing, oklch, shift_lightness

# How far (in OKLCH lightness) a hover state moves from its colour.
HOVER_STEP = 0.06
# The muted (`tint`) and the selected (`tint-strong`) backgrounds: the primary's hue at a fixed
# lightness step from the surface, with its chroma capped, so every brand's washes weigh the same
# and text on them stays as readable as on the surface itself.
TINT = (0.03, 0.03)  # (lightness step, chroma cap)
TINT_STRONG = (0.07, 0.06)
DARK_TINT = (0.05, 0.04)
DARK_TINT_STRONG = (0.10, 0.07)

_CSS_HEX_RE = re.compile(r"#[0-9a-f]{6}")
_CSS_NAME_RE = re.compile(r"[a-z][a-z0-9-]*")

FIELD_LABELS = {"primary_colour": "primary colour", "accent_colour": "accent colour"}
PALETTE_KEYS = (
    "brand-primary",
    "brand-primary-hover",
    "brand-on-primary",
    "brand-accent",
    "brand-accent-hover",
    "brand-on-accent",
    "brand-ink",
    "brand-tint",
    "brand-tint-strong",
    "brand-focus",
)


# ---------------------------------------------------------------------------------------------
# Checks when a brand is saved
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContrastProblem:
    """One failed check of a brand colour. `against` is what it was measured against (its label
    colour, or the page surface); `ratio` is shown rounded down to 2 decimals; `suggestion` is the
    nearest colour that passes every check of that field."""

    field: str
    against: str
    ratio: float
    required: float
    message: str
    suggestion: str


def check_contrast(*, primary: str, accent: str) -> list[ContrastProblem]:
    """Every WCAG AA failure of the two brand colours on the light page: its label text (4.5:1,
    button labels and the top bar) and its own visibility on white (3:1, buttons, focus rings,
    selected states). Empty when the brand may be saved.

    In practice a colour fails at most one of the two: one on which neither label reaches 4.5:1 has
    a luminance between about 0.18 and 0.23, which still stands out on white by more than 3:1."""
    problems: list[ContrastProblem] = []
    for field, colour in (("primary_colour", primary), ("accent_colour", accent)):
        colour = normalise(colour)
        failures: list[tuple[str, float, float]] = []
        label = text_on(colour)
        if (ratio := contrast_ratio(colour, label)) < TEXT_CONTRAST:
            failures.append((label, ratio, TEXT_CONTRAST))
        if (ratio := contrast_ratio(colour, LIGHT_SURFACE)) < NON_TEXT_CONTRAST:
            failures.append((LIGHT_SURFACE, ratio, NON_TEXT_CONTRAST))
        if not failures:
            continue
        suggestion = nearest_passing(colour)
        for against, ratio, required in failures:
            problems.append(
                ContrastProblem(
                    field=field,
                    against=against,
                    ratio=shown_ratio(ratio),
                    required=required,
                    message=_message(field, colour, against, shown_ratio(ratio), required, suggestion),
                    suggestion=suggestion,
                )
            )
    return problems


def _message(field: str, colour: str, against: str, ratio: float, required: float, suggestion: str) -> str:
    name = FIELD_LABELS[field]
    nearest = f"The nearest colour that passes is {suggestion}."
    if required == NON_TEXT_CONTRAST:
        return (
            f"The {name} {colour} on white has a contrast of {ratio:.2f}:1; buttons and focus rings need at "
            f"least {required:g}:1 to be seen. {nearest}"
        )
    text = "White" if against == LIGHT_TEXT else "Dark"
    return (
        f"{text} text on the {name} {colour}, the more readable of white and dark text, has a contrast of "
        f"{ratio:.2f}:1; button labels and the top bar's text need at least {required:g}:1 to be read. {nearest}"
    )


# ---------------------------------------------------------------------------------------------
# The palette pages use
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Palette:
    """CSS custom properties (names without `--`) of the light and the dark scheme; the same keys
    (PALETTE_KEYS) in both, every value `#rrggbb`."""

    light: dict[str, str]
    dark: dict[str, str]


def wash(colour: str, surface: str, *, step: float, chroma_cap: float) -> str:
    """A background a little off `surface` (darker on a light one, lighter on a dark one) in the
    hue of `colour`."""
    surface_lightness = oklch(surface)[0]
    _, chroma, hue = oklch(colour)
    direction = -1 if surface_lightness > 0.5 else 1
    return from_oklch(surface_lightness + direction * step, min(chroma, chroma_cap), hue)


def _hover(colour: str, *, lighter: bool, label: str) -> str:
    """A step lighter or darker, as the scheme asks, unless that takes the label under 4.5:1;
    then a step the other way, which moves away from the label and so only gains contrast."""
    for towards_light in (lighter, not lighter):
        shifted = shift_lightness(colour, HOVER_STEP if towards_light else -HOVER_STEP)
        if shifted != colour and contrast_ratio(shifted, label) >= TEXT_CONTRAST:
            return shifted
    return colour


def _scheme(primary: str, accent: str, *, surface: str, dark: bool) -> dict[str, str]:
    tint, strong = (DARK_TINT, DARK_TINT_STRONG) if dark else (TINT, TINT_STRONG)
    if dark:
        primary = nearest_passing(primary, surface=surface)
        accent = nearest_passing(accent, surface=surface)
    on_primary, on_accent = text_on(primary), text_on(accent)
    return {
        "brand-primary": primary,
        "brand-primary-hover": _hover(primary, lighter=dark, label=on_primary),
        "brand-on-primary": on_primary,
        "brand-accent": accent,
        "brand-accent-hover": _hover(accent, lighter=dark, label=on_accent),
        "brand-on-accent": on_accent,
        "brand-ink": nearest_lightness(primary, passes=lambda c: contrast_ratio(c, surface) >= TEXT_CONTRAST),
        "brand-tint": wash(primary, surface, step=tint[0], chroma_cap=tint[1]),
        "brand-tint-strong": wash(primary, surface, step=strong[0], chroma_cap=strong[1]),
        "brand-focus": nearest_lightness(primary, passes=lambda c: contrast_ratio(c, surface) >= NON_TEXT_CONTRAST),
    }


def expand_palette(*, primary: str, accent: str) -> Palette:
    """Both schemes' custom properties from the two brand colours.

    The light scheme draws the colours as chosen: they passed the checks when saved, or the tenant
    kept them knowingly (`accept_low_contrast`), and what it sees must be what it chose; links and
    focus rings (`brand-ink`, `brand-focus`) are still derived to pass. In the dark scheme a colour
    that fails against the dark surface is replaced by its nearest passing colour (usually
    lightened). Labels (`brand-on-*`) are recomputed for the colour actually used."""
    return Palette(
        light=_scheme(primary, accent, surface=LIGHT_SURFACE, dark=False),
        dark=_scheme(primary, accent, surface=DARK_SURFACE, dark=True),
    )


def _declarations(values: dict[str, str]) -> str:
    parts = []
    for name, value in values.items():
        # Only known-safe shapes reach a page: a name cannot close the rule, a value cannot either.
        if not _CSS_NAME_RE.fullmatch(name) or not _CSS_HEX_RE.fullmatch(value):
            raise ValueError(f"Refusing to write the custom property {name!r}: {value!r}.")
        parts.append(f"--{name}:{value}")
    return ";".join(parts)


def css_variables(palette: Palette) -> str:
    """The palette as CSS for a `<style>` element: the light scheme on `:root`, the dark one in a
    `prefers-color-scheme: dark` query. ValueError if any name or value is not of the expected
    shape, so nothing but hex colours is ever interpolated."""
    return (
        f":root{{{_declarations(palette.light)}}}"
        f"@media (prefers-color-scheme: dark){{:root{{{_declarations(palette.dark)}}}}}"
    )
