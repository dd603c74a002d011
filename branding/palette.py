"""Brand colours: parsing, WCAG 2.x contrast, and the palette every page is drawn with.

A brand is saved only when its two colours can be read and seen on the page (`check_contrast`);
each refusal comes with the nearest colour that passes, found by moving only the OKLCH lightness
so the hue a tenant chose survives. `expand_palette` turns the two colours into the CSS custom
properties of the light and the dark scheme. Every value it produces is a `#rrggbb` literal, so
`css_variables` can be inlined into a page without escaping anything.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

RGB = tuple[int, int, int]

LIGHT_SURFACE = "#ffffff"
# The page background of the dark scheme. Checks against "the dark surface" mean this colour.
DARK_SURFACE = "#0f1115"
LIGHT_TEXT = "#ffffff"
DARK_TEXT = "#111827"

# WCAG 2.x AA: 1.4.3 for text, 1.4.11 for what must be seen but is not text (buttons, focus rings).
TEXT_CONTRAST = 4.5
NON_TEXT_CONTRAST = 3.0

# How far (in OKLCH lightness) a hover state moves from its colour.
HOVER_STEP = 0.06
# The muted (`tint`) and the selected (`tint-strong`) backgrounds: the primary's hue at a fixed
# lightness step from the surface, with its chroma capped, so every brand's washes weigh the same
# and text on them stays as readable as on the surface itself.
TINT = (0.03, 0.03)  # (lightness step, chroma cap)
TINT_STRONG = (0.07, 0.06)
DARK_TINT = (0.05, 0.04)
DARK_TINT_STRONG = (0.10, 0.07)

# The lightness search scans in steps of this size, then bisects the step where a check starts
# passing. A passing band narrower than a step could be skipped; the bands the checks here produce
# are at least 0.05 wide.
_SCAN_STEP = 0.02
_BISECTIONS = 9
_CHROMA_BISECTIONS = 14

_HEX_RE = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
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
# Colours and contrast
# ---------------------------------------------------------------------------------------------


def parse_hex(colour: str) -> RGB:
    """(r, g, b) of `#rrggbb` or `#rgb` (either case); ValueError for anything else, including
    names, whitespace and alpha."""
    if not isinstance(colour, str) or not _HEX_RE.fullmatch(colour):
        raise ValueError(f"{colour!r} is not a colour written as #rrggbb or #rgb.")
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: RGB) -> str:
    """`#rrggbb` in lower case; ValueError unless each channel is an int in 0..255."""
    if len(rgb) != 3 or not all(isinstance(channel, int) and 0 <= channel <= 255 for channel in rgb):
        raise ValueError(f"{rgb!r} is not three channels between 0 and 255.")
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def normalise(colour: str) -> str:
    """`colour` as `#rrggbb` in lower case (so `#ABC` and `#aabbcc` compare equal)."""
    return to_hex(parse_hex(colour))


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance, 0 (black) to 1 (white)."""
    red, green, blue = (_linear(channel) for channel in parse_hex(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two colours, 1 to 21, unrounded: a check compares this value,
    since WCAG does not round (4.499:1 fails 4.5:1)."""
    first, second = relative_luminance(a), relative_luminance(b)
    lighter, darker = max(first, second), min(first, second)
    return (lighter + 0.05) / (darker + 0.05)


def shown_ratio(ratio: float) -> float:
    """A ratio for people, to 2 decimals, rounded down so a failing ratio never reads as the
    required one (4.499 shows as 4.49, not 4.5)."""
    return math.floor(ratio * 100) / 100


def text_on(colour: str) -> str:
    """The text colour, white or near-black, with the higher contrast on `colour`."""
    if contrast_ratio(colour, LIGHT_TEXT) >= contrast_ratio(colour, DARK_TEXT):
        return LIGHT_TEXT
    return DARK_TEXT


def passes_checks(colour: str, *, surface: str = LIGHT_SURFACE) -> bool:
    """Whether `colour` can be a brand's primary or accent on `surface`: its label text reaches
    4.5:1 on it, and it reaches 3:1 against the surface."""
    return (
        contrast_ratio(colour, text_on(colour)) >= TEXT_CONTRAST
        and contrast_ratio(colour, surface) >= NON_TEXT_CONTRAST
    )


# ---------------------------------------------------------------------------------------------
# OKLab / OKLCH (Björn Ottosson, https://bottosson.github.io/posts/oklab/)
# ---------------------------------------------------------------------------------------------


def _linear_to_oklab(red: float, green: float, blue: float) -> tuple[float, float, float]:
    long = math.cbrt(0.4122214708 * red + 0.5363325363 * green + 0.0514459929 * blue)
    medium = math.cbrt(0.2119034982 * red + 0.6806995451 * green + 0.1073969566 * blue)
    short = math.cbrt(0.0883024619 * red + 0.2817188376 * green + 0.6299787005 * blue)
    return (
        0.2104542553 * long + 0.7936177850 * medium - 0.0040720468 * short,
        1.9779984951 * long - 2.4285922050 * medium + 0.4505937099 * short,
        0.0259040371 * long + 0.7827717662 * medium - 0.8086757660 * short,
    )


def _oklab_to_linear(lightness: float, a: float, b: float) -> tuple[float, float, float]:
    long = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    medium = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    short = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    return (
        4.0767416621 * long - 3.3077115913 * medium + 0.2309699292 * short,
        -1.2684380046 * long + 2.6097574011 * medium - 0.3413193965 * short,
        -0.0041960863 * long - 0.7034186147 * medium + 1.7076147010 * short,
    )


def _encode(value: float) -> int:
    value = min(max(value, 0.0), 1.0)
    encoded = 12.92 * value if value <= 0.0031308 else 1.055 * value ** (1 / 2.4) - 0.055
    return round(encoded * 255)


def oklch(colour: str) -> tuple[float, float, float]:
    """(lightness 0..1, chroma, hue in degrees) of `colour`."""
    lightness, a, b = _linear_to_oklab(*(_linear(channel) for channel in parse_hex(colour)))
    return lightness, math.hypot(a, b), math.degrees(math.atan2(b, a)) % 360


def _in_gamut(rgb: tuple[float, float, float]) -> bool:
    return all(-1e-7 <= channel <= 1 + 1e-7 for channel in rgb)


def from_oklch(lightness: float, chroma: float, hue: float) -> str:
    """The sRGB colour of an OKLCH colour; outside the gamut the chroma is reduced (hue and
    lightness kept) until it fits, so the result is never clipped towards another hue."""
    if lightness <= 0:
        return "#000000"
    if lightness >= 1:
        return "#ffffff"
    cos, sin = math.cos(math.radians(hue)), math.sin(math.radians(hue))
    rgb = _oklab_to_linear(lightness, chroma * cos, chroma * sin)
    if not _in_gamut(rgb):
        low, high = 0.0, chroma
        for _ in range(_CHROMA_BISECTIONS):
            middle = (low + high) / 2
            if _in_gamut(_oklab_to_linear(lightness, middle * cos, middle * sin)):
                low = middle
            else:
                high = middle
        rgb = _oklab_to_linear(lightness, low * cos, low * sin)
    red, green, blue = rgb
    return to_hex((_encode(red), _encode(green), _encode(blue)))


def shift_lightness(colour: str, delta: float) -> str:
    """`colour` with its OKLCH lightness moved by `delta` (chroma reduced if out of gamut)."""
    lightness, chroma, hue = oklch(colour)
    return from_oklch(lightness + delta, chroma, hue)


def nearest_lightness(colour: str, *, passes: Callable[[str], bool]) -> str:
    """The colour closest to `colour` for which `passes` holds, changing only its OKLCH lightness
    (chroma only where the gamut forces it): `colour` itself when it passes, else the smallest
    lightness change found in either direction (the darker one on a tie). Deterministic.
    ValueError when no lightness passes."""
    colour = normalise(colour)
    if passes(colour):
        return colour
    lightness, chroma, hue = oklch(colour)
    found: list[tuple[float, str]] = []
    previous = {-1: lightness, 1: lightness}
    live = [-1, 1]
    step = 1
    while live and not found:
        for direction in list(live):
            candidate = min(max(lightness + direction * step * _SCAN_STEP, 0.0), 1.0)
            if passes(from_oklch(candidate, chroma, hue)):
                found.append(_refine(previous[direction], candidate, chroma, hue, passes, lightness))
            elif candidate in (0.0, 1.0):
                live.remove(direction)
            previous[direction] = candidate
        step += 1
    if not found:
        raise ValueError(f"No lightness of {colour} passes.")
    # Sorted by distance, then darker first (-1 came first in `found`): min keeps the first of equals.
    return min(found, key=lambda item: item[0])[1]


def _refine(
    failing: float, passing: float, chroma: float, hue: float, passes: Callable[[str], bool], origin: float
) -> tuple[float, str]:
    """Bisect between a failing and a passing lightness; (distance from origin, passing colour)."""
    for _ in range(_BISECTIONS):
        middle = (failing + passing) / 2
        if passes(from_oklch(middle, chroma, hue)):
            passing = middle
        else:
            failing = middle
    return abs(passing - origin), from_oklch(passing, chroma, hue)


def nearest_passing(colour: str, *, surface: str = LIGHT_SURFACE) -> str:
    """The colour nearest to `colour` that passes both checks of a brand colour on `surface`
    (see `passes_checks`); `colour` itself, normalised, when it already passes."""
    return nearest_lightness(colour, passes=lambda candidate: passes_checks(candidate, surface=surface))


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
