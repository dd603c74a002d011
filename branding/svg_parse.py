"""Reading an SVG: its root and processing instructions, or None for what is no SVG at all.

Parsing is done with defusedxml, refusing any document type declaration: entities are how XML
reads local files (XXE) and expands a few bytes into gigabytes (billion laughs). The standard
library's ElementTree is imported for its tree types only. The parse stops as soon as the document
nests too deep or holds too many elements (branding.svg_cost).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # nosec B405

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

from branding.image_errors import ImageRejected
from branding.svg_cost import TooCostly, check_parsing

SVG_NS = "http://www.w3.org/2000/svg"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_SVG_HINT_RE = re.compile(rb"<svg[\s>/]", re.IGNORECASE)


def unsafe(sentence: str) -> ImageRejected:
    """The refusal of an SVG that holds something active or from elsewhere (`svg_unsafe`)."""
    return ImageRejected(f"{sentence} Brand images must be plain, self-contained drawings.", "svg_unsafe")


def shown(value: str, limit: int = 60) -> str:
    """`value` as a refusal quotes it: whitespace collapsed, cut at `limit` characters."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def split_name(name: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


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
        raise unsafe(
            "The SVG has a document type declaration (<!DOCTYPE …>), which can define entities that read "
            "other files or expand without end; export it again without one."
        ) from exc
    except DefusedXmlException as exc:
        raise unsafe("The SVG defines entities, which can read other files or expand without end.") from exc
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
    namespace, local = split_name(root.tag)
    if local.lower() != "svg" or namespace not in (SVG_NS, ""):
        return None
    if namespace == "":
        raise ImageRejected(
            'The SVG lacks the SVG namespace (xmlns="http://www.w3.org/2000/svg" on its root), so browsers would '
            "not draw it.",
            "corrupt",
        )
    return root, instructions
