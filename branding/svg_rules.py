"""What an SVG brand image may not hold: scripts, event handlers, HTML, references outside itself
or addresses of any kind; and drawings too costly to render (branding.svg_cost). Each refusal
names what was found, in a sentence for the person who uploaded the image.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # nosec B405

from branding.image_errors import ImageRejected
from branding.svg_cost import TooCostly, check_drawing
from branding.svg_parse import SVG_NS, XHTML_NS, XLINK_NS, XML_NS, shown, split_name, unsafe
from branding.svg_size import view_box_or_none

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


def check_svg(root: ET.Element, instructions: list[str]) -> None:
    """ImageRejected naming the first thing found that is not allowed (svg_unsafe), or that would be
    too costly to draw (too_complex, see `branding.svg_cost`)."""
    if instructions:
        raise unsafe(
            f"The SVG contains a processing instruction (<?{shown(instructions[0], 30)} …?>), which can load style "
            "sheets from elsewhere."
        )
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions kept by the builder
        namespace, local = split_name(element.tag)
        _check_element(element, namespace, local)
        for name, value in element.attrib.items():
            _check_attribute(local, name, value, rendered=namespace in (SVG_NS, ""))
        if local.lower() == "style":
            # All of its text: what follows a child element is that child's tail, not the style's text.
            _check_style("".join(element.itertext()), where="<style> element")
    try:
        check_drawing(root, view_box=view_box_or_none(root))
    except TooCostly as exc:
        raise ImageRejected(exc.message, exc.code) from exc


def _check_element(element: ET.Element, namespace: str, local: str) -> None:
    name = local.lower()
    if name == "script":
        raise unsafe("The SVG contains a script element (<script>), and brand images cannot run scripts.")
    if name == "foreignobject":
        raise unsafe("The SVG contains a <foreignObject>, which embeds HTML in the drawing.")
    if namespace == XHTML_NS:
        raise unsafe(f"The SVG contains an HTML element (<{local}>).")
    if name in ACTIVE_ELEMENTS:
        raise unsafe(f"The SVG contains an <{local}> element, which embeds other content or runs script.")
    if name in ANIMATION_ELEMENTS:
        target = element.get("attributeName", "").strip()
        target_local = target.rpartition(":")[2].lower()
        if target_local == "href" or target_local.startswith("on"):
            raise unsafe(
                f'The SVG animates the {target} attribute (<{local} attributeName="{shown(target, 30)}">), which '
                "can turn a drawing into a link or a script."
            )


def _check_attribute(element: str, name: str, value: str, *, rendered: bool) -> None:
    namespace, local = split_name(name)
    lowered = local.lower()
    value_shown = shown(value)
    if lowered.startswith("on"):
        raise unsafe(f"The SVG contains an event handler ({local} on <{element}>), which runs script.")
    if lowered == "href":
        if not value.strip().startswith("#"):
            raise unsafe(
                f'The SVG refers to another file or address (href="{value_shown}" on <{element}>); only references to '
                "parts of the same file (#id) are allowed."
            )
        return
    if namespace == XML_NS and lowered == "base":
        raise unsafe(f'The SVG sets a base address (xml:base="{value_shown}" on <{element}>).')
    compact = _WHITESPACE_RE.sub("", value)
    if _ACTIVE_SCHEME_RE.search(value) or _ACTIVE_SCHEME_RE.search(compact):
        raise unsafe(f'The SVG contains the address "{value_shown}" (in {local} on <{element}>).')
    if not rendered or namespace not in RENDERED_NAMESPACES:
        return  # editors' metadata (Inkscape, RDF licences) is not drawn and not followed
    if lowered == "style":
        _check_style(value, where=f"style attribute of <{element}>")
    elif _REMOTE_SCHEME_RE.search(compact) or compact.startswith("//"):
        raise unsafe(f'The SVG refers to an address elsewhere ("{value_shown}" in {local} on <{element}>).')
    else:
        _check_urls(value, where=f"{local} on <{element}>")


def _check_style(text: str, *, where: str) -> None:
    """Styles in a `<style>` element or a `style` attribute: nothing that loads, escapes or runs."""
    if "\\" in text:
        raise unsafe(f"The SVG's {where} uses CSS escapes (\\), which can hide what a style does.")
    if "<" in text:
        raise unsafe(f"The SVG's {where} contains markup (<).")
    lowered = text.lower()
    if "@import" in lowered:
        raise unsafe(f"The SVG's {where} imports another style sheet (@import).")
    if _SCRIPT_HOOK_RE.search(text):
        raise unsafe(f"The SVG's {where} uses script hooks of old browsers (expression, behavior or binding).")
    if found := _IMAGE_FUNCTION_RE.search(text):
        raise unsafe(f"The SVG's {where} loads images by address ({found.group().rstrip('( ')}()).")
    compact = _WHITESPACE_RE.sub("", text)
    if found_scheme := (
        _ACTIVE_SCHEME_RE.search(text) or _ACTIVE_SCHEME_RE.search(compact) or _REMOTE_SCHEME_RE.search(compact)
    ):
        raise unsafe(f"The SVG's {where} contains an address ({found_scheme.group()}…).")
    _check_urls(text, where=f"the SVG's {where}")


def _check_urls(text: str, *, where: str) -> None:
    """Every url( … ) must point into the same file (#id), as fill="url(#gradient)" does."""
    if "url(" not in text.lower():
        return
    for found in _URL_FUNCTION_RE.finditer(text):
        target = found.group(2).strip()
        if not target.startswith("#"):
            raise unsafe(
                f"The SVG refers to another file or address (url({shown(target)}) in {where}); only references "
                "to parts of the same file (#id) are allowed."
            )
    if len(_URL_FUNCTION_RE.findall(text)) != text.lower().count("url("):
        raise unsafe(f"The SVG has a url( … ) that cannot be read (in {where}).")
