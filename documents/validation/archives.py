"""Office files are zip archives: judged by their central directory (declared sizes, member
names) without unpacking anything, so a zip bomb is refused before it can cost anything.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from typing import IO

from django.core.files.uploadedfile import UploadedFile

from documents.validation.errors import UploadRejected, human_size

# A zip's end record sits in its last 22 bytes plus a comment of at most 64 KB.
EOCD_SEARCH_BYTES = 22 + 65535
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


def zip_members(upload: UploadedFile, *, name: str) -> list[zipfile.ZipInfo] | None:
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


def check_unpacked(name: str, members: list[zipfile.ZipInfo], *, max_unpacked: int, max_ratio: int) -> None:
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
