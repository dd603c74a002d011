"""What a file is, decided from its first bytes: the content types accepted, and what a person
would call anything else. Never from its name or what the client claims.
"""

from __future__ import annotations

import codecs
import re
import struct
from collections.abc import Collection

from documents.validation.names import JOINERS

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"

OFFICE_TYPES = frozenset({DOCX, XLSX, PPTX, ODT, ODS, ODP})

# What a person calls each accepted type, in messages.
TYPE_LABELS = {
    PDF: "a PDF document",
    PNG: "a PNG image",
    JPEG: "a JPEG image",
    GIF: "a GIF image",
    WEBP: "a WebP image",
    TEXT: "a text file",
    DOCX: "a Word document",
    XLSX: "an Excel workbook",
    PPTX: "a PowerPoint presentation",
    ODT: "an OpenDocument text",
    ODS: "an OpenDocument spreadsheet",
    ODP: "an OpenDocument presentation",
}

# The type an extension promises. A name with one of these must hold that type.
EXTENSION_TYPES = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "jpe": JPEG,
    "jfif": JPEG,
    "gif": GIF,
    "webp": WEBP,
    "txt": TEXT,
    "text": TEXT,
    "csv": TEXT,
    "tsv": TEXT,
    "md": TEXT,
    "markdown": TEXT,
    "log": TEXT,
    "docx": DOCX,
    "xlsx": XLSX,
    "pptx": PPTX,
    "odt": ODT,
    "ods": ODS,
    "odp": ODP,
}

# Names that run or render when the downloaded file is opened (a double click on Windows, a
# browser on file://), refused whatever the content: a text file named `.html` is still a page.
REFUSED_EXTENSIONS = frozenset(
    {
        "app", "bat", "cmd", "com", "cpl", "dll", "exe", "hta", "htm", "html", "jar", "js", "jse",
        "lnk", "mht", "mhtml", "msi", "ps1", "scr", "shtml", "svg", "svgz", "vbe", "vbs", "wsf",
        "wsh", "xht", "xhtml",
    }
)  # fmt: skip

# How much of the start of a file `sniff` looks at.
HEAD_BYTES = 8192
# The share of printable characters below which a UTF-8 file is not taken for text.
PRINTABLE_SHARE = 0.95

# What check_upload tells people about content it cannot place.
LEGACY_TEXT = "text in an encoding other than UTF-8"
UNKNOWN = "data of an unknown type"

_EXECUTABLES = (
    (b"\x7fELF", "a Linux program"),
    (b"MZ", "a Windows program"),
    (b"\xfe\xed\xfa\xce", "a macOS program"),
    (b"\xfe\xed\xfa\xcf", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"\x00asm", "a WebAssembly program"),
    (b"#!", "a script"),
)
_ARCHIVES = (
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "a zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
)
# What a browser would render as a page or as script (the WHATWG sniffing table's HTML tags, XML
# and SVG), after optional whitespace and a byte order mark.
_MARKUP = re.compile(
    rb"\s*(?:<!doctype\s+html|<html|<head|<body|<script|<iframe|<h1|<div|<font|<table|<a|<style|<title|<b|<br|<p"
    rb"|<!--|<\?xml|<svg)(?:[\s>/]|$)",
    re.IGNORECASE,
)
_ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": ODS,
    b"application/vnd.oasis.opendocument.presentation": ODP,
}
_OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))


def sniff(head: bytes, *, members: Collection[str] = ()) -> str | None:
    """The accepted content type of a file that starts with `head` (its first HEAD_BYTES bytes),
    or None. `members` are the names in its zip central directory, when it is a zip: a zip is
    accepted only as an Office file. Programs, scripts, other archives, HTML and SVG are None."""
    if _program(head) is not None:
        return None
    # Readers accept the header anywhere in the first kilobyte; a text that merely mentions it
    # there stays text.
    if head.startswith(b"%PDF-") or (b"%PDF-" in head[:1024] and not _is_text(head)):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _office_type(head, members)
    if _is_text(head):
        return TEXT
    return None


def _program(head: bytes) -> str | None:
    """What kind of program `head` begins, if any. A script is text, so `#!` alone decides; the
    binary formats' magic numbers can also begin words ("MZ"), so they count in binary data only."""
    for magic, label in _EXECUTABLES:
        if head.startswith(magic) and (magic == b"#!" or not _is_text(head)):
            return label
    return None


def _office_type(head: bytes, members: Collection[str]) -> str | None:
    # Macros make a document a program.
    if any(name.lower().endswith("vbaproject.bin") for name in members):
        return None
    odf = _odf_mimetype(head)
    if odf is not None:
        return odf if "content.xml" in members else None
    if "[Content_Types].xml" in members:
        for prefix, content_type in _OOXML_PARTS:
            if any(name.startswith(prefix) for name in members):
                return content_type
    return None


def _odf_mimetype(head: bytes) -> str | None:
    """OpenDocument files begin with a stored (not compressed) member `mimetype` holding the type."""
    if len(head) < 30:
        return None
    method, size, name_length, extra_length = struct.unpack("<H8xI4xHH", head[8:30])
    start = 30 + name_length + extra_length
    if method != 0 or head[30 : 30 + name_length] != b"mimetype":
        return None
    return _ODF_TYPES.get(head[start : start + size])


def _is_text(head: bytes) -> bool:
    if b"\x00" in head or _MARKUP.match(head.removeprefix(codecs.BOM_UTF8)):
        return False
    try:
        # Not final: the head may end inside a character.
        text = codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return False
    text = text.removeprefix("\ufeff")
    if not text:
        return False
    printable = sum(1 for char in text if char.isprintable() or char in "\t\n\r\f\v" or char in JOINERS)
    return printable >= PRINTABLE_SHARE * len(text)


def describe(head: bytes, *, members: Collection[str] = ()) -> str:
    """What a person would call a file we do not accept, from its first bytes (and its zip
    members, when it is a zip)."""
    if any(name.lower().endswith("vbaproject.bin") for name in members):
        return "an Office document with macros"
    program = _program(head)
    if program is not None:
        return program
    for magic, label in _ARCHIVES:
        if head.startswith(magic):
            return label
    stripped = head.removeprefix(codecs.BOM_UTF8)
    if _MARKUP.match(stripped):
        return "an SVG image" if re.search(rb"<svg[\s>]", stripped, re.IGNORECASE) else "an HTML or XML page"
    if _looks_like_legacy_text(head):
        return LEGACY_TEXT
    return UNKNOWN


def _looks_like_legacy_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    text = head.decode("cp1252", errors="replace")
    printable = sum(1 for char in text if char.isprintable() or char in "\t\n\r\f\v")
    return printable >= PRINTABLE_SHARE * len(text)
