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
from typing import Any

import tinycss2
from tinycss2.ast import StringToken

# tinycss2's nodes carry no type hints.
Node = Any

DEFAULT_SCOPE = ".brand-root"
DEFAULT_MAX_BYTES = 20_000
# Brackets nested deeper than this are refused before parsing, so nothing below recurses without end.
MAX_NESTING = 24

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
VENDOR_PREFIXES = ("-webkit-", "-moz-", "-ms-", "-o-")
ROOT_TYPES = frozenset({"html", "body"})

_SCOPE_RE = re.compile(r"\.[A-Za-z][A-Za-z0-9_-]*")
_SELECTOR_COMBINATORS = frozenset({">", "+", "~"})
_ATTRIBUTE_OPERATORS = frozenset({"=", "~=", "|=", "^=", "$=", "*=", "|"})
_CLOSERS = {"}": "{", ")": "(", "]": "["}
# <, backslash, C0 controls but tab and newline (the others are normalised to newline first), DEL,
# C1 controls, lone surrogates.
_FORBIDDEN_RE = re.compile("[<\\\\\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class CustomCssError(ValueError):
    """Custom CSS that is refused as a whole. `message` is for people and names the place;
    `line` and `column` (1-based) point at it; `code` is for the API."""

    def __init__(self, message: str, line: int, column: int, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code


def _refuse(code: str, line: int, column: int, sentence: str) -> CustomCssError:
    return CustomCssError(f"Line {line}, column {column}: {sentence}", line, column, code)


def _at(node: Node, code: str, sentence: str) -> CustomCssError:
    return _refuse(code, node.source_line, node.source_column, sentence)


def _shown(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    _scan(text)
    cleaned = _Cleaner(asset_url_allowed=asset_url_allowed, scope=scope).stylesheet(text)
    if "<" in cleaned or "\\" in cleaned:
        raise CustomCssError("The custom CSS could not be written back safely.", 1, 1, "unsafe_output")
    # What is stored passes the same checks as input (not scoped again), so it is what was checked.
    try:
        _scan(cleaned)
        _Cleaner(asset_url_allowed=asset_url_allowed, scope=None).stylesheet(cleaned)
    except CustomCssError as exc:
        raise CustomCssError("The custom CSS could not be written back safely.", 1, 1, "unsafe_output") from exc
    return cleaned


# ---------------------------------------------------------------------------------------------
# Characters and brackets, before tinycss2 sees anything
# ---------------------------------------------------------------------------------------------


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - text.rfind("\n", 0, index)


def _scan(text: str) -> None:
    """Refuse markup, escapes and control characters anywhere (strings and comments included), and
    brackets, strings or comments that are not closed: tinycss2 closes whatever is open at the end
    without a word and takes a stray `}` for part of a selector, so a typo would silently swallow
    the rest of the style sheet."""
    if found := _FORBIDDEN_RE.search(text):
        char = found.group()
        line, column = _position(text, found.start())
        if char == "<":
            raise _refuse(
                "markup",
                line,
                column,
                "the character < is not allowed in custom CSS (it could end the style element); in media "
                "queries write (max-width: …) or (width >= …) instead.",
            )
        if char == "\\":
            raise _refuse(
                "escape", line, column, "backslash escapes are not allowed; write the characters as they are."
            )
        raise _refuse("control_character", line, column, f"the control character U+{ord(char):04X} is not allowed.")
    stack: list[tuple[str, int]] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "/" and text.startswith("*", index + 1):
            end = text.find("*/", index + 2)
            if end < 0:
                raise _refuse("syntax", *_position(text, index), "this comment is never closed with */.")
            index = end + 2
            continue
        if char in "\"'":
            end = index + 1
            while end < length and text[end] not in (char, "\n"):
                end += 1
            if end >= length or text[end] == "\n":
                raise _refuse("syntax", *_position(text, index), "this string is not closed on its line.")
            index = end + 1
            continue
        if char == "(" and _is_unquoted_url(text, index):
            index = _skip_url(text, index)
            continue
        if char in "{([":
            stack.append((char, index))
            if len(stack) > MAX_NESTING:
                raise _refuse("syntax", *_position(text, index), f"brackets are nested more than {MAX_NESTING} deep.")
        elif char in _CLOSERS:
            if not stack:
                raise _refuse("syntax", *_position(text, index), f"this {char} closes nothing that was opened.")
            opened, opened_at = stack.pop()
            if opened != _CLOSERS[char]:
                opened_line, opened_column = _position(text, opened_at)
                raise _refuse(
                    "syntax",
                    *_position(text, index),
                    f"this {char} does not close the {opened} opened at line {opened_line}, column {opened_column}.",
                )
        index += 1
    if stack:
        opened, opened_at = stack[-1]
        raise _refuse("syntax", *_position(text, opened_at), f"this {opened} is never closed.")


def _is_name_char(char: str) -> bool:
    return not char.isascii() or char.isalnum() or char in "-_"


def _is_unquoted_url(text: str, index: int) -> bool:
    """Whether the ( at `index` opens an unquoted url( … ), in which quotes, /* and { are part of
    the address rather than what they are elsewhere."""
    if text[max(0, index - 3) : index].lower() != "url" or (index > 3 and _is_name_char(text[index - 4])):
        return False
    rest = text[index + 1 : index + 1 + 256].lstrip(" \t\n")
    return not rest.startswith(("'", '"'))


def _skip_url(text: str, index: int) -> int:
    """The index after the ) of the unquoted url( … ) opened at `index`; its address cannot hold
    quotes, brackets or whitespace."""
    end = text.find(")", index + 1)
    address = text[index + 1 : end if end >= 0 else len(text)].strip(" \t\n")
    if end < 0 or any(char in address for char in "\"'( \t\n"):
        raise _refuse(
            "url",
            *_position(text, index - 3),
            f"url({_shown(address.split(chr(10))[0], 60)}…) is not allowed: custom CSS can only use images uploaded "
            'for this brand, written as url("…") if the address holds quotes, brackets or spaces.',
        )
    return end + 1


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
                raise _at(node, "syntax", "this cannot be read as CSS.")
            if node.type == "qualified-rule":
                out.append(f"{self.selectors(node)}{{{self.declarations(node.content)}}}")
            elif node.type == "at-rule":
                out.append(self.at_rule(node))
        return out

    def at_rule(self, node: Node) -> str:
        name = node.lower_at_keyword
        if name not in ALLOWED_AT_RULES:
            raise _at(node, "at_rule", _at_rule_refusal(name))
        if node.content is None:
            raise _at(node, "syntax", f"@{name} needs a block: @{name} … {{ … }}.")
        if name in GROUP_AT_RULES:
            extra = SUPPORTS_FUNCTIONS if name == "supports" else frozenset()
            prelude = self.value(node.prelude, extra_functions=extra)
            if name == "supports" and not prelude:
                raise _at(node, "syntax", "@supports needs a condition.")
            inner = tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True)
            body = "\n".join(self.rules(inner))
            return f"@{name} {prelude}{{{body}}}" if prelude else f"@{name}{{{body}}}"
        return self.keyframes(node, name)

    def keyframes(self, node: Node, name: str) -> str:
        prelude = _strip(node.prelude)
        if len(prelude) != 1 or prelude[0].type not in ("ident", "string"):
            raise _at(node, "syntax", f"@{name} needs one name.")
        frames: list[str] = []
        for frame in tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True):
            if frame.type == "error":
                raise _at(frame, "syntax", "this cannot be read as a keyframe.")
            if frame.type != "qualified-rule":
                raise _at(frame, "syntax", "only keyframes (from, to, 50% { … }) can be inside @keyframes.")
            selector = _strip(frame.prelude)
            if not selector or not all(
                token.type in ("percentage", "whitespace")
                or (token.type == "ident" and token.lower_value in ("from", "to"))
                or _literal(token, ",")
                for token in selector
            ):
                raise _at(frame, "syntax", "a keyframe is named by from, to or a percentage.")
            frames.append(f"{_serialize(selector)}{{{self.declarations(frame.content)}}}")
        return f"@{name} {_serialize(prelude)}{{{''.join(frames)}}}"

    def declarations(self, content: Sequence[Node]) -> str:
        out: list[str] = []
        for node in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
            if node.type == "error":
                raise _at(
                    _statement_start(content, node), "syntax", "this cannot be read as a declaration (property: value)."
                )
            if node.type in ("qualified-rule", "at-rule"):
                raise _at(
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
            raise _at(node, "property", f"the property {name} is not allowed: it attaches script to the page.")
        value = self.value(node.value)
        if not value and not custom:
            raise _at(node, "syntax", f"{name} has no value.")
        return f"{name}:{value}" + ("!important" if node.important else "")

    # -- values ------------------------------------------------------------------------------

    def value(self, tokens: Sequence[Node], *, extra_functions: frozenset[str] = frozenset()) -> str:
        tokens = _strip(tokens)
        self.check_tokens(tokens, extra_functions)
        return _serialize(tokens)

    def check_tokens(self, tokens: Iterable[Node], extra_functions: frozenset[str]) -> None:
        for token in tokens:
            kind = token.type
            if kind == "error":
                raise _at(token, "syntax", "this value cannot be read.")
            if kind == "url":
                self.check_url(token, token.value)
            elif kind == "function":
                self.check_function(token, extra_functions)
            elif kind in ("() block", "[] block", "{} block"):
                self.check_tokens(token.content, extra_functions)

    def check_function(self, token: Node, extra_functions: frozenset[str]) -> None:
        name = token.lower_name
        plain = _unprefixed(name)
        if plain == "expression":
            raise _at(token, "expression", "expression() is not allowed: it runs script in old browsers.")
        if plain == "url":
            arguments = _strip(token.arguments)
            if len(arguments) != 1 or arguments[0].type != "string":
                raise _at(token, "url", "url() must hold one address.")
            self.check_url(token, arguments[0].value)
            return
        if plain == "selector" and plain in extra_functions:
            _check_pseudo_arguments(token.arguments)
            return
        if plain in URL_STRING_FUNCTIONS:
            raise _at(token, "function", f"{name}() is not allowed: it loads images from addresses; use url() instead.")
        if plain == "attr":
            raise _at(token, "function", "attr() is not allowed: it copies the page's attributes into styles.")
        if plain not in ALLOWED_FUNCTIONS and plain not in extra_functions:
            raise _at(token, "function", f"the function {name}() is not allowed in custom CSS.")
        self.check_tokens(token.arguments, extra_functions)

    def check_url(self, token: Node, address: str) -> None:
        if not address or not self.asset_url_allowed(address):
            raise _at(
                token,
                "url",
                f"url({_shown(address)}) is not allowed: custom CSS can only use images uploaded for this brand.",
            )

    # -- selectors ---------------------------------------------------------------------------

    def selectors(self, rule: Node) -> str:
        out = []
        for selector in _split(_strip(rule.prelude), ","):
            selector = _strip(selector)
            if not selector:
                raise _at(rule, "selector", "a rule needs a selector before its { … }.")
            compounds = _compounds(selector, rule)
            out.append(self.scoped(compounds) if self.scope is not None else _join(compounds).lstrip())
        return ", ".join(out)

    def scoped(self, compounds: list[tuple[str, list[Node]]]) -> str:
        """`compounds` under the scope. A leading run of `:root`, `html` or `body` compounds (joined
        by descendant or child combinators) becomes the scope compound, keeping their classes and
        pseudo-classes: that element is the scope element, or stands for it."""
        assert self.scope is not None
        head = self.scope
        taken = 0
        for combinator, compound in compounds:
            rest = _root_rest(compound)
            if rest is None or combinator not in (("",) if taken == 0 else (" ", ">")):
                break
            head += _serialize(rest)
            taken += 1
        remaining = compounds[taken:]
        if not remaining:
            return head
        if taken == 0 and remaining[0][0] == "":
            remaining = [(" ", remaining[0][1]), *remaining[1:]]
        return head + _join(remaining)


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


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


def _statement_start(content: Sequence[Node], error: Node) -> Node:
    """The first token of the declaration in which tinycss2 found `error` (it reports the place
    where it gave up, usually the `;`)."""
    start = None
    for token in content:
        if (token.source_line, token.source_column) >= (error.source_line, error.source_column):
            break
        if _literal(token, ";"):
            start = None
        elif start is None and token.type not in ("whitespace", "comment"):
            start = token
    return start or error


def _literal(token: Node, value: str) -> bool:
    return bool(token.type == "literal" and token.value == value)


def _unprefixed(name: str) -> str:
    for prefix in VENDOR_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _strip(tokens: Sequence[Node]) -> list[Node]:
    """Without comments, and without whitespace at either end."""
    kept = [token for token in tokens if token.type != "comment"]
    while kept and kept[0].type == "whitespace":
        kept.pop(0)
    while kept and kept[-1].type == "whitespace":
        kept.pop()
    return kept


def _split(tokens: Sequence[Node], separator: str) -> list[list[Node]]:
    parts: list[list[Node]] = [[]]
    for token in tokens:
        if _literal(token, separator):
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _serialize(tokens: Sequence[Node]) -> str:
    """tinycss2's serialisation (which separates tokens that would otherwise run together with an
    empty comment), but strings quoted with whichever quote they do not hold: tinycss2 would
    escape the quote with a backslash. Without escapes in the source a string cannot hold both."""
    for token in _walk(tokens):
        if isinstance(token, StringToken):
            quote = "'" if '"' in token.value else '"'
            token.representation = f"{quote}{token.value}{quote}"
    return str(tinycss2.serialize([token for token in tokens if token.type != "comment"]))


def _walk(tokens: Iterable[Node]) -> Iterable[Node]:
    for token in tokens:
        yield token
        if token.type == "function":
            yield from _walk(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            yield from _walk(token.content)


def _compounds(selector: list[Node], rule: Node) -> list[tuple[str, list[Node]]]:
    """[(combinator before it: "", " ", ">", "+" or "~"; compound's tokens)], each compound checked.
    The first combinator is "" unless the selector starts with one (`> a`)."""
    compounds: list[tuple[str, list[Node]]] = []
    combinator = ""
    current: list[Node] = []
    for token in selector:
        if token.type == "whitespace":
            if current:
                compounds.append((combinator, current))
                current, combinator = [], " "
        elif token.type == "literal" and token.value in _SELECTOR_COMBINATORS:
            if current:
                compounds.append((combinator, current))
                current = []
            elif combinator not in ("", " ") or (combinator == "" and compounds):
                raise _at(token, "selector", f"the combinator {token.value} needs a selector on each side.")
            combinator = token.value
        else:
            current.append(token)
    if not current:
        raise _at(rule, "selector", "a selector cannot end with a combinator.")
    compounds.append((combinator, current))
    for _, compound in compounds:
        _check_compound(compound)
    return compounds


def _check_compound(tokens: list[Node]) -> None:
    """A compound selector: an optional type (or *, with an optional namespace), then classes, ids,
    attribute selectors, pseudo-classes and pseudo-elements, or the nesting selector &."""
    index, length = 0, len(tokens)

    def refuse(token: Node) -> CustomCssError:
        return _at(token, "selector", f"{_shown(_serialize([token]))} cannot be read as part of a selector.")

    if tokens[0].type == "ident" or _literal(tokens[0], "*"):
        index = 1
        if index < length and _literal(tokens[index], "|"):
            if index + 1 >= length or not (tokens[index + 1].type == "ident" or _literal(tokens[index + 1], "*")):
                raise refuse(tokens[index])
            index += 2
    while index < length:
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < length else None
        if _literal(token, "&"):
            index += 1
        elif _literal(token, ".") and following is not None and following.type == "ident":
            index += 2
        elif token.type == "hash" and token.is_identifier:
            index += 1
        elif token.type == "[] block":
            _check_attribute(token)
            index += 1
        elif _literal(token, ":"):
            if following is not None and _literal(following, ":"):
                index += 1
                following = tokens[index + 1] if index + 1 < length else None
            if following is None or following.type not in ("ident", "function"):
                raise refuse(token)
            if following.type == "function":
                _check_pseudo_arguments(following.arguments)
            index += 2
        else:
            raise refuse(token)


def _check_attribute(block: Node) -> None:
    for token in block.content:
        if token.type not in ("ident", "string", "whitespace", "comment") and not (
            token.type == "literal" and token.value in _ATTRIBUTE_OPERATORS
        ):
            raise _at(block, "selector", "this attribute selector cannot be read.")


def _check_pseudo_arguments(tokens: Iterable[Node]) -> None:
    """Arguments of :not(), :is(), :nth-child() and the like: selectors, nth formulas and names,
    never an address or a block."""
    for token in tokens:
        if token.type in ("url", "{} block", "at-keyword", "error"):
            raise _at(token, "selector", "this cannot be part of a selector.")
        if token.type == "function":
            _check_pseudo_arguments(token.arguments)
        elif token.type in ("() block", "[] block"):
            _check_pseudo_arguments(token.content)


def _root_rest(compound: list[Node]) -> list[Node] | None:
    """The rest of a compound that starts with `html`, `body` or `:root`; None for any other."""
    first = compound[0]
    if first.type == "ident" and first.lower_value in ROOT_TYPES:
        rest = compound[1:]
        return None if rest and _literal(rest[0], "|") else rest
    if _literal(first, ":") and len(compound) > 1 and compound[1].type == "ident" and compound[1].lower_value == "root":
        return compound[2:]
    return None


def _join(compounds: list[tuple[str, list[Node]]]) -> str:
    """The selector written back, starting with its combinator if it has one (` > a`)."""
    return "".join(
        (f" {combinator} " if combinator.strip() else combinator) + _serialize(compound)
        for combinator, compound in compounds
    )
