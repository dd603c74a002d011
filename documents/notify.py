"""Telling sockets that a document changed: its uploader's, and every room's it is shared in."""

from __future__ import annotations

from chat import events
from documents.models import Document, MessageAttachment
from documents.payloads import document_payload


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
