"""Selectors of custom CSS: read compound by compound, checked, and written back under the scope
(`:root`, `html` and `body` at the start of a selector stand for the scope element itself)."""

from __future__ import annotations

from collections.abc import Iterable

from branding.css_tokens import CustomCssError, Node, literal, refuse_at, serialize, shown

ROOT_TYPES = frozenset({"html", "body"})
SELECTOR_COMBINATORS = frozenset({">", "+", "~"})
ATTRIBUTE_OPERATORS = frozenset({"=", "~=", "|=", "^=", "$=", "*=", "|"})


def read_compounds(selector: list[Node], rule: Node) -> list[tuple[str, list[Node]]]:
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
        elif token.type == "literal" and token.value in SELECTOR_COMBINATORS:
            if current:
                compounds.append((combinator, current))
                current = []
            elif combinator not in ("", " ") or (combinator == "" and compounds):
                raise refuse_at(token, "selector", f"the combinator {token.value} needs a selector on each side.")
            combinator = token.value
        else:
            current.append(token)
    if not current:
        raise refuse_at(rule, "selector", "a selector cannot end with a combinator.")
    compounds.append((combinator, current))
    for _, compound in compounds:
        check_compound(compound)
    return compounds


def check_compound(tokens: list[Node]) -> None:
    """A compound selector: an optional type (or *, with an optional namespace), then classes, ids,
    attribute selectors, pseudo-classes and pseudo-elements, or the nesting selector &."""
    index, length = 0, len(tokens)

    def refuse(token: Node) -> CustomCssError:
        return refuse_at(token, "selector", f"{shown(serialize([token]))} cannot be read as part of a selector.")

    if tokens[0].type == "ident" or literal(tokens[0], "*"):
        index = 1
        if index < length and literal(tokens[index], "|"):
            if index + 1 >= length or not (tokens[index + 1].type == "ident" or literal(tokens[index + 1], "*")):
                raise refuse(tokens[index])
            index += 2
    while index < length:
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < length else None
        if literal(token, "&"):
            index += 1
        elif literal(token, ".") and following is not None and following.type == "ident":
            index += 2
        elif token.type == "hash" and token.is_identifier:
            index += 1
        elif token.type == "[] block":
            check_attribute(token)
            index += 1
        elif literal(token, ":"):
            if following is not None and literal(following, ":"):
                index += 1
                following = tokens[index + 1] if index + 1 < length else None
            if following is None or following.type not in ("ident", "function"):
                raise refuse(token)
            if following.type == "function":
                check_pseudo_arguments(following.arguments)
            index += 2
        else:
            raise refuse(token)


def check_attribute(block: Node) -> None:
    for token in block.content:
        if token.type not in ("ident", "string", "whitespace", "comment") and not (
            token.type == "literal" and token.value in ATTRIBUTE_OPERATORS
        ):
            raise refuse_at(block, "selector", "this attribute selector cannot be read.")


def check_pseudo_arguments(tokens: Iterable[Node]) -> None:
    """Arguments of :not(), :is(), :nth-child() and the like: selectors, nth formulas and names,
    never an address or a block."""
    for token in tokens:
        if token.type in ("url", "{} block", "at-keyword", "error"):
            raise refuse_at(token, "selector", "this cannot be part of a selector.")
        if token.type == "function":
            check_pseudo_arguments(token.arguments)
        elif token.type in ("() block", "[] block"):
            check_pseudo_arguments(token.content)


def root_rest(compound: list[Node]) -> list[Node] | None:
    """The rest of a compound that starts with `html`, `body` or `:root`; None for any other."""
    first = compound[0]
    if first.type == "ident" and first.lower_value in ROOT_TYPES:
        rest = compound[1:]
        return None if rest and literal(rest[0], "|") else rest
    if literal(first, ":") and len(compound) > 1 and compound[1].type == "ident" and compound[1].lower_value == "root":
        return compound[2:]
    return None


def join(compounds: list[tuple[str, list[Node]]]) -> str:
    """The selector written back, starting with its combinator if it has one (` > a`)."""
    return "".join(
        (f" {combinator} " if combinator.strip() else combinator) + serialize(compound)
        for combinator, compound in compounds
    )
