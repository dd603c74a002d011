"""SVG brand images: refused when they hold anything active or anything from elsewhere.

An SVG is a document, not a picture: opened on its own (a logo's URL in a new tab) it runs its
scripts in the origin that served it, and drawn anywhere it may fetch what it refers to. So an SVG
is refused, with a sentence naming what was found, when it holds scripts, event handlers, HTML,
references outside itself or addresses of any kind, and what passes is then filtered by svg-hush
as a second layer and stored as svg-hush wrote it (checked once more). Refusing rather than
stripping means a logo is never stored looking different from what its owner uploaded.

Parsing is done with defusedxml, refusing any document type declaration: entities are how XML
reads local files (XXE) and expands a few bytes into gigabytes (billion laughs). The standard
library's ElementTree is imported for its tree types only.

The output of svg-hush must not be trusted on its own: it rewrites `https://host/x.png` and
`file:///x.png` into `/x.png`, which resvg would then read from the local file system. Only the
fragment-only rule for references below keeps the renderer off the disk.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET  # nosec B405
from dataclasses import dataclass

import py_svg_hush
import resvg_py
from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser
from PIL import Image

from branding.svg_cost import NUMBER_RE, TooCostly, check_drawing, check_parsing

SVG_NS = "http://www.w3.org/2000/svg"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Namespaces whose attributes a browser reads; those of editors' metadata (Inkscape, RDF) it ignores.
RENDERED_NAMESPACES = frozenset({"", SVG_NS, XLINK_NS, XML_NS})

# Elements that run script, embed other documents or media, or send data.
ACTIVE_ELEMENTS = frozenset(
    {
        "iframe", "embed", "object", "applet", "frame", "frameset", "handler", "listener", "audio", "video",
        "base", "link", "meta", "form", "input", "button", "textarea", "canvas",
    }
)  # fmt: skip
ANIMATION_ELEMENTS = frozenset({"animate", "set", "animatetransform", "animatemotion", "animatecolor"})
# An intrinsic side, in CSS pixels, beyond which an SVG is taken for a mistake (or a trap).
MAX_SVG_SIDE = 100_000
MAX_SVG_ASPECT = 100.0
CSS_DPI = 96.0
# The box the check that resvg can draw it renders into.
CHECK_RENDER_SIZE = 256

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
_SVG_HINT_RE = re.compile(rb"<svg[\s>/]", re.IGNORECASE)
# Schemes that are never acceptable, wherever they appear, matched with whitespace removed (browsers
# ignore tabs and newlines inside a scheme). `data:` only where a scheme can start, so that words
# such as "metadata:" are not taken for one.
_ACTIVE_SCHEME_RE = re.compile(r"(?:java|vb|live)script:|(?<![\w+.-])data:", re.IGNORECASE)
# Schemes of addresses elsewhere: refused where a browser would follow them.
_REMOTE_SCHEME_RE = re.compile(r"\b(?:https?|ftp|file|blob|filesystem):", re.IGNORECASE)
_URL_FUNCTION_RE = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_IMAGE_FUNCTION_RE = re.compile(r"(?:image-set|cross-fade|element|image|src)\s*\(", re.IGNORECASE)
_WHITESPACE_RE = re.compile(r"[\x00-\x20]+")
_SCRIPT_HOOK_RE = re.compile(r"expression\s*\(|behavior\s*:|binding\s*:", re.IGNORECASE)


class ImageRejected(ValueError):
    """A brand image that is refused. `message` is a sentence for people; `code` is the API's."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CleanSvg:
    """An accepted SVG as stored (svg-hush's output) and its intrinsic size in CSS pixels."""

    content: bytes
    width: int
    height: int


def _unsafe(sentence: str) -> ImageRejected:
    return ImageRejected(f"{sentence} Brand images must be plain, self-contained drawings.", "svg_unsafe")


def _shown(value: str, limit: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _split(name: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


class _Builder(ET.TreeBuilder):
    """A tree builder that also keeps the processing instructions ElementTree would drop, and stops
    the parse as soon as the document nests too deep or holds too many elements."""

    def __init__(self) -> None:
        super().__init__()
        self.instructions: list[str] = []
        self.depth = 0
        self.elements = 0

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.depth += 1
        self.elements += 1
        check_parsing(depth=self.depth, elements=self.elements)
        return super().start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        self.depth -= 1
        return super().end(tag)

    def pi(self, target: str, text: str | None = None) -> ET.Element:
        self.instructions.append(target)
        return super().pi(target, text)


def _parse(data: bytes) -> tuple[ET.Element, list[str]] | None:
    """The root and the processing instructions; None for a document declared as another type
    (`<!DOCTYPE html>`); ImageRejected for an SVG's document type declaration; ET.ParseError for
    what is not well-formed XML."""
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DTDForbidden as exc:
        if (exc.name or "").lower() != "svg":
            return None
        raise _unsafe(
            "The SVG has a document type declaration (<!DOCTYPE …>), which can define entities that read "
            "other files or expand without end; export it again without one."
        ) from exc
    except DefusedXmlException as exc:
        raise _unsafe("The SVG defines entities, which can read other files or expand without end.") from exc
    return root, builder.instructions


def parse_svg(data: bytes) -> tuple[ET.Element, list[str]] | None:
    """The parsed SVG (root, processing instructions), or None when `data` is not an SVG at all
    (not XML, or XML of another kind). ImageRejected for an SVG that is unsafe to parse or broken."""
    try:
        parsed = _parse(data)
    except TooCostly as exc:
        raise ImageRejected(exc.message, exc.code) from exc
    except ET.ParseError as exc:
        if _SVG_HINT_RE.search(data[:4096]):
            raise ImageRejected(f"The SVG could not be read: it is not well-formed XML ({exc}).", "corrupt") from exc
        return None
    if parsed is None:
        return None
    root, instructions = parsed
    namespace, local = _split(root.tag)
    if local.lower() != "svg" or namespace not in (SVG_NS, ""):
        return None
    if namespace == "":
        raise ImageRejected(
            'The SVG lacks the SVG namespace (xmlns="http://www.w3.org/2000/svg" on its root), so browsers would '
            "not draw it.",
            "corrupt",
        )
    return root, instructions


# ---------------------------------------------------------------------------------------------
# What is refused
# ---------------------------------------------------------------------------------------------


def check_svg(root: ET.Element, instructions: list[str]) -> None:
    """ImageRejected naming the first thing found that is not allowed (svg_unsafe), or that would be
    too costly to draw (too_complex, see `branding.svg_cost`)."""
    if instructions:
        raise _unsafe(
            f"The SVG contains a processing instruction (<?{_shown(instructions[0], 30)} …?>), which can load style "
            "sheets from elsewhere."
        )
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions kept by the builder
        namespace, local = _split(element.tag)
        _check_element(element, namespace, local)
        for name, value in element.attrib.items():
            _check_attribute(local, name, value, rendered=namespace in (SVG_NS, ""))
        if local.lower() == "style":
            # All of its text: what follows a child element is that child's tail, not the style's text.
            _check_style("".join(element.itertext()), where="<style> element")
    try:
        check_drawing(root, view_box=_view_box_or_none(root))
    except TooCostly as exc:
        raise ImageRejected(exc.message, exc.code) from exc


def _check_element(element: ET.Element, namespace: str, local: str) -> None:
    name = local.lower()
    if name == "script":
        raise _unsafe("The SVG contains a script element (<script>), and brand images cannot run scripts.")
    if name == "foreignobject":
        raise _unsafe("The SVG contains a <foreignObject>, which embeds HTML in the drawing.")
    if namespace == XHTML_NS:
        raise _unsafe(f"The SVG contains an HTML element (<{local}>).")
    if name in ACTIVE_ELEMENTS:
        raise _unsafe(f"The SVG contains an <{local}> element, which embeds other content or runs script.")
    if name in ANIMATION_ELEMENTS:
        target = element.get("attributeName", "").strip()
        target_local = target.rpartition(":")[2].lower()
        if target_local == "href" or target_local.startswith("on"):
            raise _unsafe(
                f'The SVG animates the {target} attribute (<{local} attributeName="{_shown(target, 30)}">), which '
                "can turn a drawing into a link or a script."
            )


def _check_attribute(element: str, name: str, value: str, *, rendered: bool) -> None:
    namespace, local = _split(name)
    lowered = local.lower()
    shown = _shown(value)
    if lowered.startswith("on"):
        raise _unsafe(f"The SVG contains an event handler ({local} on <{element}>), which runs script.")
    if lowered == "href":
        if not value.strip().startswith("#"):
            raise _unsafe(
                f'The SVG refers to another file or address (href="{shown}" on <{element}>); only references to '
                "parts of the same file (#id) are allowed."
            )
        return
    if namespace == XML_NS and lowered == "base":
        raise _unsafe(f'The SVG sets a base address (xml:base="{shown}" on <{element}>).')
    compact = _WHITESPACE_RE.sub("", value)
    if _ACTIVE_SCHEME_RE.search(value) or _ACTIVE_SCHEME_RE.search(compact):
        raise _unsafe(f'The SVG contains the address "{shown}" (in {local} on <{element}>).')
    if not rendered or namespace not in RENDERED_NAMESPACES:
        return  # editors' metadata (Inkscape, RDF licences) is not drawn and not followed
    if lowered == "style":
        _check_style(value, where=f"style attribute of <{element}>")
    elif _REMOTE_SCHEME_RE.search(compact) or compact.startswith("//"):
        raise _unsafe(f'The SVG refers to an address elsewhere ("{shown}" in {local} on <{element}>).')
    else:
        _check_urls(value, where=f"{local} on <{element}>")


def _check_style(text: str, *, where: str) -> None:
    """Styles in a `<style>` element or a `style` attribute: nothing that loads, escapes or runs."""
    if "\\" in text:
        raise _unsafe(f"The SVG's {where} uses CSS escapes (\\), which can hide what a style does.")
    if "<" in text:
        raise _unsafe(f"The SVG's {where} contains markup (<).")
    lowered = text.lower()
    if "@import" in lowered:
        raise _unsafe(f"The SVG's {where} imports another style sheet (@import).")
    if _SCRIPT_HOOK_RE.search(text):
        raise _unsafe(f"The SVG's {where} uses script hooks of old browsers (expression, behavior or binding).")
    if found := _IMAGE_FUNCTION_RE.search(text):
        raise _unsafe(f"The SVG's {where} loads images by address ({found.group().rstrip('( ')}()).")
    compact = _WHITESPACE_RE.sub("", text)
    if found_scheme := (
        _ACTIVE_SCHEME_RE.search(text) or _ACTIVE_SCHEME_RE.search(compact) or _REMOTE_SCHEME_RE.search(compact)
    ):
        raise _unsafe(f"The SVG's {where} contains an address ({found_scheme.group()}…).")
    _check_urls(text, where=f"the SVG's {where}")


def _check_urls(text: str, *, where: str) -> None:
    """Every url( … ) must point into the same file (#id), as fill="url(#gradient)" does."""
    if "url(" not in text.lower():
        return
    for found in _URL_FUNCTION_RE.finditer(text):
        target = found.group(2).strip()
        if not target.startswith("#"):
            raise _unsafe(
                f"The SVG refers to another file or address (url({_shown(target)}) in {where}); only references "
                "to parts of the same file (#id) are allowed."
            )
    if len(_URL_FUNCTION_RE.findall(text)) != text.lower().count("url("):
        raise _unsafe(f"The SVG has a url( … ) that cannot be read (in {where}).")


# ---------------------------------------------------------------------------------------------
# Size and rendering
# ---------------------------------------------------------------------------------------------


def _length(value: str | None) -> float | None:
    """An absolute length in CSS pixels; None when missing or relative (a percentage)."""
    if value is None:
        return None
    found = _LENGTH_RE.fullmatch(value)
    if not found or found.group(2).lower() not in UNITS:
        if found and found.group(2) == "%":
            return None
        raise ImageRejected(f'The SVG\'s size "{_shown(value, 30)}" cannot be read.', "corrupt")
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


def _view_box_or_none(root: ET.Element) -> tuple[float, float] | None:
    try:
        return _view_box(root.get("viewBox"))
    except ImageRejected:
        return None  # refused, with its reason, once the size is read


def _view_box(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    numbers = NUMBER_RE.findall(value)
    if len(numbers) != 4 or NUMBER_RE.sub("", value).strip(" ,\t\n\r"):
        raise ImageRejected(f'The SVG\'s viewBox "{_shown(value, 40)}" cannot be read.', "corrupt")
    width, height = float(numbers[2]), float(numbers[3])
    if not all(math.isfinite(side) and side > 0 for side in (width, height)):
        raise ImageRejected("The SVG's viewBox must have a positive width and height.", "corrupt")
    return width, height


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
