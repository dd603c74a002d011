"""Deciding whether an upload may be stored, before anything is stored.

The type of a file is decided by its bytes, never by its name or by what the client claims: the
name only has to agree with the content. Office files are zip archives, so they are judged by
their central directory (declared sizes, member names) without unpacking anything.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import struct
import unicodedata
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from config import limits

if TYPE_CHECKING:
    from tenants.models import Client

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
# A zip's end record sits in its last 22 bytes plus a comment of at most 64 KB.
EOCD_SEARCH_BYTES = 22 + 65535
CHUNK_BYTES = 64 * 1024
# More members than any real Office file has; a zip of a million empty entries is a bomb too.
MAX_MEMBERS = 10_000
# A central directory larger than MAX_MEMBERS entries with long names: entries beyond those it
# declares would be parsed all the same.
MAX_DIRECTORY_BYTES = MAX_MEMBERS * 512
# The packing ratio is only judged above this many unpacked bytes: small XML parts of real
# documents can be packed very tightly, and a few kilobytes harm no one.
RATIO_FLOOR_BYTES = 1024 * 1024
# Archives inside an Office file. Embedded Office files (a chart's workbook in a presentation)
# are zips too but are allowed: nothing here unpacks them, and their packed bytes count above.
NESTED_ARCHIVE = re.compile(r"\.(zip|gz|tgz|bz2|xz|zst|7z|rar|tar|cab|jar|arj|lz|lzma)$", re.IGNORECASE)
MAX_NAME_CHARS = 255
# The longest thing after the last dot that is taken as an extension.
MAX_EXTENSION_CHARS = 16
# Kept though they are format characters: Persian, Indic scripts and emoji sequences need them.
JOINERS = frozenset({"\u200c", "\u200d"})
REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
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


class UploadRejected(Exception):
    """An upload that is refused before anything is stored. `detail` is for people; `status` and
    `code` are the API's (413 too large, 415 not a type we take, 400 nothing to take)."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Checked:
    name: str
    content_type: str
    size: int
    sha256: str


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# The whole upload
# ---------------------------------------------------------------------------------------------


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size} bytes"


def _chunks(upload: IO[bytes]) -> Iterator[bytes]:
    upload.seek(0)
    while chunk := upload.read(CHUNK_BYTES):
        yield chunk


def _declared_directory(upload: IO[bytes]) -> tuple[int, int] | None:
    """(members, bytes) of a zip's central directory as its end record declares them, read before
    the directory is parsed: zipfile reads and parses the whole directory, and one of a million
    entries is a bomb of its own. None when there is no end record."""
    size = upload.seek(0, io.SEEK_END)
    tail_size = min(size, EOCD_SEARCH_BYTES)
    upload.seek(size - tail_size)
    tail = upload.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    entries, directory_bytes = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries != 0xFFFF and directory_bytes != 0xFFFFFFFF:
        return int(entries), int(directory_bytes)
    # Zip64: the locator just before the end record points at the zip64 end record.
    locator = tail[at - 20 : at] if at >= 20 else b""
    if not locator.startswith(b"PK\x06\x07"):
        return None
    (offset,) = struct.unpack("<Q", locator[8:16])
    upload.seek(offset)
    record = upload.read(56)
    if not record.startswith(b"PK\x06\x06") or len(record) < 48:
        return None
    entries64, directory_bytes64 = struct.unpack("<QQ", record[32:48])
    return int(entries64), int(directory_bytes64)


def _zip_members(upload: UploadedFile, *, name: str) -> list[zipfile.ZipInfo] | None:
    """The central directory of a zip upload, read without unpacking; None when it is unreadable."""
    declared = _declared_directory(upload)
    if declared is None:
        return None
    entries, directory_bytes = declared
    if entries > MAX_MEMBERS or directory_bytes > MAX_DIRECTORY_BYTES:
        raise _unpacked_too_large(name, f"it holds {entries:,} parts (at most {MAX_MEMBERS:,} are allowed)")
    try:
        with zipfile.ZipFile(upload) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
        return None


def _unpacked_too_large(name: str, reason: str) -> UploadRejected:
    return UploadRejected(413, "unpacked_too_large", f"“{name}” cannot be accepted: {reason}.")


def _check_unpacked(name: str, members: list[zipfile.ZipInfo], *, max_unpacked: int, max_ratio: int) -> None:
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    reason = ""
    if len(members) > MAX_MEMBERS:
        reason = f"it holds {len(members):,} parts (at most {MAX_MEMBERS:,} are allowed)"
    elif unpacked > max_unpacked:
        reason = f"it unpacks to {human_size(unpacked)} (at most {human_size(max_unpacked)} is allowed)"
    elif unpacked > RATIO_FLOOR_BYTES and unpacked > max_ratio * max(packed, 1):
        reason = f"it unpacks to {unpacked // max(packed, 1):,} times its packed size (at most {max_ratio} times)"
    elif nested := next((m.filename for m in members if NESTED_ARCHIVE.search(m.filename)), None):
        reason = f"it holds another archive ({nested})"
    if reason:
        raise _unpacked_too_large(name, reason)


def _mismatch(name: str, extension: str, promised: str, found: str) -> UploadRejected:
    return UploadRejected(
        415,
        "type_mismatch",
        f"“{name}” is named like {TYPE_LABELS[promised]} (.{extension}), but its content is {found}.",
    )


def check_plan_size(size: int | None, *, tenant: Client) -> None:
    """Raise PlanLimitReached (402, limit `upload_bytes`) for a file within what the platform
    takes (DOCUMENTS_MAX_UPLOAD_BYTES, larger is check_upload's 413) but over the plan's largest."""
    if size and size <= settings.DOCUMENTS_MAX_UPLOAD_BYTES:
        limits.check_room(tenant, "upload_bytes", used=0, adding=size)


def check_upload(
    upload: UploadedFile, *, claimed_name: str, max_bytes: int, max_unpacked: int, max_ratio: int
) -> Checked:
    """Everything about an upload that decides whether it is stored: its size, its type from its
    bytes, whether its name agrees, Office archives' unpacked size, and its SHA-256. Reads the
    upload in chunks (it may be a file on disk) and leaves it at offset 0.
    Raises UploadRejected."""
    name = display_name(claimed_name)
    if not upload.size:
        raise UploadRejected(400, "empty", f"“{name}” is empty.")
    if upload.size > max_bytes:
        raise UploadRejected(
            413,
            "too_large",
            f"“{name}” is {human_size(upload.size)}; files of at most {human_size(max_bytes)} are accepted.",
        )
    extension = extension_of(name)
    if extension in REFUSED_EXTENSIONS:
        raise UploadRejected(415, "unsupported_type", f"Files named .{extension} are not accepted (“{name}”).")

    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    promised = EXTENSION_TYPES.get(extension)
    try:
        members = _zip_members(upload, name=name) if head.startswith(b"PK\x03\x04") else None
        names = [member.filename for member in members or ()]
        content_type = sniff(head, members=names)
        if content_type is None:
            found = describe(head, members=names)
            # A `.txt` in Latin-1 is text all the same: it is told about the encoding instead.
            if promised is not None and not (promised == TEXT and found == LEGACY_TEXT):
                raise _mismatch(name, extension, promised, found)
            raise _unsupported(name, found)
        if promised is not None and promised != content_type:
            raise _mismatch(name, extension, promised, TYPE_LABELS[content_type])
        if content_type in OFFICE_TYPES and members is not None:
            _check_unpacked(name, members, max_unpacked=max_unpacked, max_ratio=max_ratio)
        size, sha256 = _digest(upload, name=name, max_bytes=max_bytes, text=content_type == TEXT)
    finally:
        upload.seek(0)
    return Checked(name=name, content_type=content_type, size=size, sha256=sha256)


def _unsupported(name: str, found: str) -> UploadRejected:
    if found == LEGACY_TEXT:
        return UploadRejected(415, "unsupported_type", f"“{name}” is {found}; save it as UTF-8 and upload it again.")
    return UploadRejected(
        415,
        "unsupported_type",
        f"“{name}” is {found}. PDF, images (PNG, JPEG, GIF, WebP), UTF-8 text and Office documents are accepted.",
    )


def _digest(upload: UploadedFile, *, name: str, max_bytes: int, text: bool) -> tuple[int, str]:
    """Size and SHA-256 of the whole upload, in one pass; text must be UTF-8 to its end."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    try:
        for chunk in _chunks(upload):
            size += len(chunk)
            if size > max_bytes:
                raise UploadRejected(
                    413, "too_large", f"“{name}” is larger than {human_size(max_bytes)}, the most accepted."
                )
            digest.update(chunk)
            if text:
                if b"\x00" in chunk:
                    raise _unsupported(name, UNKNOWN)
                decoder.decode(chunk)
        if text:
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise _unsupported(name, LEGACY_TEXT) from exc
    if size == 0:
        raise UploadRejected(400, "empty", f"“{name}” is empty.")
    return size, digest.hexdigest()
