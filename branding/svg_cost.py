"""How much work drawing an SVG would be for resvg, judged before it is asked to draw it.

resvg runs in the server's own process, with no time limit and no way to stop it: an SVG it
recurses too deep on crashes the process (a stack overflow, not an exception), and a few hundred
bytes of nested <use>, patterns or filter effects keep it busy for minutes. The limits here keep
any accepted SVG to a second or so of drawing at the largest favicon size (512 px).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # nosec B405

# resvg recurses once per level of nesting (elements, and what <use> and patterns draw inside
# each other) with some 30-60 KB of stack a level: deeper than this would overflow a 2 MB thread
# stack and crash the process.
MAX_SVG_DEPTH = 32
# Elements drawn, counting each time <use>, a pattern, a mask or a marker draws its content again:
# a few nested <use> or patterns repeat their content exponentially (the SVG "use bomb"), and
# resvg takes about 30 microseconds an element, far more for pattern tiles.
MAX_SVG_ELEMENTS = 10_000
# Elements whose content is drawn again wherever a url(#id) names them, and which (like <defs>)
# draw nothing where they stand.
INSTANCED_ELEMENTS = frozenset({"pattern", "mask", "marker", "clippath", "symbol", "filter"})
DEFINITIONS = INSTANCED_ELEMENTS | {"defs"}
# Filter effects: resvg takes up to 100 ms for a blur over a 512 px canvas (in proportion to the
# filter region's area), less for flood, offset or blend, and far longer for morphology,
# convolution and many turbulence octaves. Each primitive drawn costs its weight (1 unless listed);
# a drop shadow as design tools export it costs 11, so three of them fit.
FILTER_COSTS = {
    "fegaussianblur": 4, "fedropshadow": 4, "feturbulence": 4, "fediffuselighting": 3, "fespecularlighting": 3,
    "fedisplacementmap": 2, "feimage": 2, "fetile": 2,
}  # fmt: skip
MAX_FILTER_COST = 40
MAX_FILTER_EXTENT = 2.0  # the filter region, as a multiple of what it applies to (or of the viewBox)
MAX_TURBULENCE_OCTAVES = 4

NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class TooCostly(Exception):
    """An SVG that would take too much to draw; `message` is for people, `code` the API's."""

    def __init__(self, message: str, code: str = "too_complex") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _too_complex(sentence: str) -> TooCostly:
    return TooCostly(f"{sentence} Simplify the drawing, or upload it as a PNG.")


def check_parsing(*, depth: int, elements: int) -> None:
    """Called for each element as it is parsed, so a document too deep or too large is given up
    before it is read to its end."""
    if depth > MAX_SVG_DEPTH:
        raise _too_complex(f"The SVG nests elements more than {MAX_SVG_DEPTH} deep.")
    if elements > MAX_SVG_ELEMENTS:
        raise _too_complex(f"The SVG has more than {MAX_SVG_ELEMENTS:,} elements.")


_FRAGMENT_URL_RE = re.compile(r"url\(\s*['\"]?#([^'\")\s]+)")


def check_drawing(root: ET.Element, *, view_box: tuple[float, float] | None) -> None:
    """What resvg would draw, with every <use> and every url(#id) of a pattern, mask, marker, clip
    path, symbol or filter expanded (and what is only defined, in <defs> or such an element, not
    counted where it stands): at most MAX_SVG_ELEMENTS elements and filter primitives costing
    MAX_FILTER_COST, MAX_SVG_DEPTH deep, and no element that ends up drawing itself.
    Filters are also judged one by one (`_check_filter`). Precondition: every reference is a
    fragment (#id); `view_box` is the root's viewBox size, if it has a readable one."""
    for element in root.iter():
        if isinstance(element.tag, str):
            _check_filter(element, _local(element), view_box)
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    # id(element): (elements drawn, cost of the filter primitives drawn, levels from it down)
    measured: dict[int, tuple[int, int, int]] = {}
    drawing: set[int] = set()

    def references(element: ET.Element, local: str) -> list[ET.Element]:
        found: list[ET.Element] = []
        for name, value in element.attrib.items():
            is_href = name.rpartition("}")[2].lower() == "href" and local in ("use", "pattern", "feimage")
            if is_href and (target := by_id.get(value.strip()[1:])) is not None:
                found.append(target)
            for fragment in _FRAGMENT_URL_RE.findall(value):
                target = by_id.get(fragment)
                if target is not None and _local(target) in INSTANCED_ELEMENTS:
                    found.append(target)
        return found

    def measure(element: ET.Element, depth: int) -> tuple[int, int, int]:
        key = id(element)
        if key in drawing:
            raise TooCostly("The SVG has an element that draws itself (through <use> or url(#…)).", "corrupt")
        if key not in measured:
            if depth > MAX_SVG_DEPTH:
                raise _too_deep()
            drawing.add(key)
            local = _local(element)
            count, primitives, height = 1, FILTER_COSTS.get(local, 1) if local.startswith("fe") else 0, 1
            # Definitions count where they are drawn, not where they stand.
            children = [(child, _local(child) not in DEFINITIONS) for child in element if isinstance(child.tag, str)]
            for child, drawn in [*children, *((target, True) for target in references(element, local))]:
                child_count, child_primitives, child_height = measure(child, depth + 1)
                height = max(height, child_height + 1)
                if drawn:
                    count, primitives = count + child_count, primitives + child_primitives
                if count > MAX_SVG_ELEMENTS:
                    raise _too_complex(
                        f"The SVG draws more than {MAX_SVG_ELEMENTS:,} elements, counting what <use> and patterns "
                        "repeat."
                    )
                if primitives > MAX_FILTER_COST:
                    raise _too_complex(
                        "The SVG's filter effects (shadows, blurs) are too costly to draw, counting each element "
                        "they apply to."
                    )
            drawing.discard(key)
            measured[key] = count, primitives, height
        count, primitives, height = measured[key]
        if depth + height - 1 > MAX_SVG_DEPTH:
            raise _too_deep()
        return count, primitives, height

    measure(root, 1)


def _local(element: ET.Element) -> str:
    return str(element.tag).rpartition("}")[2].lower()


def _too_deep() -> TooCostly:
    return _too_complex(f"The SVG draws elements inside each other more than {MAX_SVG_DEPTH} deep.")


def _check_filter(element: ET.Element, name: str, view_box: tuple[float, float] | None) -> None:
    """Filter effects resvg draws slowly in proportion to their parameters: refused beyond what a
    drop shadow or a glow needs, so that drawing one brand image takes a second at most."""
    if name in ("femorphology", "feconvolvematrix"):
        raise _too_complex(f"The SVG uses <{str(element.tag).rpartition('}')[2]}>, a filter effect too costly to draw.")
    if name == "feturbulence" and number(element.get("numOctaves"), default=1) > MAX_TURBULENCE_OCTAVES:
        raise _too_complex(f"The SVG's <feTurbulence> has more than {MAX_TURBULENCE_OCTAVES} octaves.")
    if name == "filter":
        user_space = element.get("filterUnits", "").strip() == "userSpaceOnUse"
        for attribute, side in (("width", 0), ("height", 1)):
            text = element.get(attribute, "").strip()
            if not text:
                continue
            if text.endswith("%"):
                extent, limit = number(text[:-1], default=0) / 100, MAX_FILTER_EXTENT
            elif user_space:
                if view_box is None:
                    continue
                extent, limit = number(text, default=0), MAX_FILTER_EXTENT * view_box[side]
            else:
                extent, limit = number(text, default=0), MAX_FILTER_EXTENT
            if extent > limit:
                raise _too_complex(
                    f"The SVG's filter region is more than {MAX_FILTER_EXTENT:g} times the size of what it applies to."
                )


def number(value: str | None, *, default: float) -> float:
    """The number `value` starts with, or `default`."""
    if value is None:
        return default
    found = NUMBER_RE.match(value.strip())
    return float(found.group()) if found else default
