"""branding.custom_css, what is refused: anything that could load, run or reach outside the
tenant's pages, other at-rules, too much and broken CSS, each with a reason and its place; random
style sheets are refused for a reason or kept scoped and safe. Pure functions; no database."""

from __future__ import annotations

import random
import re
import time

import pytest

from branding.custom_css import CustomCssError
from tests.support.custom_css import ASSET, clean, refusal, selectors_of

# ---------------------------------------------------------------------------------------------
# What is refused
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("@import url(x.css);", "at_rule"),
        ('@import "x.css";', "at_rule"),
        ("@IMPORT 'x.css';", "at_rule"),
        ("a{background:url(javascript:alert(1))}", "url"),
        ("a{background:url('javascript:alert(1)')}", "url"),
        ('a{background:url("JaVaScRiPt:alert(1)")}', "url"),
        ("a{background:url(data:image/svg+xml;base64,PHN2Zz4=)}", "url"),
        ("a{background:url(//evil.example/x.png)}", "url"),
        ("a{background:url(https://evil.example/x.png)}", "url"),
        ("a{background:url(http://evil.example/x.png)}", "url"),
        ("a{background:url(../../admin/x.png)}", "url"),
        ("a{background:url()}", "url"),
        ("a{background:url(  )}", "url"),
        ("a{background:url(x.png, y)}", "url"),
        ("a{background:expression(alert(1))}", "expression"),
        ("a{width:expression(document.body.clientWidth)}", "expression"),
        ("a{width:EXPRESSION(1)}", "expression"),
        ("a{width:-ms-expression(1)}", "expression"),
        ("a{behavior:url(x.htc)}", "property"),
        ("a{-ms-behavior:url(x.htc)}", "property"),
        ("a{-moz-binding:url(https://evil.example/x.xml#x)}", "property"),
        ("a{-webkit-binding:url(x)}", "property"),
        ("a{BEHAVIOR:url(x.htc)}", "property"),
        ("a{b:\\65 xpression(alert(1))}", "escape"),
        ("a{background:u\\72l(javascript:alert(1))}", "escape"),
        ("a{content:'\\3c/style>'}", "escape"),
        ("/* \\ */ a{}", "escape"),
        ("</style><script>alert(1)</script>", "markup"),
        ("<!-- a{color:red} -->", "markup"),
        ("a{content:'</style>'}", "markup"),
        ("/* </style> */", "markup"),
        ("@media (width < 600px) { a { color: red } }", "markup"),
        ("a{b:ur/**/l(javascript:alert(1))}", "function"),
        ("a{b:exp/**/ression(alert(1))}", "function"),
        ("@im/**/port 'x.css';", "at_rule"),
        ("a{background-image:image-set('x.png' 1x)}", "function"),
        ("a{background-image:-webkit-image-set(url(x.png) 1x)}", "function"),
        ("a{background-image:cross-fade(url(a.png), url(b.png), 50%)}", "function"),
        ("a{background-image:-moz-element(#x)}", "function"),
        ("a{background-image:element(#x)}", "function"),
        ("a{background-image:image('x.png')}", "function"),
        ("a{background-image:src('x.png')}", "function"),
        ("a{content:attr(data-secret)}", "function"),
        ("a{background:paint(worklet)}", "function"),
        ("a{width:evil(1)}", "function"),
        ("a{color:rgb(0, 0, url(javascript:x))}", "url"),
        ("a{b:var(--x, url(javascript:x))}", "url"),
        ("a{b:c}\x00", "control_character"),
        ("a{b:c\x01}", "control_character"),
        ("a{content:'\x7f'}", "control_character"),
        ("a{content:'\x85'}", "control_character"),
    ],
)
def test_clean_custom_css_refuses_attacks(source: str, code: str) -> None:
    assert refusal(source).code == code


@pytest.mark.parametrize(
    "at_rule",
    [
        "@charset 'utf-8';",
        "@namespace svg url(http://www.w3.org/2000/svg);",
        "@font-face { font-family: x; src: url(/brand/assets/3f2a9c41d7e8b605.png) }",
        "@document url-prefix(https://evil.example) { a { color: red } }",
        "@-moz-document url-prefix() { a { color: red } }",
        "@page { margin: 0 }",
        "@property --x { syntax: '*'; inherits: false }",
        "@layer base, components;",
        "@layer base { a { color: red } }",
        "@container (min-width: 1px) { a { color: red } }",
        "@counter-style x { system: cyclic }",
        "@scope (.card) { a { color: red } }",
    ],
)
def test_clean_custom_css_refuses_every_other_at_rule(at_rule: str) -> None:
    error = refusal(f".ok {{ color: red }}\n{at_rule}")
    assert error.code == "at_rule"
    assert error.line == 2 and error.column == 1


def test_clean_custom_css_names_the_refused_address() -> None:
    error = refusal("a { background: url('https://evil.example/track.png') }")
    assert "https://evil.example/track.png" in error.message
    assert "uploaded for this brand" in error.message


def test_clean_custom_css_says_why_import_is_refused() -> None:
    error = refusal("a{}\n  @import 'https://evil.example/x.css';")
    assert error.message == "Line 2, column 3: @import is not allowed: custom CSS cannot load other style sheets."
    assert (error.line, error.column) == (2, 3)


def test_clean_custom_css_too_large_counts_utf8_bytes() -> None:
    # given fewer characters than the limit but more bytes
    source = "/*" + "é" * 9_999 + "*/"
    assert len(source) < 20_000 < len(source.encode())
    # when
    error = refusal(source)
    # then
    assert error.code == "too_large"
    assert "20,000 bytes" in error.message


def test_clean_custom_css_a_very_long_input_is_refused_before_parsing() -> None:
    started = time.perf_counter()
    error = refusal("a{color:red}" * 1_000_000)
    assert error.code == "too_large"
    assert time.perf_counter() - started < 0.5


def test_clean_custom_css_a_long_accepted_input_is_quick() -> None:
    source = "\n".join(f".c{i} > a:hover {{ color: rgb({i % 255} 0 0); margin: {i}px }}" for i in range(350))
    assert len(source) < 20_000
    started = time.perf_counter()
    css = clean(source)
    assert len(selectors_of(css)) == 350
    assert time.perf_counter() - started < 1.0


def test_clean_custom_css_limit_can_be_set() -> None:
    assert refusal("a{color:red}", max_bytes=5).code == "too_large"


@pytest.mark.parametrize(
    ("source", "code", "line", "column"),
    [
        ("a { color: red", "syntax", 1, 3),
        ("a { color: red }\n}", "syntax", 2, 1),
        ("a { color: red )", "syntax", 1, 16),
        (".a {\n  color: red;\n  margin 0;\n}", "syntax", 3, 3),
        ("garbage", "syntax", 1, 1),
        ("a { b: 'unclosed\n }", "syntax", 1, 8),
        ("/* never closed", "syntax", 1, 1),
        ("{ color: red }", "selector", 1, 1),
        ("a, { color: red }", "selector", 1, 1),
        ("1a { color: red }", "selector", 1, 1),
        ("a > { color: red }", "selector", 1, 1),
        ("a > > b { color: red }", "selector", 1, 5),
        ("a:: { color: red }", "selector", 1, 2),
        ("a[href=url(x)] { color: red }", "selector", 1, 2),
        ("a { color: }", "syntax", 1, 5),
        (".a { .b { color: red } }", "nested_rule", 1, 6),
        (".a { &:hover { color: red } }", "nested_rule", 1, 6),
        (".a { @media print { color: red } }", "nested_rule", 1, 6),
        ("@media print;", "syntax", 1, 1),
        ("@supports { a { color: red } }", "syntax", 1, 1),
        ("@keyframes { to { opacity: 1 } }", "syntax", 1, 1),
        ("@keyframes k { sometimes { opacity: 1 } }", "syntax", 1, 16),
        ("a { b: url(x y) }", "url", 1, 8),
        ("(" * 40 + ")" * 40, "syntax", 1, 25),
    ],
)
def test_clean_custom_css_explains_broken_css_with_its_place(source: str, code: str, line: int, column: int) -> None:
    error = refusal(source)
    assert (error.code, error.line, error.column) == (code, line, column)


SELECTOR_PARTS = [
    "a", ".b", "#c", "*", "body", "html", ":root", "body.x", "a:hover", "a::before", "[x='y\"']", "a > b", "a + b",
    "a ~ b", "li:nth-child(2n+1)", ":not(.a, .b)", ":is(a)", "&", "html body", "x|y", "*|*", "1", ">", "{",
]  # fmt: skip
VALUE_PARTS = [
    "red", "1px", "-1e3px", "calc(1px + 2%)", f"url({ASSET})", f"url('{ASSET}')", "url(x.png)", "'a\"b'", "\"c'd\"",
    "#fff", "rgb(0 0 0 / 5%)", "var(--x)", "{a:b}", "a/**/b", "U+26", "-->", "!important", "@x", "ur/**/l(x)", "%",
    "[a]", "(b)", "expression(1)", "attr(x)", ";", "}", "\\", "<",
]  # fmt: skip


def random_css(rng: random.Random, depth: int = 0) -> str:
    """Style sheets that are mostly well formed, with the odd part that is not."""
    roll = rng.random()
    if roll < 0.15 and depth < 3:
        condition = rng.choice(["print", "(min-width: 1px)", "screen and (x)", ""])
        return f"@media {condition}{{{random_css(rng, depth + 1)} {random_css(rng, depth + 1)}}}"
    if roll < 0.2 and depth < 3:
        return f"@supports (display: grid) {{{random_css(rng, depth + 1)}}}"
    selector = ", ".join(" ".join(rng.choices(SELECTOR_PARTS, k=rng.randint(1, 3))) for _ in range(rng.randint(1, 2)))
    declarations = ";".join(
        rng.choice(["color", "--x", "margin", "content"])
        + ":"
        + " ".join(rng.choices(VALUE_PARTS, k=rng.randint(0, 3)))
        for _ in range(rng.randint(0, 3))
    )
    if roll < 0.25:
        return f"@keyframes k{{from{{{declarations}}}}}"
    return f"{selector}{{{declarations}}}"


def test_clean_custom_css_random_style_sheets_are_refused_or_scoped_and_safe() -> None:
    rng = random.Random(1)
    accepted = 0
    for _ in range(3000):
        # given
        source = "\n".join(random_css(rng) for _ in range(rng.randint(1, 4)))
        # when
        try:
            css = clean(source)
        except CustomCssError as error:
            # then a refusal is always one of the reasons people are told about
            assert error.code != "unsafe_output", source
            continue
        # then what is accepted is scoped and holds nothing refused
        accepted += 1
        assert "<" not in css and "\\" not in css
        assert not re.search(r"expression|attr\(|url\(x", css)
        for selector in selectors_of(css):
            assert selector.startswith(".brand-root"), (source, css)
    assert accepted > 200


def test_clean_custom_css_never_raises_anything_else_on_garbage() -> None:
    rng = random.Random(2)
    alphabet = [*"abcxyz-_ :;,.#>+~*&!%@'\"(){}[]/=0123456789\n\t\\<\x00é", "url(", "body", ":root", "@media", "/*"]
    for _ in range(3000):
        source = "".join(rng.choices(alphabet, k=rng.randrange(1, 60)))
        try:
            css = clean(source)
        except CustomCssError:
            continue
        assert "<" not in css and "\\" not in css
