"""Telling sockets that a document changed: its uploader's, and every room's it is shared in;
while it is being read, at a bounded rate."""

from __future__ import annotations

import logging
import time

from chat import events
from config.cache import cache
from documents.models import Document, MessageAttachment
from documents.payloads import document_payload
from tenants.models import Client

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 2.0


def shared_in_rooms(document: Document) -> set[int]:
    """The rooms whose readers may read `document`: where it was uploaded, and where a message
    that is not deleted carries it."""
    rooms = set(
        MessageAttachment.objects.filter(document=document, message__deleted_at__isnull=True).values_list(
            "message__room_id", flat=True
        )
    )
    if document.room_id is not None:
        rooms.add(document.room_id)
    return rooms


def announce_document(tenant_id: int, document: Document) -> None:
    """Send `document.updated` after the surrounding transaction commits (or at once outside one).
    Precondition: the connection is in the tenant's schema."""
    frame = {"type": "document.updated", "document": document_payload(document)}
    if document.uploader_id is not None:
        events.to_user(tenant_id, document.uploader_id, frame)
    for room_id in sorted(shared_in_rooms(document)):
        events.to_room(tenant_id, room_id, frame)


# When this process last announced progress of a document: (schema, id) -> monotonic time.
_announced: dict[tuple[str, int], float] = {}


def announce_reading(tenant: Client, document_id: int, *, final: bool = False) -> None:
    """Send `document.updated` for a document being read: always when `final` (a status change),
    otherwise at most once per PROGRESS_INTERVAL per document across all workers (each send costs
    a channel-layer publish, which is not free next to a page). Precondition: the connection is
    in `tenant`'s schema."""
    key = (tenant.schema_name, document_id)
    if not final:
        now = time.monotonic()
        if now - _announced.get(key, 0.0) < PROGRESS_INTERVAL:
            return
        _announced[key] = now
        if not cache.add(f"documents:progress:{document_id}", 1, timeout=int(PROGRESS_INTERVAL)):
            return
    else:
        _announced.pop(key, None)
    document = Document.objects.select_related("uploader").filter(pk=document_id).first()
    if document is None or (not final and document.is_finished):
        return  # whoever finished it sent the last frame
    try:
        announce_document(tenant.pk, document)
    except Exception:
        logger.exception("could not announce document %s", document_id)
