"""branding.custom_css, what is kept: a tenant's CSS is stored scoped to its pages and
re-serialised from its tokens, the same when cleaned again. Pure functions; no database."""

from __future__ import annotations

import pytest

from branding.custom_css import CustomCssError, clean_custom_css
from tests.support.custom_css import ASSET, clean, refusal, selectors_of

# ---------------------------------------------------------------------------------------------
# What is kept
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["", "   \n\t ", "/* nothing here */", "\n/* a */ /* b */\n"])
def test_clean_custom_css_nothing_to_keep_is_empty(source: str) -> None:
    assert clean(source) == ""


@pytest.mark.parametrize(
    ("selector", "scoped"),
    [
        (".btn", ".brand-root .btn"),
        ("a, b", ".brand-root a, .brand-root b"),
        ("a:hover > .x::before", ".brand-root a:hover > .x::before"),
        ("*", ".brand-root *"),
        (":root", ".brand-root"),
        ("body", ".brand-root"),
        ("HTML", ".brand-root"),
        ("body.auth .card", ".brand-root.auth .card"),
        ("html body .x", ".brand-root .x"),
        ("html > body.auth > .x", ".brand-root.auth > .x"),
        (":root:has(.modal-open) .page", ".brand-root:has(.modal-open) .page"),
        ("body + .x", ".brand-root + .x"),
        ("> .direct", ".brand-root > .direct"),
        (".x :root", ".brand-root .x :root"),
        ("input[type='text' i]:not(.a, .b)", '.brand-root input[type="text" i]:not(.a, .b)'),
        # tinycss2 keeps `2n` and `+1` apart with an empty comment, which An+B allows
        ("li:nth-child(2n+1)", ".brand-root li:nth-child(2n/**/+1)"),
        ("#main .body", ".brand-root #main .body"),
    ],
)
def test_clean_custom_css_scopes_every_selector(selector: str, scoped: str) -> None:
    assert clean(f"{selector} {{ color: red }}") == f"{scoped}{{color:red}}"


def test_clean_custom_css_scopes_inside_nested_media_and_supports() -> None:
    # given
    source = """
    @media (min-width: 600px) {
      .a { color: red }
      @supports (display: grid) and selector(:has(a)) {
        body .grid { display: grid }
        @media print { :root { --brand-primary: #000 } }
      }
    }
    """
    # when
    css = clean(source)
    # then
    assert selectors_of(css) == [".brand-root .a", ".brand-root .grid", ".brand-root"]
    assert css.startswith("@media (min-width: 600px){")
    assert "@supports (display: grid) and selector(:has(a)){" in css
    assert "@media print{" in css


def test_clean_custom_css_with_another_scope() -> None:
    assert clean(":root .x { color: red }", scope=".tenant-acme") == ".tenant-acme .x{color:red}"


@pytest.mark.parametrize("scope", ["body", ".a .b", ".a{}", "", ".1a", ".a</style>"])
def test_clean_custom_css_refuses_a_scope_that_is_not_one_class(scope: str) -> None:
    with pytest.raises(ValueError) as caught:
        clean("a{color:red}", scope=scope)
    assert not isinstance(caught.value, CustomCssError)


def test_clean_custom_css_keyframes_are_not_scoped_but_checked() -> None:
    # given
    source = "@keyframes pulse { from { opacity: 0 } 50%, 75% { opacity: .5 } to { transform: scale(1.1) } }"
    # when / then
    assert clean(source) == "@keyframes pulse{from{opacity:0}50%, 75%{opacity:.5}to{transform:scale(1.1)}}"
    assert clean("@-webkit-keyframes p { to { opacity: 1 } }") == "@-webkit-keyframes p{to{opacity:1}}"
    assert refusal("@keyframes p { to { background: url(javascript:alert(1)) } }").code == "url"
    assert refusal("@keyframes p { to { width: expression(alert(1)) } }").code == "expression"


def test_clean_custom_css_keeps_important_and_custom_properties() -> None:
    # given
    source = ":root { --brand-primary: #123456; --Gap: calc(1rem + 2px) } .x { color: var(--x) !important }"
    # when
    css = clean(source)
    # then
    assert (
        css == ".brand-root{--brand-primary:#123456;--Gap:calc(1rem + 2px)}\n.brand-root .x{color:var(--x)!important}"
    )


@pytest.mark.parametrize(
    "value", ["url(javascript:alert(1))", "expression(alert(1))", "image-set('https://evil.example/x.png' 1x)"]
)
def test_clean_custom_css_checks_custom_property_values_too(value: str) -> None:
    refusal(f":root {{ --x: {value} }}")


def test_clean_custom_css_keeps_the_brands_own_assets() -> None:
    # given both spellings of url()
    source = f".hero {{ background: url({ASSET}) no-repeat, url('{ASSET}') }}"
    # when
    css = clean(source)
    # then
    assert css == f'.brand-root .hero{{background:url({ASSET}) no-repeat, url("{ASSET}")}}'


def test_clean_custom_css_asks_the_caller_about_each_exact_address() -> None:
    # given
    asked: list[str] = []

    def allowed(url: str) -> bool:
        asked.append(url)
        return True

    # when
    clean_custom_css("a { background: url( /x.png ) } b { background: url(' /y.png') }", asset_url_allowed=allowed)
    # then (each address once for the input, once for the check of the output)
    assert sorted(set(asked)) == [" /y.png", "/x.png"]


def test_clean_custom_css_allows_the_listed_functions() -> None:
    source = """.x {
      color: color-mix(in oklch, rgb(0 0 0 / 50%), hsl(120deg 50% 50%));
      background: repeating-linear-gradient(45deg, oklch(0.7 0.1 200), lab(50% 40 59) 10px),
                  -webkit-linear-gradient(top, #fff, #000);
      width: clamp(10px, min(50vw, 600px), max(1rem, env(safe-area-inset-left)));
      transform: translate3d(1px, 2px, 0) rotate(3deg) scale(1.1) skewX(2deg) matrix(1, 0, 0, 1, 0, 0);
      transition: opacity 1s cubic-bezier(.2, .8, .2, 1), color 1s steps(4, end);
      filter: blur(2px) drop-shadow(0 0 2px hsla(0, 0%, 0%, .5)) hue-rotate(90deg);
      clip-path: polygon(0 0, 100% 0, 50% 100%);
      grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)) fit-content(200px);
      content: counter(item) ". ";
    }"""
    css = clean(source)
    assert css.startswith(".brand-root .x{color:color-mix(in oklch, rgb(0 0 0 / 50%), hsl(120deg 50% 50%));")
    assert 'content:counter(item) ". "' in css


def test_clean_custom_css_output_is_re_serialised_from_tokens() -> None:
    # given comments, odd spacing and single quotes
    source = "/* header */\n.a{/* inside */color :  red ;;; margin:0  auto}\n\n\n.b  >  .c{content:'it\"s'}"
    # when
    css = clean(source)
    # then
    assert css == ".brand-root .a{color:red;margin:0  auto}\n.brand-root .b > .c{content:'it\"s'}"
    assert "header" not in css and "inside" not in css


def test_clean_custom_css_output_is_stable_when_cleaned_again_unscoped() -> None:
    # given a realistic style sheet
    source = """
    :root { --brand-primary: #0f766e }
    body.login .card { border-radius: 12px; box-shadow: 0 1px 2px rgb(0 0 0 / 10%) }
    @media (prefers-color-scheme: dark) { .card { background: #111 } }
    .hero { background: url(/brand/assets/3f2a9c41d7e8b605.png) center / cover }
    @keyframes fade { from { opacity: 0 } to { opacity: 1 } }
    """
    # when cleaned, and its output cleaned again with the scope already in place
    once = clean(source)
    twice = clean(once)
    # then the second pass only adds the scope again, in front of each selector
    assert twice.replace(".brand-root .brand-root", ".brand-root") == once
    assert "<" not in once and "\\" not in once
