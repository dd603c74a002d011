"""Documents uploaded and read through the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django_tenants.utils import schema_context
from pytest_django import DjangoDbBlocker

from accounts.models import User
from documents import tasks
from documents.models import Document
from tests.support.chat_api import Person
from tests.support.tenants import TenantInfo

BOUNDARY = "upload-api-test-boundary"


def form(content: bytes | None, name: str = "file.bin", **fields: str) -> bytes:
    """A multipart body carrying `name` exactly as given (Django's test client would cut it to
    its base name first); `content=None` leaves the file out."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    if content is not None:
        quoted = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def request(who: Person, method: str, path: str, **options: Any) -> Any:
    """A request by `who`, with their bearer token."""
    send: Any = getattr(who.api.http, method)
    return send(path, **options, **who.api.headers)


def upload(who: Person, content: bytes | None, name: str = "file.bin", **fields: str) -> Any:
    """POST /api/documents/ as multipart, the way a browser or an API client sends a file."""
    return request(
        who,
        "post",
        "/api/documents/",
        data=form(content, name, **fields),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


def make_document(
    django_db_blocker: DjangoDbBlocker,
    tenant: TenantInfo,
    created: list[tuple[str, int]],
    path: Path,
    *,
    pk: int | None = None,
    start: bool = False,
    **fields: object,
) -> int:
    """A document row made directly (no upload checks), started on commit only if `start`."""
    with django_db_blocker.unblock(), schema_context(tenant.schema), transaction.atomic():
        document = Document(
            pk=pk,
            uploader=User.objects.get(email=tenant.owner_email),
            name=path.name,
            content_type="application/pdf",
            size=path.stat().st_size,
            sha256="0" * 64,
            **fields,
        )
        document.file.save(path.name, ContentFile(path.read_bytes()), save=False)
        document.save(force_insert=True)
        if start:
            document_id = document.pk
            transaction.on_commit(lambda: tasks.start_extraction(document_id))
    created.append((tenant.schema, document.pk))
    return document.pk
