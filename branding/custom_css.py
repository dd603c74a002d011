"""A tenant's own CSS: parsed with tinycss2, checked against allow-lists, scoped, written back.

Custom CSS is refused, never silently cleaned: whoever saves it learns what is not allowed and
where (`CustomCssError`), and nothing is stored. What is accepted is re-serialised from the parsed
tokens, so the stored text holds only what was checked: no comments, no escapes, no markup.

What must hold for the output to be inlined in a `<style>` element of the tenant's pages:
- it holds no `<` (nothing can close the element or open a comment) and no backslash (escapes are
  how filters are dodged: `\\75 rl(` is `url(` to a browser);
- it loads nothing but the tenant's own assets: `@import`, `@font-face` and every `url()` that
  `asset_url_allowed` does not accept are refused, as are the functions that take addresses as
  strings (`image-set()` and friends) and the old script hooks (`expression()`, `behavior`,
  `-moz-binding`);
- every selector only reaches elements under the scope element (the `<body>` carrying the scope
  class): `:root`, `html` and `body` at the start of a selector become the scope itself.

`@layer` is refused: layer order is shared by every style sheet of the page and fixed by the
first declaration seen, so a tenant's `@layer` could reorder the platform's own layers.
Nested style rules (CSS nesting) are refused too, to keep the scoping rule this simple.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import tinycss2

from branding.css_scan import MAX_NESTING, scan
from branding.css_selectors import check_pseudo_arguments, join, read_compounds, root_rest
from branding.css_tokens import (
    CustomCssError,
    Node,
    literal,
    refuse_at,
    serialize,
    shown,
    split,
    statement_start,
    strip,
    unprefixed,
)

__all__ = ["MAX_NESTING", "CustomCssError", "clean_custom_css"]

DEFAULT_SCOPE = ".brand-root"
DEFAULT_MAX_BYTES = 20_000

ALLOWED_AT_RULES = frozenset({"media", "supports", "keyframes", "-webkit-keyframes"})
GROUP_AT_RULES = frozenset({"media", "supports"})
REFUSED_PROPERTIES = frozenset(
    {"behavior", "-ms-behavior", "-moz-binding", "-webkit-binding", "binding", "-o-link", "-o-link-source"}
)
ALLOWED_FUNCTIONS = frozenset(
    {
        # colours
        "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color", "color-mix", "light-dark",
        # maths and references
        "calc", "min", "max", "clamp", "round", "mod", "rem", "abs", "sign", "var", "env",
        # gradients
        "linear-gradient", "radial-gradient", "conic-gradient",
        "repeating-linear-gradient", "repeating-radial-gradient", "repeating-conic-gradient",
        # transforms
        "translate", "translatex", "translatey", "translatez", "translate3d",
        "rotate", "rotatex", "rotatey", "rotatez", "rotate3d",
        "scale", "scalex", "scaley", "scalez", "scale3d",
        "skew", "skewx", "skewy", "matrix", "matrix3d", "perspective",
        # easing
        "cubic-bezier", "steps", "linear",
        # filters
        "blur", "brightness", "contrast", "drop-shadow", "grayscale", "hue-rotate", "invert", "opacity",
        "saturate", "sepia",
        # shapes, grid, generated content
        "inset", "circle", "ellipse", "polygon", "rect", "minmax", "repeat", "fit-content", "counter", "counters",
    }
)  # fmt: skip
# Only meaningful in an @supports condition.
SUPPORTS_FUNCTIONS = frozenset({"selector", "font-tech", "font-format"})
# Functions that take an address as a plain string, where `asset_url_allowed` would never see it.
URL_STRING_FUNCTIONS = frozenset({"image-set", "cross-fade", "element", "image", "src"})

_SCOPE_RE = re.compile(r"\.[A-Za-z][A-Za-z0-9_-]*")


def clean_custom_css(
    source: str,
    *,
    asset_url_allowed: Callable[[str], bool],
    scope: str = DEFAULT_SCOPE,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """`source` checked, scoped under `scope` and re-serialised; "" when it holds no rules.
    Raises CustomCssError for anything refused (see the module's docstring), ValueError for a
    `scope` that is not a plain class selector."""
    if not _SCOPE_RE.fullmatch(scope):
        raise ValueError(f"The scope must be a class selector such as .brand-root, not {scope!r}.")
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise CustomCssError(
            f"The custom CSS is {size:,} bytes long; at most {max_bytes:,} bytes are accepted.", 1, 1, "too_large"
        )
    if not source.strip():
        return ""
    # As tinycss2 does, so both agree on line numbers.
    text = source.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    scan(text)
    cleaned = _Cleaner(asset_url_allowed=asset_url_allowed, scope=scope).stylesheet(text)
    if "<" in cleaned or "\\" in cleaned:
        raise CustomCssError("The custom CSS could not be written back safely.", 1, 1, "unsafe_output")
    # What is stored passes the same checks as input (not scoped again), so it is what was checked.
    try:
        scan(cleaned)
        _Cleaner(asset_url_allowed=asset_url_allowed, scope=None).stylesheet(cleaned)
    except CustomCssError as exc:
        raise CustomCssError("The custom CSS could not be written back safely.", 1, 1, "unsafe_output") from exc
    return cleaned


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cleaner:
    asset_url_allowed: Callable[[str], bool]
    # None when checking output that is already scoped.
    scope: str | None

    def stylesheet(self, text: str) -> str:
        rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
        return "\n".join(self.rules(rules))

    def rules(self, nodes: Iterable[Node]) -> list[str]:
        out: list[str] = []
        for node in nodes:
            if node.type == "error":
                raise refuse_at(node, "syntax", "this cannot be read as CSS.")
            if node.type == "qualified-rule":
                out.append(f"{self.selectors(node)}{{{self.declarations(node.content)}}}")
            elif node.type == "at-rule":
                out.append(self.at_rule(node))
        return out

    def at_rule(self, node: Node) -> str:
        name = node.lower_at_keyword
        if name not in ALLOWED_AT_RULES:
            raise refuse_at(node, "at_rule", _at_rule_refusal(name))
        if node.content is None:
            raise refuse_at(node, "syntax", f"@{name} needs a block: @{name} … {{ … }}.")
        if name in GROUP_AT_RULES:
            extra = SUPPORTS_FUNCTIONS if name == "supports" else frozenset()
            prelude = self.value(node.prelude, extra_functions=extra)
            if name == "supports" and not prelude:
                raise refuse_at(node, "syntax", "@supports needs a condition.")
            inner = tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True)
            body = "\n".join(self.rules(inner))
            return f"@{name} {prelude}{{{body}}}" if prelude else f"@{name}{{{body}}}"
        return self.keyframes(node, name)

    def keyframes(self, node: Node, name: str) -> str:
        prelude = strip(node.prelude)
        if len(prelude) != 1 or prelude[0].type not in ("ident", "string"):
            raise refuse_at(node, "syntax", f"@{name} needs one name.")
        frames: list[str] = []
        for frame in tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True):
            if frame.type == "error":
                raise refuse_at(frame, "syntax", "this cannot be read as a keyframe.")
            if frame.type != "qualified-rule":
                raise refuse_at(frame, "syntax", "only keyframes (from, to, 50% { … }) can be inside @keyframes.")
            selector = strip(frame.prelude)
            if not selector or not all(
                token.type in ("percentage", "whitespace")
                or (token.type == "ident" and token.lower_value in ("from", "to"))
                or literal(token, ",")
                for token in selector
            ):
                raise refuse_at(frame, "syntax", "a keyframe is named by from, to or a percentage.")
            frames.append(f"{serialize(selector)}{{{self.declarations(frame.content)}}}")
        return f"@{name} {serialize(prelude)}{{{''.join(frames)}}}"

    def declarations(self, content: Sequence[Node]) -> str:
        out: list[str] = []
        for node in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
            if node.type == "error":
                raise refuse_at(
                    statement_start(content, node), "syntax", "this cannot be read as a declaration (property: value)."
                )
            if node.type in ("qualified-rule", "at-rule"):
                raise refuse_at(
                    node,
                    "nested_rule",
                    "rules nested inside another rule are not accepted; write each rule on its own (inside "
                    "@media or @supports if needed).",
                )
            out.append(self.declaration(node))
        return ";".join(out)

    def declaration(self, node: Node) -> str:
        custom = node.name.startswith("--")
        name = node.name if custom else node.lower_name
        if name in REFUSED_PROPERTIES:
            raise refuse_at(node, "property", f"the property {name} is not allowed: it attaches script to the page.")
        value = self.value(node.value)
        if not value and not custom:
            raise refuse_at(node, "syntax", f"{name} has no value.")
        return f"{name}:{value}" + ("!important" if node.important else "")

    # -- values ------------------------------------------------------------------------------

    def value(self, tokens: Sequence[Node], *, extra_functions: frozenset[str] = frozenset()) -> str:
        tokens = strip(tokens)
        self.check_tokens(tokens, extra_functions)
        return serialize(tokens)

    def check_tokens(self, tokens: Iterable[Node], extra_functions: frozenset[str]) -> None:
        for token in tokens:
            kind = token.type
            if kind == "error":
                raise refuse_at(token, "syntax", "this value cannot be read.")
            if kind == "url":
                self.check_url(token, token.value)
            elif kind == "function":
                self.check_function(token, extra_functions)
            elif kind in ("() block", "[] block", "{} block"):
                self.check_tokens(token.content, extra_functions)

    def check_function(self, token: Node, extra_functions: frozenset[str]) -> None:
        name = token.lower_name
        plain = unprefixed(name)
        if plain == "expression":
            raise refuse_at(token, "expression", "expression() is not allowed: it runs script in old browsers.")
        if plain == "url":
            arguments = strip(token.arguments)
            if len(arguments) != 1 or arguments[0].type != "string":
                raise refuse_at(token, "url", "url() must hold one address.")
            self.check_url(token, arguments[0].value)
            return
        if plain == "selector" and plain in extra_functions:
            check_pseudo_arguments(token.arguments)
            return
        if plain in URL_STRING_FUNCTIONS:
            raise refuse_at(
                token, "function", f"{name}() is not allowed: it loads images from addresses; use url() instead."
            )
        if plain == "attr":
            raise refuse_at(token, "function", "attr() is not allowed: it copies the page's attributes into styles.")
        if plain not in ALLOWED_FUNCTIONS and plain not in extra_functions:
            raise refuse_at(token, "function", f"the function {name}() is not allowed in custom CSS.")
        self.check_tokens(token.arguments, extra_functions)

    def check_url(self, token: Node, address: str) -> None:
        if not address or not self.asset_url_allowed(address):
            raise refuse_at(
                token,
                "url",
                f"url({shown(address)}) is not allowed: custom CSS can only use images uploaded for this brand.",
            )

    # -- selectors ---------------------------------------------------------------------------

    def selectors(self, rule: Node) -> str:
        out = []
        for selector in split(strip(rule.prelude), ","):
            selector = strip(selector)
            if not selector:
                raise refuse_at(rule, "selector", "a rule needs a selector before its { … }.")
            parts = read_compounds(selector, rule)
            out.append(self.scoped(parts) if self.scope is not None else join(parts).lstrip())
        return ", ".join(out)

    def scoped(self, compounds: list[tuple[str, list[Node]]]) -> str:
        """`compounds` under the scope. A leading run of `:root`, `html` or `body` compounds (joined
        by descendant or child combinators) becomes the scope compound, keeping their classes and
        pseudo-classes: that element is the scope element, or stands for it."""
        assert self.scope is not None
        head = self.scope
        taken = 0
        for combinator, compound in compounds:
            rest = root_rest(compound)
            if rest is None or combinator not in (("",) if taken == 0 else (" ", ">")):
                break
            head += serialize(rest)
            taken += 1
        remaining = compounds[taken:]
        if not remaining:
            return head
        if taken == 0 and remaining[0][0] == "":
            remaining = [(" ", remaining[0][1]), *remaining[1:]]
        return head + join(remaining)


def _at_rule_refusal(name: str) -> str:
    reasons = {
        "import": "custom CSS cannot load other style sheets",
        "font-face": "custom CSS cannot load fonts",
        "charset": "the CSS is always read as UTF-8",
        "namespace": "it changes how every selector of the page is read",
        "layer": "the order of layers is shared with the platform's own style sheets",
        "document": "it applies styles by address, outside this workspace's pages",
        "-moz-document": "it applies styles by address, outside this workspace's pages",
    }
    reason = reasons.get(name, "only @media, @supports and @keyframes can be used")
    return f"@{name} is not allowed: {reason}."
