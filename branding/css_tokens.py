"""The pieces the custom-CSS filter is built of: its one error, and helpers over tinycss2's tokens
(which carry no type hints, hence `Node`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import tinycss2
from tinycss2.ast import StringToken

Node = Any

VENDOR_PREFIXES = ("-webkit-", "-moz-", "-ms-", "-o-")


class CustomCssError(ValueError):
    """Custom CSS that is refused as a whole. `message` is for people and names the place;
    `line` and `column` (1-based) point at it; `code` is for the API."""

    def __init__(self, message: str, line: int, column: int, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code


def refuse(code: str, line: int, column: int, sentence: str) -> CustomCssError:
    return CustomCssError(f"Line {line}, column {column}: {sentence}", line, column, code)


def refuse_at(node: Node, code: str, sentence: str) -> CustomCssError:
    return refuse(code, node.source_line, node.source_column, sentence)


def shown(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def statement_start(content: Sequence[Node], error: Node) -> Node:
    """The first token of the declaration in which tinycss2 found `error` (it reports the place
    where it gave up, usually the `;`)."""
    start = None
    for token in content:
        if (token.source_line, token.source_column) >= (error.source_line, error.source_column):
            break
        if literal(token, ";"):
            start = None
        elif start is None and token.type not in ("whitespace", "comment"):
            start = token
    return start or error


def literal(token: Node, value: str) -> bool:
    return bool(token.type == "literal" and token.value == value)


def unprefixed(name: str) -> str:
    for prefix in VENDOR_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def strip(tokens: Sequence[Node]) -> list[Node]:
    """Without comments, and without whitespace at either end."""
    kept = [token for token in tokens if token.type != "comment"]
    while kept and kept[0].type == "whitespace":
        kept.pop(0)
    while kept and kept[-1].type == "whitespace":
        kept.pop()
    return kept


def split(tokens: Sequence[Node], separator: str) -> list[list[Node]]:
    parts: list[list[Node]] = [[]]
    for token in tokens:
        if literal(token, separator):
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def serialize(tokens: Sequence[Node]) -> str:
    """tinycss2's serialisation (which separates tokens that would otherwise run together with an
    empty comment), but strings quoted with whichever quote they do not hold: tinycss2 would
    escape the quote with a backslash. Without escapes in the source a string cannot hold both."""
    for token in walk(tokens):
        if isinstance(token, StringToken):
            quote = "'" if '"' in token.value else '"'
            token.representation = f"{quote}{token.value}{quote}"
    return str(tinycss2.serialize([token for token in tokens if token.type != "comment"]))


def walk(tokens: Iterable[Node]) -> Iterable[Node]:
    for token in tokens:
        yield token
        if token.type == "function":
            yield from walk(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            yield from walk(token.content)
