"""An SVG's intrinsic size in CSS pixels, read from its width, height and viewBox."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET  # nosec B405

from branding.image_errors import ImageRejected
from branding.svg_cost import NUMBER_RE
from branding.svg_parse import shown

# An intrinsic side, in CSS pixels, beyond which an SVG is taken for a mistake (or a trap).
MAX_SVG_SIDE = 100_000
MAX_SVG_ASPECT = 100.0

# Absolute lengths in CSS pixels; `em` and `ex` as resvg takes them with its default font size.
UNITS = {
    "": 1.0,
    "px": 1.0,
    "pt": 4 / 3,
    "pc": 16.0,
    "mm": 96 / 25.4,
    "cm": 96 / 2.54,
    "in": 96.0,
    "em": 16.0,
    "ex": 8.0,
}
_LENGTH_RE = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Z%]*)\s*")


def _length(value: str | None) -> float | None:
    """An absolute length in CSS pixels; None when missing or relative (a percentage)."""
    if value is None:
        return None
    found = _LENGTH_RE.fullmatch(value)
    if not found or found.group(2).lower() not in UNITS:
        if found and found.group(2) == "%":
            return None
        raise ImageRejected(f'The SVG\'s size "{shown(value, 30)}" cannot be read.', "corrupt")
    return float(found.group(1)) * UNITS[found.group(2).lower()]


def intrinsic_size(root: ET.Element) -> tuple[int, int]:
    """The SVG's size in CSS pixels from its width, height and viewBox. A viewBox, or both width
    and height, must be present; every value given must be positive and finite."""
    width, height = _size(root)
    if not all(math.isfinite(side) and 0 < side <= MAX_SVG_SIDE for side in (width, height)):
        raise ImageRejected(
            f"The SVG's size must be positive and at most {MAX_SVG_SIDE:,} pixels a side.", "too_large_dimensions"
        )
    if max(width, height) / min(width, height) > MAX_SVG_ASPECT:
        raise ImageRejected(
            f"The SVG is more than {MAX_SVG_ASPECT:g} times wider than high, or the reverse.", "corrupt"
        )
    return max(1, round(width)), max(1, round(height))


def _size(root: ET.Element) -> tuple[float, float]:
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = _view_box(root.get("viewBox"))
    if width is not None and height is not None:
        return width, height
    if box is None:
        raise ImageRejected(
            "The SVG has no size: give its root element a viewBox (or a width and a height).", "corrupt"
        )
    if width is not None:
        return width, width * box[1] / box[0]
    if height is not None:
        return height * box[0] / box[1], height
    return box


def view_box_or_none(root: ET.Element) -> tuple[float, float] | None:
    try:
        return _view_box(root.get("viewBox"))
    except ImageRejected:
        return None  # refused, with its reason, once the size is read


def _view_box(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    numbers = NUMBER_RE.findall(value)
    if len(numbers) != 4 or NUMBER_RE.sub("", value).strip(" ,\t\n\r"):
        raise ImageRejected(f'The SVG\'s viewBox "{shown(value, 40)}" cannot be read.', "corrupt")
    width, height = float(numbers[2]), float(numbers[3])
    if not all(math.isfinite(side) and side > 0 for side in (width, height)):
        raise ImageRejected("The SVG's viewBox must have a positive width and height.", "corrupt")
    return width, height
