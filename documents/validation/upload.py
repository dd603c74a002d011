"""Deciding whether an upload may be stored, before anything is stored.

The type of a file is decided by its bytes, never by its name or by what the client claims: the
name only has to agree with the content (documents.validation.content, .names, .archives).
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from config import limits
from documents.validation.archives import check_unpacked, zip_members
from documents.validation.content import (
    EXTENSION_TYPES,
    HEAD_BYTES,
    LEGACY_TEXT,
    OFFICE_TYPES,
    REFUSED_EXTENSIONS,
    TEXT,
    TYPE_LABELS,
    UNKNOWN,
    describe,
    sniff,
)
from documents.validation.errors import UploadRejected, human_size
from documents.validation.names import display_name, extension_of

if TYPE_CHECKING:
    from tenants.models import Client

CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Checked:
    name: str
    content_type: str
    size: int
    sha256: str


def _chunks(upload: IO[bytes]) -> Iterator[bytes]:
    upload.seek(0)
    while chunk := upload.read(CHUNK_BYTES):
        yield chunk


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
        members = zip_members(upload, name=name) if head.startswith(b"PK\x03\x04") else None
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
            check_unpacked(name, members, max_unpacked=max_unpacked, max_ratio=max_ratio)
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
