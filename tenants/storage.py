"""Where tenant files go: every stored name starts with the tenant's own prefix (rule 7)."""

from __future__ import annotations

import uuid

from django.core.exceptions import SuspiciousFileOperation
from django.db.models import Model
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename

from tenants.db import current_schema

# File systems allow 255 bytes in a name; the random folder already keeps names apart.
MAX_NAME_BYTES = 120


def stored_file_name(filename: str) -> str:
    """`filename` as letters, digits, `-`, `_` and `.` only, within MAX_NAME_BYTES bytes of UTF-8
    (120 Thai letters are 360 bytes) with its end, the extension, kept; "file" when nothing is
    left (an emoji-only name) or only an extension is."""
    try:
        name = get_valid_filename(filename.rsplit("/", 1)[-1])
    except SuspiciousFileOperation:
        return "file"
    # A character cut in two at the start is dropped.
    name = name.encode()[-MAX_NAME_BYTES:].decode("utf-8", "ignore")
    return f"file{name}" if name.startswith(".") or not name else name


@deconstructible
class TenantUploadPath:
    """`upload_to` for tenant models: `tenants/<schema>/<folder>/<random>/<safe name>`.

    The random folder keeps names unguessable and lets two uploads share a file name.
    Precondition: the connection is in the tenant's schema (requests, tenant tasks).
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: Model, filename: str) -> str:
        return f"tenants/{current_schema()}/{self.folder}/{uuid.uuid4().hex}/{stored_file_name(filename)}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TenantUploadPath) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)
