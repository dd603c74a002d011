"""The first look at custom CSS, at its characters and brackets, before tinycss2 sees anything:
tinycss2 forgives what the filter must refuse (it closes what is left open, and reads a stray `}`
as part of the next selector)."""

from __future__ import annotations

import re

from branding.css_tokens import refuse, shown

# Brackets nested deeper than this are refused before parsing, so nothing below recurses without end.
MAX_NESTING = 24
CLOSERS = {"}": "{", ")": "(", "]": "["}
# <, backslash, C0 controls but tab and newline (the others are normalised to newline first), DEL,
# C1 controls, lone surrogates.
FORBIDDEN_RE = re.compile("[<\\\\\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - text.rfind("\n", 0, index)


def scan(text: str) -> None:
    """Refuse markup, escapes and control characters anywhere (strings and comments included), and
    brackets, strings or comments that are not closed: tinycss2 closes whatever is open at the end
    without a word and takes a stray `}` for part of a selector, so a typo would silently swallow
    the rest of the style sheet."""
    if found := FORBIDDEN_RE.search(text):
        char = found.group()
        line, column = position(text, found.start())
        if char == "<":
            raise refuse(
                "markup",
                line,
                column,
                "the character < is not allowed in custom CSS (it could end the style element); in media "
                "queries write (max-width: …) or (width >= …) instead.",
            )
        if char == "\\":
            raise refuse("escape", line, column, "backslash escapes are not allowed; write the characters as they are.")
        raise refuse("control_character", line, column, f"the control character U+{ord(char):04X} is not allowed.")
    stack: list[tuple[str, int]] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "/" and text.startswith("*", index + 1):
            end = text.find("*/", index + 2)
            if end < 0:
                raise refuse("syntax", *position(text, index), "this comment is never closed with */.")
            index = end + 2
            continue
        if char in "\"'":
            end = index + 1
            while end < length and text[end] not in (char, "\n"):
                end += 1
            if end >= length or text[end] == "\n":
                raise refuse("syntax", *position(text, index), "this string is not closed on its line.")
            index = end + 1
            continue
        if char == "(" and is_unquoted_url(text, index):
            index = skip_url(text, index)
            continue
        if char in "{([":
            stack.append((char, index))
            if len(stack) > MAX_NESTING:
                raise refuse("syntax", *position(text, index), f"brackets are nested more than {MAX_NESTING} deep.")
        elif char in CLOSERS:
            if not stack:
                raise refuse("syntax", *position(text, index), f"this {char} closes nothing that was opened.")
            opened, opened_at = stack.pop()
            if opened != CLOSERS[char]:
                opened_line, opened_column = position(text, opened_at)
                raise refuse(
                    "syntax",
                    *position(text, index),
                    f"this {char} does not close the {opened} opened at line {opened_line}, column {opened_column}.",
                )
        index += 1
    if stack:
        opened, opened_at = stack[-1]
        raise refuse("syntax", *position(text, opened_at), f"this {opened} is never closed.")


def is_name_char(char: str) -> bool:
    return not char.isascii() or char.isalnum() or char in "-_"


def is_unquoted_url(text: str, index: int) -> bool:
    """Whether the ( at `index` opens an unquoted url( … ), in which quotes, /* and { are part of
    the address rather than what they are elsewhere."""
    if text[max(0, index - 3) : index].lower() != "url" or (index > 3 and is_name_char(text[index - 4])):
        return False
    rest = text[index + 1 : index + 1 + 256].lstrip(" \t\n")
    return not rest.startswith(("'", '"'))


def skip_url(text: str, index: int) -> int:
    """The index after the ) of the unquoted url( … ) opened at `index`; its address cannot hold
    quotes, brackets or whitespace."""
    end = text.find(")", index + 1)
    address = text[index + 1 : end if end >= 0 else len(text)].strip(" \t\n")
    if end < 0 or any(char in address for char in "\"'( \t\n"):
        raise refuse(
            "url",
            *position(text, index - 3),
            f"url({shown(address.split(chr(10))[0], 60)}…) is not allowed: custom CSS can only use images uploaded "
            'for this brand, written as url("…") if the address holds quotes, brackets or spaces.',
        )
    return end + 1
