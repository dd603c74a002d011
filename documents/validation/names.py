"""The name people see for an upload, and the extension it claims.

A name is cleaned, never refused here: what it promises is checked against the content
(documents.validation.upload).
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_CHARS = 255
# The longest thing after the last dot that is taken as an extension.
MAX_EXTENSION_CHARS = 16
# Kept though they are format characters: Persian, Indic scripts and emoji sequences need them.
JOINERS = frozenset({"\u200c", "\u200d"})
REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _visible(char: str) -> bool:
    return char in JOINERS or unicodedata.category(char) not in REMOVED_CATEGORIES


def split_extension(name: str) -> tuple[str, str]:
    """(stem, extension without the dot); the extension is "" when what follows the last dot
    does not look like one (spaces, too long)."""
    stem, dot, extension = name.rpartition(".")
    if dot and extension.isalnum() and len(extension) <= MAX_EXTENSION_CHARS:
        return stem, extension
    return name, ""


def display_name(raw: str) -> str:
    """The name people see: the last path component of `raw`, without invisible or reordering
    characters (a right-to-left override makes `evil\\u202efdp.exe` read as `evilexe.pdf`), at
    most 255 characters with the extension kept. Never empty; refuses nothing."""
    text = unicodedata.normalize("NFC", raw)
    text = "".join(char if _visible(char) else " " if char.isspace() else "" for char in text)
    text = " ".join(re.split(r"[/\\]", text)[-1].split())
    stem, extension = split_extension(text)
    suffix = f".{extension}" if extension else ""
    trim = " .\u200c\u200d"
    stem = stem.strip(trim)[: MAX_NAME_CHARS - len(suffix)].rstrip(trim) or "document"
    return stem + suffix


def extension_of(name: str) -> str:
    return split_extension(name)[1].lower()
