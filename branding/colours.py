"""Brand colours: `#rrggbb` parsing and WCAG 2.x contrast.

A brand colour must be readable under its label text and visible on the page (`passes_checks`).
Ratios are compared unrounded, as WCAG asks, and shown to people rounded down (`shown_ratio`).
"""

from __future__ import annotations

import math
import re

RGB = tuple[int, int, int]

LIGHT_SURFACE = "#ffffff"
# The page background of the dark scheme. Checks against "the dark surface" mean this colour.
DARK_SURFACE = "#0f1115"
LIGHT_TEXT = "#ffffff"
DARK_TEXT = "#111827"

# WCAG 2.x AA: 1.4.3 for text, 1.4.11 for what must be seen but is not text (buttons, focus rings).
TEXT_CONTRAST = 4.5
NON_TEXT_CONTRAST = 3.0

_HEX_RE = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


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


def linear(channel: int) -> float:
    """An sRGB channel (0..255) as linear light (0..1), the input of luminance and OKLab."""
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance, 0 (black) to 1 (white)."""
    red, green, blue = (linear(channel) for channel in parse_hex(colour))
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
