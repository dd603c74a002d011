"""Who may read, share and delete which document: the one place document access is decided.

A document is readable by the person who uploaded it, by the readers of the room it was uploaded
to, and by the readers of every room where a message that is not deleted carries it. Anything
else, another tenant's document included, answers "not found", so ids reveal nothing.
Precondition everywhere: the connection is set to the tenant's schema.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from chat.attachments import MAX_ATTACHMENTS
from chat.selectors import rooms_visible_to
from config.api.errors import AccessDenied, NotFound
from documents.models import Document, MessageAttachment


def _active(user: User) -> None:
    if not (user.is_authenticated and user.is_active):
        raise AccessDenied("Sign in to see documents.", code="not_authenticated")


def readable_documents(user: User) -> QuerySet[Document]:
    """Every document `user` may read (module docstring), as one query."""
    rooms = rooms_visible_to(user).values("pk")
    carried = MessageAttachment.objects.filter(
        document=OuterRef("pk"), message__deleted_at__isnull=True, message__room__in=rooms
    )
    return Document.objects.filter(Q(uploader=user) | Q(room__in=rooms) | Exists(carried))


def access_document(user: User, document_id: int | str) -> Document:
    """A document the person may read (and so open, download, search and share)."""
    _active(user)
    try:
        document_id = int(document_id)
    except (TypeError, ValueError):
        raise NotFound from None
    document = readable_documents(user).select_related("uploader").filter(pk=document_id).first()
    if document is None:
        raise NotFound
    return document


def access_documents_to_share(user: User, document_ids: Iterable[object]) -> list[Document]:
    """The documents a message of `user` may carry, in the order given, each once. Any id the
    person may not read fails the whole list, as "not found"."""
    _active(user)
    wanted: list[int] = []
    for raw in document_ids:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise NotFound
        try:
            pk = int(raw)
        except ValueError:
            raise NotFound from None
        if pk not in wanted:
            wanted.append(pk)
    if len(wanted) > MAX_ATTACHMENTS:
        raise AccessDenied(f"A message carries at most {MAX_ATTACHMENTS} documents.", code="too_many_attachments")
    found = {d.pk: d for d in readable_documents(user).select_related("uploader").filter(pk__in=wanted)}
    if len(found) != len(wanted):
        raise NotFound
    return [found[pk] for pk in wanted]


def may_delete_document(user: User, document: Document) -> bool:
    """Its uploader, or a workspace owner or admin. Precondition: `user` can read `document`.
    The pages ask this to decide whether to offer the delete control at all."""
    return document.uploader_id == user.pk or user.is_workspace_admin


def access_document_to_delete(user: User, document_id: int | str) -> Document:
    """Its uploader, or a workspace owner or admin, among those who can read it."""
    document = access_document(user, document_id)
    if may_delete_document(user, document):
        return document
    raise AccessDenied("Only the person who uploaded it, or an admin, can delete this document.")
