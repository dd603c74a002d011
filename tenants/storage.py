"""Where tenant files go: every stored name starts with the tenant's own prefix (rule 7)."""

from __future__ import annotations

import uuid

from django.db.models import Model
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename

from tenants.db import current_schema


@deconstructible
class TenantUploadPath:
    """`upload_to` for tenant models: `tenants/<schema>/<folder>/<random>/<safe name>`.

    The random folder keeps names unguessable and lets two uploads share a file name.
    Precondition: the connection is in the tenant's schema (requests, tenant tasks).
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: Model, filename: str) -> str:
        name = get_valid_filename(filename.rsplit("/", 1)[-1])[-120:] or "file"
        return f"tenants/{current_schema()}/{self.folder}/{uuid.uuid4().hex}/{name}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TenantUploadPath) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)
