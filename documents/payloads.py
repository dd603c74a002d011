"""The `document` object of the API and the socket, one shape everywhere (a message's
attachments, search hits, `document.updated` frames)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts.payloads import author_payload
from documents.models import Document


def document_payload(document: Document) -> dict[str, Any]:
    """Precondition: `uploader` is loaded with it (select_related) or cheap to read."""
    return {
        "id": document.pk,
        "name": document.name,
        "content_type": document.content_type,
        "size": document.size,
        "status": document.status,
        "error": document.error_message or None,
        "error_code": document.error or None,
        "pages": document.page_count,
        "pages_done": document.pages_done,
        "title": document.title,
        "author": document.author,
        "authored_at": document.authored_at,
        "excerpt": document.excerpt,
        "room": document.room_id,
        "uploader": author_payload(document.uploader),
        "created_at": document.created_at,
        "url": reverse("documents:viewer", args=[document.pk]),
        "download_url": reverse("api:document-download", args=[document.pk]),
    }
