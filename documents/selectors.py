"""Reading documents: pages of the list a person sees, and pages of a document's text.
Keyset pages throughout (never OFFSET)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from chat.models import Room
from documents.access import readable_documents
from documents.models import Document, DocumentPage, MessageAttachment

MAX_PAGE_SIZE = 100


def in_room(documents: QuerySet[Document], room: Room) -> QuerySet[Document]:
    """Those shared in `room`: uploaded to it, or carried by one of its messages (not deleted)."""
    carried = MessageAttachment.objects.filter(
        document=OuterRef("pk"), message__room=room, message__deleted_at__isnull=True
    )
    return documents.filter(Q(room=room) | Exists(carried))


@dataclass(frozen=True)
class DocumentList:
    documents: list[Document]
    # Pass as `before` for the next (older) page; None on the last page.
    next_before: int | None


def document_list(user: User, *, room: Room | None = None, before: int | None = None, limit: int = 30) -> DocumentList:
    """The documents `user` may read, newest first; with `room`, those shared in that room
    (uploaded to it, or carried by one of its messages). Precondition: `room` is readable."""
    documents = readable_documents(user)
    if room is not None:
        documents = in_room(documents, room)
    if before is not None:
        documents = documents.filter(pk__lt=before)
    rows = list(documents.select_related("uploader").order_by("-pk")[: limit + 1])
    page, more = rows[:limit], len(rows) > limit
    return DocumentList(documents=page, next_before=page[-1].pk if more and page else None)


@dataclass(frozen=True)
class TextPages:
    pages: list[DocumentPage]
    # The page number to ask for next; None when the last stored page is in this one.
    next_from: int | None


def text_pages(document: Document, *, start: int = 1, limit: int = 20) -> TextPages:
    """The stored pages from page `start` on, in order. Pages still being read are not there yet;
    `next_from` then points past the last stored page, to ask again."""
    rows = list(
        DocumentPage.objects.filter(document=document, number__gte=start)
        .order_by("number")
        .only("number", "text", "error", "ocr")[: limit + 1]
    )
    page, more = rows[:limit], len(rows) > limit
    return TextPages(pages=page, next_from=rows[limit].number if more else None)


def stored_page_numbers(document_id: int, *, first: int = 1, last: int | None = None) -> set[int]:
    """The numbers of the document's pages stored so far, from `first` to `last` (to the end)."""
    pages = DocumentPage.objects.filter(document_id=document_id, number__gte=first)
    if last is not None:
        pages = pages.filter(number__lte=last)
    return set(pages.values_list("number", flat=True))
