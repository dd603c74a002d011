"""Documents: upload and delete. Each writes in one transaction; extraction starts only once the
document is committed (ARCHITECTURE rule 6), and a file is never left in storage without its row.

Preconditions for every action: the connection is set to `tenant`'s schema, and the caller has
checked access (documents.access, and chat.access for the room an upload goes to).

The plan (config.limits) decides the largest file and the storage: a document's size is counted
in the transaction that stores its row and given back in the one that deletes it. A read-only
workspace takes no uploads or deletions.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from chat.models import Room
from config import limits
from documents import tasks
from documents.models import Document, MessageAttachment
from documents.notify import announce_document
from documents.validation import check_plan_size, check_upload
from tenants.models import Client

logger = logging.getLogger(__name__)


class DocumentInUse(Exception):
    """The document is still carried by a message (answered 409 `in_use`)."""


def do_upload_document(*, tenant: Client, uploader: User, upload: UploadedFile, room: Room | None = None) -> Document:
    """Check the upload (documents.validation: size, type by content, name) before anything is
    stored, store it under the tenant's prefix and start reading it. `room`, when given, makes it
    readable by the room's readers."""
    limits.check_writable(tenant)
    check_plan_size(upload.size, tenant=tenant)
    checked = check_upload(
        upload,
        claimed_name=upload.name or "",
        max_bytes=settings.DOCUMENTS_MAX_UPLOAD_BYTES,
        max_unpacked=settings.DOCUMENTS_MAX_UNPACKED_BYTES,
        max_ratio=settings.DOCUMENTS_MAX_PACKING_RATIO,
    )
    check_plan_size(checked.size, tenant=tenant)  # what was read, when the upload's size said less
    document = Document(
        uploader=uploader,
        room=room,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    upload.seek(0)
    document.file.save(checked.name, upload, save=False)
    stored = str(document.file.name)
    try:
        with transaction.atomic():
            limits.reserve(tenant, "storage_bytes", document.size)
            document.save()
            announce_document(tenant.pk, document)
            transaction.on_commit(lambda: tasks.start_extraction(document.pk))
    except BaseException:
        # The row did not make it: take the file back out of storage.
        document.file.storage.delete(stored)
        raise
    return document


def do_delete_document(*, tenant: Client, document: Document) -> None:
    """Delete a document no message carries any more (deleting a message unlinks its documents);
    its pages go with it, and its file once the deletion is committed."""
    limits.check_writable(tenant)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if MessageAttachment.objects.filter(document=locked).exists():
            raise DocumentInUse("Messages still share this document. Delete those messages first.")
        stored, storage = str(locked.file.name), locked.file.storage
        locked.delete()
        limits.release(tenant, "storage_bytes", locked.size)
        transaction.on_commit(lambda: _delete_file(storage, stored))
    logger.info("deleted document %s of %s", document.pk, tenant.schema_name)


def _delete_file(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        # The row is gone; a file left behind is unreachable (no view serves it without its row).
        logger.exception("could not delete stored file %s", name)
