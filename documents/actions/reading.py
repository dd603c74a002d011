"""What reading a document stores, for the extraction tasks (documents.tasks): the start of a
run, the plan (page count, metadata, the plan's pages counted), and the pages as they are read.

Every action is idempotent, as the tasks that call it may be delivered twice: a page is stored
once (unique (document, number), inserted with ON CONFLICT DO NOTHING), a finished document is
never touched again, and a document's pages are counted for the plan once, when first learnt.
Precondition for every action: the connection is in `tenant`'s schema (documents.tasks enters it).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from config import limits
from config.api.errors import Refused
from documents.actions.finishing import do_finish, do_finish_if_complete
from documents.extraction import PageText, PdfInfo
from documents.models import Document, DocumentPage
from documents.notify import announce_reading
from documents.selectors import stored_page_numbers
from tenants.models import Client

logger = logging.getLogger(__name__)

Status = Document.Status
Failure = Document.Failure

EXCERPT_CHARS = 500


def do_start_reading(*, tenant: Client, document_id: int) -> Document | None:
    """Mark the document processing and count the attempt; None when there is nothing to do:
    it is gone, finished, or another run is moving it right now (a duplicate message). A
    document started DOCUMENTS_MAX_ATTEMPTS times without finishing fails instead."""
    now = timezone.now()
    fresh = now - dt.timedelta(seconds=settings.DOCUMENTS_STALL_SECONDS)
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.is_finished:
            return None
        if document.status == Status.PROCESSING and document.heartbeat_at and document.heartbeat_at > fresh:
            return None
        document.attempts += 1
        if document.attempts > settings.DOCUMENTS_MAX_ATTEMPTS:
            logger.warning(
                "document %s in %s was started %s times without finishing",
                document_id,
                tenant.schema_name,
                document.attempts - 1,
            )
            document.save(update_fields=["attempts", "updated_at"])
            do_finish(
                tenant=tenant,
                document_id=document_id,
                status=Status.FAILED,
                error=Failure.TIMED_OUT,
                from_status=document.status,
            )
            return None
        document.status = Status.PROCESSING
        document.heartbeat_at = now
        document.save(update_fields=["status", "heartbeat_at", "attempts", "updated_at"])
        announce_reading(tenant, document_id, final=True)
    return document


def do_plan_pdf(*, tenant: Client, document_id: int, info: PdfInfo) -> list[int]:
    """Store what inspecting the PDF learnt. Returns the pages still to read, committed by then,
    so their tasks may be sent; [] when none is left (the document may have finished)."""
    metadata = {"title": info.title, "author": info.author, "authored_at": info.created}
    return _plan(tenant, document_id, info.page_count, metadata=metadata)


def do_store_text_file(*, tenant: Client, document_id: int, text: str) -> None:
    """A text file is one page, stored with its plan."""
    _plan(tenant, document_id, 1, first_page=PageText(1, text))


def _plan(
    tenant: Client,
    document_id: int,
    page_count: int,
    *,
    metadata: dict[str, Any] | None = None,
    first_page: PageText | None = None,
) -> list[int]:
    """The page count and `metadata`, with the pages counted for the plan, in one transaction
    (with `first_page`, when the whole text is known). Past the month's pages, or in a read-only
    workspace, nothing is stored and the document fails `plan_limit`."""
    try:
        with transaction.atomic():
            _count_pages(tenant, document_id, page_count)
            Document.objects.filter(pk=document_id).update(
                **(metadata or {}), page_count=page_count, heartbeat_at=timezone.now()
            )
            if first_page is not None:
                do_store_pages(tenant=tenant, document_id=document_id, pages=[first_page])
            stored = stored_page_numbers(document_id)
            missing = [number for number in range(1, page_count + 1) if number not in stored]
    except Refused:
        logger.info("document %s in %s: %s pages refused by the plan", document_id, tenant.schema_name, page_count)
        do_finish(tenant=tenant, document_id=document_id, status=Status.FAILED, error=Failure.PLAN_LIMIT)
        return []
    if not missing:
        do_finish_if_complete(tenant=tenant, document_id=document_id)
    return missing


def _count_pages(tenant: Client, document_id: int, pages: int) -> None:
    """Count the document's pages for the plan once, when they are first learnt (a document
    planned again after a lost task has its page_count already). Raises PlanLimitReached past
    the month's pages, ReadOnlyWorkspace in a read-only workspace, and nothing is stored.
    Precondition: inside the transaction that stores the page count."""
    known = Document.objects.select_for_update().filter(pk=document_id).values_list("page_count", flat=True).first()
    if known is None:
        limits.reserve(tenant, "pages_this_period", pages)


def do_store_pages(*, tenant: Client, document_id: int, pages: list[PageText]) -> bool:
    """Commit pages with the document's progress, and announce it (throttled); finish the
    document if they were the last. False (and nothing stored) when it is no longer being read.

    The document's row is locked first, so page commits of parallel tasks take turns and each
    counts every page committed before it: pages_done is a count, never an increment, and
    whichever task stores the last page sees all of them.
    """
    with transaction.atomic():
        row = Document.objects.select_for_update().filter(pk=document_id).values_list("status", "page_count").first()
        if row is None or row[0] != Status.PROCESSING:
            return False
        done = _insert_pages(document_id, pages)
        complete = row[1] is not None and done >= row[1]
        if not complete:
            # Published right after this commits: ahead of the frames of pages committed later.
            announce_reading(tenant, document_id)
    if complete:
        do_finish_if_complete(tenant=tenant, document_id=document_id)
    return True


def do_fail_pages(*, tenant: Client, document_id: int, first: int, last: int, code: str) -> None:
    """After a bug or a broken file in a page task: the range's missing pages are stored empty
    with the reason (`code`, a Document.Failure value), so the rest of the document still
    counts. If even that fails (the database is down), the sweeper resumes the document later."""
    try:
        stored = stored_page_numbers(document_id, first=first, last=last)
        for number in range(first, last + 1):
            if number not in stored and not do_store_pages(
                tenant=tenant, document_id=document_id, pages=[PageText(number, "", code)]
            ):
                return
        do_finish_if_complete(tenant=tenant, document_id=document_id)
    except Exception:
        logger.exception("could not mark pages %s-%s of document %s failed", first, last, document_id)


def _insert_pages(document_id: int, pages: list[PageText]) -> int:
    """Insert the pages not stored already, and set the document's pages_done to the number of
    its stored pages, in one statement; returns pages_done. Precondition: the document's row is
    locked by this transaction, so this statement's snapshot holds every page committed before
    it (its own inserts are not in it: hence `+ inserted`)."""
    table, documents = DocumentPage._meta.db_table, Document._meta.db_table
    params: dict[str, Any] = {"document": document_id, "now": timezone.now()}
    rows = []
    for i, page in enumerate(pages):
        rows.append(f"(%(document)s, %(number{i})s, %(text{i})s, %(error{i})s, %(ocr{i})s)")
        # PostgreSQL text cannot hold NUL.
        text = page.text.replace("\x00", "")
        params.update({f"number{i}": page.number, f"text{i}": text, f"error{i}": page.error, f"ocr{i}": page.ocr})
    first = next((page for page in pages if page.number == 1), None)
    excerpt_sql = ""
    if first is not None:
        excerpt_sql = ", excerpt = %(excerpt)s"
        params["excerpt"] = excerpt(first.text.replace("\x00", ""))
    values = ", ".join(rows)
    sql = f"""
        WITH inserted AS (
            INSERT INTO {table} (document_id, number, text, error, ocr)
            VALUES {values}
            ON CONFLICT (document_id, number) DO NOTHING
            RETURNING 1
        )
        UPDATE {documents}
        SET pages_done = (SELECT count(*) FROM {table} WHERE document_id = %(document)s)
                         + (SELECT count(*) FROM inserted),
            heartbeat_at = %(now)s{excerpt_sql}
        WHERE id = %(document)s
        RETURNING pages_done
    """  # noqa: S608  # nosec B608  # table names from the models, placeholders numbered here; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def excerpt(text: str) -> str:
    """The first lines of a page for a document's card: whitespace collapsed, cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= EXCERPT_CHARS:
        return flat
    cut = flat[: EXCERPT_CHARS - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut + "…"
