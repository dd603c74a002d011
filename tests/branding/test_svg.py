"""SVG brand images: refused, with a sentence naming what was found, when they hold anything active
or anything from elsewhere; stored as svg-hush writes them otherwise. No database."""

from __future__ import annotations

import io

import pytest
import resvg_py
from defusedxml.ElementTree import fromstring
from PIL import Image, ImageChops

from branding.image_errors import ImageRejected
from branding.images import process_brand_image
from tests.support.branding import CLEAN_LOGO, SVG_OPEN, svg


def refused(data: bytes, kind: str = "logo") -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        process_brand_image(data, kind=kind)
    return caught.value


def render(data: bytes) -> Image.Image:
    png = resvg_py.svg_to_bytes(svg_string=data.decode(), width=240, height=80)
    return Image.open(io.BytesIO(bytes(png))).convert("RGBA")


# ---------------------------------------------------------------------------------------------
# Accepted
# ---------------------------------------------------------------------------------------------


def test_process_brand_image_accepts_a_clean_svg_logo_unchanged_in_meaning() -> None:
    # given
    data = CLEAN_LOGO.encode()
    # when
    result = process_brand_image(data, kind="logo")
    # then it is stored as SVG, parses, and draws exactly as the upload did
    assert (result.content_type, result.extension, result.width, result.height) == ("image/svg+xml", "svg", 120, 40)
    root = fromstring(result.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 120 40"
    assert ImageChops.difference(render(data), render(result.content)).getbbox() is None
    assert render(result.content).getbbox() is not None


def test_process_brand_image_is_deterministic_for_svg() -> None:
    data = CLEAN_LOGO.encode()
    assert process_brand_image(data, kind="logo") == process_brand_image(data, kind="logo")


def test_process_brand_image_accepts_editor_metadata_with_addresses() -> None:
    # given what Inkscape writes: licence metadata, which is neither drawn nor followed
    data = svg(
        """<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
             xmlns:cc="http://creativecommons.org/ns#">
             <cc:Work rdf:about=""><cc:license rdf:resource="http://creativecommons.org/licenses/by/4.0/"/></cc:Work>
           </rdf:RDF></metadata>
           <sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" pagecolor="#fff"
             xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" inkscape:label="Layer metadata: 1"/>
           <rect width="120" height="40" fill="#4f46e5"/>"""
    )
    assert process_brand_image(data, kind="logo").content_type == "image/svg+xml"


@pytest.mark.parametrize(
    ("root", "size"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">', (200, 50)),
        ('<svg xmlns="http://www.w3.org/2000/svg" width="200px" height="50px" viewBox="0 0 20 5">', (200, 50)),
        ('<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="100%" viewBox="0 0 64 16">', (64, 16)),
        ('<svg xmlns="http://www.w3.org/2000/svg" width="25.4mm" height="6.35mm">', (96, 24)),
        ('<svg xmlns="http://www.w3.org/2000/svg" height="30" viewBox="0,0,40,10">', (120, 30)),
    ],
)
def test_process_brand_image_measures_an_svg_from_its_size_attributes(root: str, size: tuple[int, int]) -> None:
    result = process_brand_image(svg('<rect width="10" height="10"/>', root=root), kind="logo")
    assert (result.width, result.height) == size


# ---------------------------------------------------------------------------------------------
# Refused: every vector, each with its own sentence
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (svg("<script>alert(1)</script>"), "script element (<script>)"),
        (svg('<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>'), "<script>"),
        (svg('<SCRIPT xmlns="">alert(1)</SCRIPT>'), "<script>"),
        (svg("", root=SVG_OPEN.replace("<svg ", '<svg onload="alert(1)" ')), "event handler (onload on <svg>)"),
        (svg('<rect width="1" height="1" ONLOAD="alert(1)"/>'), "event handler (ONLOAD on <rect>)"),
        (svg('<rect x:onclick="alert(1)" xmlns:x="urn:x"/>'), "event handler (onclick"),
        (svg('<a href="javascript:alert(1)"><rect width="1" height="1"/></a>'), 'href="javascript:alert(1)"'),
        (svg('<a xlink:href="javascript:alert(1)"><rect/></a>'), 'href="javascript:alert(1)" on <a>'),
        (svg('<image href="https://evil.example/track.png" width="1" height="1"/>'), "on <image>"),
        (svg('<use href="http://evil.example/sprite.svg#x"/>'), "on <use>"),
        (svg('<use href="sprite.svg#x"/>'), "another file"),
        (svg('<image href="/etc/passwd"/>'), "another file"),
        (svg('<image href="data:image/png;base64,iVBORw0KGgo="/>'), "on <image>"),
        (svg('<filter id="f"><feImage href="https://evil.example/x.png"/></filter>'), "on <feImage>"),
        (svg('<pattern id="p" xlink:href="https://evil.example/p.svg#p"/>'), "on <pattern>"),
        (
            svg('<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml"/></foreignObject>'),
            "<foreignObject>",
        ),
        (
            svg('<html:iframe xmlns:html="http://www.w3.org/1999/xhtml" src="https://evil.example"/>'),
            "HTML element (<iframe>)",
        ),
        (svg('<iframe src="https://evil.example"/>'), "<iframe> element"),
        (svg('<embed src="x.swf"/>'), "<embed> element"),
        (svg('<object data="x.pdf"/>'), "<object> element"),
        (svg("<style>@import url(https://evil.example/x.css);</style>"), "imports another style sheet (@import)"),
        (svg("<style>@IMPORT 'x.css';</style>"), "@import"),
        (svg("<style>rect { fill: url(https://evil.example/x.svg#p) }</style>"), "<style> element"),
        (svg("<style>rect { fill: url(//evil.example/x.svg#p) }</style>"), "url(//evil.example/x.svg#p)"),
        (svg("<style>rect { background: u\\72l(x) }</style>"), "CSS escapes"),
        (svg("<style><![CDATA[ rect { fill: red } </style><script>alert(1)</script> ]]></style>"), "markup"),
        (svg('<rect style="fill:url(https://evil.example/x.svg#p)"/>'), "style attribute of <rect>"),
        (svg('<rect style="fill:url(&quot;data:image/svg+xml,x&quot;)"/>'), "(in style on <rect>)"),
        (svg("<rect style=\"background-image: image-set('x.png' 1x)\"/>"), "image-set()"),
        (svg('<rect fill="url(https://evil.example/x.svg#p)"/>'), "fill on <rect>"),
        (svg('<rect fill="url(other.svg#p)"/>'), "url(other.svg#p) in fill on <rect>"),
        (svg('<rect filter="java&#9;script:alert(1)"/>'), "address"),
        (svg('<animate attributeName="href" to="javascript:alert(1)"/>'), "animates the href attribute"),
        (svg('<animate attributeName="xlink:href" values="#a;javascript:alert(1)"/>'), "animates the xlink:href"),
        (svg('<set attributeName="onclick" to="alert(1)"/>'), "animates the onclick attribute"),
        (svg('<animateTransform attributeName="onmouseover" to="alert(1)"/>'), "animates the onmouseover"),
        (
            b'<?xml version="1.0"?><?xml-stylesheet href="https://evil.example/x.css"?>' + svg(""),
            "processing instruction",
        ),
        (svg('<g xml:base="https://evil.example/"><use href="#x"/></g>'), "base address"),
        (svg("<style>rect { fill: red }<x/>@import url(https://evil.example/x.css);</style>"), "@import"),
        (svg('<animate attributeName="fill" values="#a; data:image/svg+xml,x"/>'), "data:image"),
    ],
)
def test_process_brand_image_refuses_active_or_external_svg(data: bytes, named: str) -> None:
    # when
    error = refused(data)
    # then
    assert error.code == "svg_unsafe"
    assert named in error.message
    assert error.message.endswith("Brand images must be plain, self-contained drawings.")


def test_process_brand_image_refuses_an_xxe_svg() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + svg("<text>&x;</text>")
    error = refused(data)
    assert error.code == "svg_unsafe"
    assert "document type declaration" in error.message


def test_process_brand_image_refuses_a_billion_laughs_svg() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    data = f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY l0 "lol">{entities}]>'.encode() + svg("<text>&l9;</text>")
    error = refused(data)
    assert error.code == "svg_unsafe"
    assert "document type declaration" in error.message


def test_process_brand_image_refuses_even_a_plain_svg_doctype() -> None:
    doctype = b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
    assert refused(doctype + svg('<rect width="1" height="1"/>')).code == "svg_unsafe"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (svg('<rect width="1" height="1"/>', root='<svg xmlns="http://www.w3.org/2000/svg">'), "corrupt"),
        (svg("", root='<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 0 10">'), "corrupt"),
        (svg("", root='<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ten 10">'), "corrupt"),
        (svg("", root='<svg xmlns="http://www.w3.org/2000/svg" width="-5" height="10">'), "too_large_dimensions"),
        (svg("", root='<svg xmlns="http://www.w3.org/2000/svg" width="10" height="1e9">'), "too_large_dimensions"),
        (svg("", root='<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1">'), "corrupt"),
        (svg("", root='<svg xmlns="http://www.w3.org/2000/svg" width="12qq" height="10">'), "corrupt"),
        (b'<svg viewBox="0 0 10 10"><rect width="1" height="1"/></svg>', "corrupt"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="1"', "corrupt"),
    ],
)
def test_process_brand_image_refuses_an_svg_without_a_sane_size_or_structure(data: bytes, code: str) -> None:
    assert refused(data).code == code


def test_process_brand_image_refuses_a_non_square_svg_icon_but_takes_it_as_a_logo() -> None:
    data = svg('<rect width="120" height="40"/>')
    assert refused(data, kind="icon").code == "not_square"
    assert process_brand_image(data, kind="logo").width == 120


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><note><to>someone</to></note>',
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body><svg xmlns="http://www.w3.org/2000/svg"/></body></html>',
        b"<!DOCTYPE html><html><body><p>hello</p></body></html>",
    ],
)
def test_process_brand_image_xml_that_is_not_svg_is_another_type(data: bytes) -> None:
    assert refused(data).code == "unsupported_type"


# ---------------------------------------------------------------------------------------------
# Too complex to draw safely
# ---------------------------------------------------------------------------------------------


def nested(levels: int) -> bytes:
    return svg("<g>" * levels + '<rect width="5" height="5"/>' + "</g>" * levels)


def use_bomb(levels: int) -> bytes:
    """Each group draws the previous one ten times: 10 ** levels rectangles from a few hundred bytes."""
    groups = [f'<g id="g{i}">' + f'<use href="#g{i - 1}"/>' * 10 + "</g>" for i in range(1, levels)]
    return svg(f'<defs><rect id="g0" width="1" height="1"/>{"".join(groups[:-1])}</defs>{groups[-1]}')


def pattern_bomb(levels: int) -> bytes:
    """Each pattern fills ten stripes with the previous pattern."""
    patterns = ['<pattern id="p0" width="1" height="1"><rect width="1" height="1" fill="red"/></pattern>']
    for i in range(1, levels):
        stripes = "".join(f'<rect x="{j}" width="1" height="10" fill="url(#p{i - 1})"/>' for j in range(10))
        patterns.append(f'<pattern id="p{i}" width="10" height="10" patternUnits="userSpaceOnUse">{stripes}</pattern>')
    return svg(f'<defs>{"".join(patterns)}</defs><rect width="100" height="100" fill="url(#p{levels - 1})"/>')


def test_process_brand_image_accepts_nesting_up_to_the_limit() -> None:
    # the root, 30 groups and the rectangle: 32 levels
    assert process_brand_image(nested(30), kind="logo").content_type == "image/svg+xml"
    assert process_brand_image(use_bomb(4), kind="logo").content_type == "image/svg+xml"


@pytest.mark.parametrize(
    ("data", "named"),
    [
        # resvg recurses per level and would overflow its stack (a crash, not an error) on these
        (nested(31), "nests elements more than 32 deep"),
        (nested(100_000), "nests elements more than 32 deep"),
        (use_bomb(6), "draws more than 10,000 elements"),
        (pattern_bomb(6), "draws more than 10,000 elements"),
        (svg('<rect width="1" height="1"/>' * 10_001), "more than 10,000 elements"),
        (
            svg("<defs>" + "".join(f'<g id="g{i}"><use href="#g{i - 1}"/></g>' for i in range(1, 40)) + "</defs>"),
            "inside each other more than 32 deep",
        ),
    ],
)
def test_process_brand_image_refuses_an_svg_too_complex_to_draw(data: bytes, named: str) -> None:
    error = refused(data)
    assert error.code == "too_complex"
    assert named in error.message


@pytest.mark.parametrize(
    "body",
    ['<g id="a"><use href="#a"/></g>', '<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>'],
)
def test_process_brand_image_refuses_an_svg_that_draws_itself(body: str) -> None:
    assert refused(svg(body)).code == "corrupt"


DROP_SHADOW = (
    '<filter id="{id}" x="6" y="6" width="88" height="88" filterUnits="userSpaceOnUse" '
    'color-interpolation-filters="sRGB"><feFlood flood-opacity="0" result="BackgroundImageFix"/>'
    '<feColorMatrix in="SourceAlpha" type="matrix" values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 127 0" '
    'result="hardAlpha"/><feOffset dy="4"/><feGaussianBlur stdDeviation="2"/>'
    '<feComposite in2="hardAlpha" operator="out"/>'
    '<feColorMatrix type="matrix" values="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0.25 0"/>'
    '<feBlend mode="normal" in2="BackgroundImageFix" result="effect1_dropShadow"/>'
    '<feBlend mode="normal" in="SourceGraphic" in2="effect1_dropShadow" result="shape"/></filter>'
)
SQUARE = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'


def test_process_brand_image_accepts_drop_shadows_as_design_tools_export_them() -> None:
    # given three shapes, each with the drop shadow a design tool writes (eight primitives)
    shadows = "".join(DROP_SHADOW.format(id=f"s{i}") for i in range(3))
    shapes = "".join(f'<g filter="url(#s{i})"><rect x="{10 + i}" y="6" width="80" height="80"/></g>' for i in range(3))
    # when / then
    assert process_brand_image(svg(f"<defs>{shadows}</defs>{shapes}", root=SQUARE), kind="icon").width == 100


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ('<filter id="f"><feMorphology radius="100"/></filter>', "<feMorphology>"),
        (
            '<filter id="f"><feConvolveMatrix order="3" kernelMatrix="1 1 1 1 1 1 1 1 1"/></filter>',
            "<feConvolveMatrix>",
        ),
        ('<filter id="f"><feTurbulence baseFrequency="0.05" numOctaves="1000"/></filter>', "more than 4 octaves"),
        ('<filter id="f" x="-5" y="-5" width="10" height="10"><feFlood/></filter>', "filter region"),
        ('<filter id="f" width="1000%" height="120%"><feFlood/></filter>', "filter region"),
        ('<filter id="f" filterUnits="userSpaceOnUse" width="1000" height="100"><feFlood/></filter>', "filter region"),
        ('<filter id="f">' + '<feGaussianBlur stdDeviation="5"/>' * 11 + "</filter>", "too costly"),
        (
            '<defs><filter id="f">'
            + '<feGaussianBlur stdDeviation="5"/>' * 3
            + "</filter></defs>"
            + '<rect width="9" height="9" filter="url(#f)"/>' * 4,
            "too costly",
        ),
    ],
)
def test_process_brand_image_refuses_filters_too_costly_to_draw(body: str, named: str) -> None:
    # given a filter applied to the whole drawing
    data = svg(body + '<rect width="100" height="100" filter="url(#f)"/>', root=SQUARE)
    # when
    error = refused(data, kind="icon")
    # then
    assert error.code == "too_complex"
    assert named in error.message
