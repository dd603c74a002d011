"""Finishing a document being read: ready, or failed with the reason a person is told.

A document finishes exactly once however many tasks try (a conditional UPDATE ... WHERE status
= <the status it is leaving>), and its final state is announced. Precondition for every action:
the connection is in `tenant`'s schema (documents.tasks enters it).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from documents.models import Document, DocumentPage
from documents.notify import announce_reading
from tenants.models import Client

logger = logging.getLogger(__name__)

Status = Document.Status
Failure = Document.Failure


def do_finish(
    *,
    tenant: Client,
    document_id: int,
    status: str,
    error: str = "",
    page_count: int | None = None,
    from_status: str = Status.PROCESSING,
) -> bool:
    """Move an unfinished document from `from_status` to `status`; False when another run
    finished it first (or it is gone)."""
    changes: dict[str, Any] = {"status": status, "error": error, "heartbeat_at": timezone.now()}
    if page_count is not None:
        changes["page_count"] = page_count
    updated = Document.objects.filter(pk=document_id, status=from_status).update(**changes)
    if updated:
        logger.info("document %s in %s: %s %s", document_id, tenant.schema_name, status, error)
        announce_reading(tenant, document_id, final=True)
    return bool(updated)


def do_finish_if_complete(*, tenant: Client, document_id: int) -> None:
    """Finish the document once every page is stored: ready when some page has text, failed
    with the pages' error when every page failed, failed `no_text` otherwise."""
    row = Document.objects.filter(pk=document_id).values_list("status", "page_count").first()
    if row is None or row[0] != Status.PROCESSING or row[1] is None:
        return
    pages = DocumentPage.objects.filter(document_id=document_id)
    if pages.count() < row[1]:
        return
    totals = pages.aggregate(
        stored=Count("pk"),
        with_text=Count("pk", filter=Q(text__regex=r"\S")),
        failed=Count("pk", filter=~Q(error="")),
    )
    if totals["with_text"]:
        do_finish(tenant=tenant, document_id=document_id, status=Status.READY)
    elif totals["failed"] and totals["failed"] == totals["stored"]:
        common = (
            DocumentPage.objects.filter(document_id=document_id)
            .values("error")
            .annotate(n=Count("pk"))
            .order_by("-n", "error")
            .values_list("error", flat=True)
            .first()
        )
        do_finish(tenant=tenant, document_id=document_id, status=Status.FAILED, error=common or Failure.CORRUPTED)
    else:
        do_finish(tenant=tenant, document_id=document_id, status=Status.FAILED, error=Failure.NO_TEXT)


def do_fail_document(*, tenant: Client, document_id: int, code: str) -> None:
    """After a bug or a broken file: fail the document (`code`, a Document.Failure value) rather
    than leave it spinning, whether it was being read or not started yet. If even that fails
    (the database is down), the sweeper resumes it later."""
    try:
        if not do_finish(tenant=tenant, document_id=document_id, status=Status.FAILED, error=code):
            do_finish(
                tenant=tenant, document_id=document_id, status=Status.FAILED, error=code, from_status=Status.PENDING
            )
    except Exception:
        logger.exception("could not mark document %s failed", document_id)
