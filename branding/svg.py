"""SVG brand images: refused when they hold anything active or anything from elsewhere.

An SVG is a document, not a picture: opened on its own (a logo's URL in a new tab) it runs its
scripts in the origin that served it, and drawn anywhere it may fetch what it refers to. So an SVG
is refused, with a sentence naming what was found, when it holds scripts, event handlers, HTML,
references outside itself or addresses of any kind, and what passes is then filtered by svg-hush
as a second layer and stored as svg-hush wrote it (checked once more). Refusing rather than
stripping means a logo is never stored looking different from what its owner uploaded.

The output of svg-hush must not be trusted on its own: it rewrites `https://host/x.png` and
`file:///x.png` into `/x.png`, which resvg would then read from the local file system. Only the
fragment-only rule for references (branding.svg_rules) keeps the renderer off the disk.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET  # nosec B405
from dataclasses import dataclass

import py_svg_hush
import resvg_py
from PIL import Image

from branding.image_errors import ImageRejected
from branding.svg_parse import parse_svg
from branding.svg_rules import check_svg
from branding.svg_size import intrinsic_size

CSS_DPI = 96.0
# The box the check that resvg can draw it renders into.
CHECK_RENDER_SIZE = 256


@dataclass(frozen=True)
class CleanSvg:
    """An accepted SVG as stored (svg-hush's output) and its intrinsic size in CSS pixels."""

    content: bytes
    width: int
    height: int


def render_svg(content: bytes, *, width: int, height: int) -> Image.Image:
    """`content` drawn to fit in width x height, aspect kept (resvg fits rather than stretches), as
    RGBA. ValueError when resvg cannot draw it. Only for SVGs that passed `clean_svg`: resvg reads
    any file an `<image href>` names."""
    # resvg-py's default of 0 dpi turns mm, in and pt into nothing ("SVG has an invalid size").
    png = resvg_py.svg_to_bytes(svg_string=content.decode("utf-8"), width=width, height=height, dpi=CSS_DPI)
    with Image.open(io.BytesIO(bytes(png)), formats=("PNG",)) as image:
        return image.convert("RGBA")


def clean_svg(data: bytes, root: ET.Element, instructions: list[str]) -> CleanSvg:
    """An SVG parsed by `parse_svg`, checked, filtered by svg-hush, checked again, measured and
    drawn once to be sure it can be. ImageRejected otherwise."""
    check_svg(root, instructions)
    try:
        filtered = bytes(py_svg_hush.filter_svg(data))
    except ValueError as exc:
        raise ImageRejected("The SVG could not be read.", "corrupt") from exc
    parsed = parse_svg(filtered)
    if parsed is None:
        raise ImageRejected("The SVG could not be read.", "corrupt")
    check_svg(*parsed)
    width, height = intrinsic_size(parsed[0])
    try:
        render_svg(filtered, width=CHECK_RENDER_SIZE, height=CHECK_RENDER_SIZE)
    except (ValueError, OSError) as exc:
        raise ImageRejected("The SVG could not be drawn.", "corrupt") from exc
    return CleanSvg(content=filtered, width=width, height=height)
