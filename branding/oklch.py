"""OKLab and OKLCH (Björn Ottosson, https://bottosson.github.io/posts/oklab/), and the nearest
passing colour: a colour that fails a check is moved only in OKLCH lightness, so the hue a tenant
chose survives (the chroma shrinks only where the sRGB gamut forces it).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from branding.colours import LIGHT_SURFACE, linear, normalise, parse_hex, passes_checks, to_hex

# The lightness search scans in steps of this size, then bisects the step where a check starts
# passing. A passing band narrower than a step could be skipped; the bands the checks here produce
# are at least 0.05 wide.
_SCAN_STEP = 0.02
_BISECTIONS = 9
_CHROMA_BISECTIONS = 14


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
    lightness, a, b = _linear_to_oklab(*(linear(channel) for channel in parse_hex(colour)))
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
