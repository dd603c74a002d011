"""Text extraction on Celery workers, page by page, in the tenant's schema (tenant-schemas-celery
switches the worker's connection to the schema the task was sent from).

  documents.extract_document  plans: inspects the PDF, then sends page tasks for the pages not
                              yet stored (page 1 alone, so it is searchable at once; then chunks
                              of DOCUMENTS_PAGES_PER_TASK, which several workers take in parallel)
  documents.extract_pages     reads a range of pages, committing each page as it comes
  documents.resume_stalled    (beat, every minute) re-plans documents that stopped moving

Every task is idempotent (acks_late, redelivery): a page is stored once (unique (document,
number), inserted with ignore_conflicts), a finished document is never touched again, and the
document finishes exactly once (a conditional UPDATE ... WHERE status = 'processing'). A worker
killed mid-document loses no committed page: the sweeper re-plans only the missing ones, and a
document that keeps killing its workers fails after DOCUMENTS_MAX_ATTEMPTS plans.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from celery import current_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_tenants.utils import get_tenant_model, schema_context

from config import limits
from config.api.errors import Refused
from config.celery import app
from documents import extraction
from documents.models import Document, DocumentPage
from documents.notify import announce_document
from documents.validation import PDF, TEXT
from tenants.db import current_schema
from tenants.models import Client

logger = logging.getLogger(__name__)

Status = Document.Status
Failure = Document.Failure

EXCERPT_CHARS = 500
# A text file is one page; more than this is not kept (uploads are capped well below anyway).
TEXT_MAX_BYTES = 10 * 1024 * 1024
PROGRESS_INTERVAL = 2.0
# After page 1, pages read within this many seconds are committed together: still searchable
# page by page to a person, without a commit's round trips and disk flush for every page.
COMMIT_INTERVAL = 0.5

# When this process last announced progress of a document: (schema, id) -> monotonic time.
_announced: dict[tuple[str, int], float] = {}


def start_extraction(document_id: int) -> None:
    """Send the planning task. Precondition: the connection is in the document's tenant schema
    and the document is committed (call from transaction.on_commit)."""
    extract_document.apply_async((document_id,), queue=_current_queue())


def _current_queue() -> str | None:
    """The queue of the task running now, so that the tasks it sends follow it (workers given a
    queue of their own for documents keep all of a document's work); None outside a task."""
    if not current_task or current_task.request.called_directly:
        return None
    delivery = current_task.request.delivery_info or {}
    return cast(str | None, delivery.get("routing_key")) or None


@app.task(name="documents.extract_document", acks_late=True)
def extract_document(document_id: int) -> None:
    try:
        _plan(document_id)
    except Exception as error:
        logger.exception("extracting document %s in %s failed", document_id, current_schema())
        _fail_unexpectedly(document_id, error)


@app.task(name="documents.extract_pages", acks_late=True)
def extract_pages(document_id: int, first: int, last: int) -> None:
    try:
        _extract_range(document_id, first, last)
    except Exception as error:
        logger.exception(
            "extracting pages %s-%s of document %s in %s failed", first, last, document_id, current_schema()
        )
        _fail_pages(document_id, first, last, error)


@app.task(name="documents.resume_stalled", acks_late=True)
def resume_stalled() -> dict[str, int]:
    """Re-send the planning task of every unfinished document, in every tenant, that has not
    moved for DOCUMENTS_STALL_SECONDS: its worker died, or its task was lost. Planning again
    costs only the pages not yet stored. A document is resent at most once per stall period."""
    stall = settings.DOCUMENTS_STALL_SECONDS
    cutoff = timezone.now() - dt.timedelta(seconds=stall)
    stalled = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    resent: dict[str, int] = {}
    schemas = get_tenant_model().objects.exclude(schema_name="public").values_list("schema_name", flat=True)
    for schema_name in schemas:
        with schema_context(schema_name):
            ids = Document.objects.filter(stalled, status__in=[Status.PENDING, Status.PROCESSING]).values_list(
                "pk", flat=True
            )
            for document_id in ids:
                if cache.add(f"documents:resumed:{document_id}", 1, timeout=stall):
                    logger.info("resuming stalled document %s in %s", document_id, schema_name)
                    start_extraction(document_id)
                    resent[schema_name] = resent.get(schema_name, 0) + 1
    return resent


# --- planning -----------------------------------------------------------------------------------


def _plan(document_id: int) -> None:
    extraction.apply_memory_limit(settings.DOCUMENTS_WORKER_MEMORY_BYTES)
    document = _start(document_id)
    if document is None:
        return
    if document.content_type == PDF:
        _plan_pdf(document)
    elif document.content_type == TEXT:
        _read_text_file(document)
    else:
        # Images and office files are kept and shared as they are; there is no text to read.
        _finish(document.pk, Status.READY, page_count=0)


def _start(document_id: int) -> Document | None:
    """Mark the document processing and count the attempt; None when there is nothing to do:
    it is gone, finished, or another run is moving it right now (a duplicate message)."""
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
                current_schema(),
                document.attempts - 1,
            )
            document.save(update_fields=["attempts", "updated_at"])
            _finish(document_id, Status.FAILED, Failure.TIMED_OUT, from_status=document.status)
            return None
        document.status = Status.PROCESSING
        document.heartbeat_at = now
        document.save(update_fields=["status", "heartbeat_at", "attempts", "updated_at"])
        _announce(document_id, final=True)
    return document


def _plan_pdf(document: Document) -> None:
    with local_file(document) as path:
        try:
            info = extraction.inspect_pdf(
                path, max_pages=settings.DOCUMENTS_MAX_PAGES, seconds=settings.DOCUMENTS_PAGE_SECONDS
            )
        except extraction.ExtractionFailed as failure:
            logger.info("document %s in %s unreadable: %s", document.pk, current_schema(), failure.code)
            _finish(document.pk, Status.FAILED, failure.code)
            return
    try:
        with transaction.atomic():
            _count_pages(document.pk, info.page_count)
            Document.objects.filter(pk=document.pk).update(
                title=info.title,
                author=info.author,
                authored_at=info.created,
                page_count=info.page_count,
                heartbeat_at=timezone.now(),
            )
            stored = set(DocumentPage.objects.filter(document_id=document.pk).values_list("number", flat=True))
            missing = [number for number in range(1, info.page_count + 1) if number not in stored]
            if missing:
                document_id = document.pk
                transaction.on_commit(lambda: _send_page_tasks(document_id, missing))
    except Refused:
        _refuse_pages(document.pk, info.page_count)
        return
    if not missing:
        _maybe_finish(document.pk)


def page_ranges(missing: list[int], per_task: int) -> list[tuple[int, int]]:
    """(first, last) ranges covering `missing` (sorted): page 1 alone, then `per_task` missing
    pages per range (a range may span stored pages; the page task skips them)."""
    ranges: list[tuple[int, int]] = []
    rest = missing
    if rest and rest[0] == 1:
        ranges.append((1, 1))
        rest = rest[1:]
    step = max(per_task, 1)
    for start in range(0, len(rest), step):
        group = rest[start : start + step]
        ranges.append((group[0], group[-1]))
    return ranges


def _send_page_tasks(document_id: int, missing: list[int]) -> None:
    for first, last in page_ranges(missing, settings.DOCUMENTS_PAGES_PER_TASK):
        extract_pages.apply_async((document_id, first, last), queue=_current_queue())


def _read_text_file(document: Document) -> None:
    with document.file.open("rb") as stored:
        raw = stored.read(TEXT_MAX_BYTES)
    text = raw.decode("utf-8-sig", "replace").replace("\x00", "")
    try:
        with transaction.atomic():
            _count_pages(document.pk, 1)
            Document.objects.filter(pk=document.pk).update(page_count=1, heartbeat_at=timezone.now())
            _store_page(document.pk, extraction.PageText(1, text))
    except Refused:
        _refuse_pages(document.pk, 1)
        return
    _maybe_finish(document.pk)


def _count_pages(document_id: int, pages: int) -> None:
    """Count the document's pages for the plan once, when they are first learnt (a document
    planned again after a lost task has its page_count already). Raises PlanLimitReached past
    the month's pages, ReadOnlyWorkspace in a read-only workspace, and nothing is stored.
    Precondition: inside the transaction that stores the page count."""
    known = Document.objects.select_for_update().filter(pk=document_id).values_list("page_count", flat=True).first()
    if known is None:
        limits.reserve(_tenant(), "pages_this_period", pages)


def _refuse_pages(document_id: int, pages: int) -> None:
    logger.info("document %s in %s: %s pages refused by the plan", document_id, current_schema(), pages)
    _finish(document_id, Status.FAILED, Failure.PLAN_LIMIT)


def _tenant() -> Client:
    """The tenant whose schema the task runs in (a schema set by name has no Client row)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Client):
        return tenant
    return Client.objects.get(schema_name=current_schema())


# --- pages --------------------------------------------------------------------------------------


def _extract_range(document_id: int, first: int, last: int) -> None:
    extraction.apply_memory_limit(settings.DOCUMENTS_WORKER_MEMORY_BYTES)
    document = Document.objects.filter(pk=document_id).first()
    if document is None or document.status != Status.PROCESSING:
        return
    stored = set(
        DocumentPage.objects.filter(document_id=document_id, number__range=(first, last)).values_list(
            "number", flat=True
        )
    )
    wanted = [number for number in range(first, last + 1) if number not in stored]
    if wanted:
        seconds = settings.DOCUMENTS_PAGE_SECONDS
        reached: set[int] = set()
        missing_because: str = Failure.CORRUPTED  # past the end of a page tree that changed or lied
        batch: list[extraction.PageText] = []
        try:
            # The same worker usually reads the next pages of the same document: keep it open.
            key = (current_schema(), document.pk, document.file.name, document.size)
            reader = extraction.cached_reader(key, lambda: _open_reader(document, seconds))
            flushed = time.monotonic()
            for page in reader.read(wanted, seconds=seconds):
                reached.add(page.number)
                batch.append(page)
                # Page 1 at once (the card's first lines, the first search hit); then whatever
                # was read in the last COMMIT_INTERVAL, in one commit instead of one per page.
                if page.number == 1 or time.monotonic() - flushed >= COMMIT_INTERVAL:
                    if not _store_pages(document_id, batch):
                        return  # finished meanwhile (it failed elsewhere): nothing more to do
                    batch, flushed = [], time.monotonic()
            if batch and not _store_pages(document_id, batch):
                return
        except extraction.ExtractionFailed as failure:
            # Readable when planned but not now (deadline, memory): the pages fail alike.
            missing_because = failure.code
            if batch and not _store_pages(document_id, batch):
                return
        unread = [extraction.PageText(n, "", missing_because) for n in wanted if n not in reached]
        if unread:
            _store_pages(document_id, unread)
    _maybe_finish(document_id)


def _open_reader(document: Document, seconds: float) -> extraction.PdfReader:
    with local_file(document) as path:
        return extraction.PdfReader(path, seconds=seconds)


def _store_page(document_id: int, page: extraction.PageText) -> bool:
    return _store_pages(document_id, [page])


def _store_pages(document_id: int, pages: list[extraction.PageText]) -> bool:
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
            _announce(document_id)
    if complete:
        _maybe_finish(document_id)
    return True


def _insert_pages(document_id: int, pages: list[extraction.PageText]) -> int:
    """Insert the pages not stored already, and set the document's pages_done to the number of
    its stored pages, in one statement; returns pages_done. Precondition: the document's row is
    locked by this transaction, so this statement's snapshot holds every page committed before
    it (its own inserts are not in it: hence `+ inserted`)."""
    table, documents = DocumentPage._meta.db_table, Document._meta.db_table
    params: dict[str, Any] = {"document": document_id, "now": timezone.now()}
    rows = []
    for i, page in enumerate(pages):
        rows.append(f"(%(document)s, %(number{i})s, %(text{i})s, %(error{i})s)")
        # PostgreSQL text cannot hold NUL.
        params.update({f"number{i}": page.number, f"text{i}": page.text.replace("\x00", ""), f"error{i}": page.error})
    first = next((page for page in pages if page.number == 1), None)
    excerpt_sql = ""
    if first is not None:
        excerpt_sql = ", excerpt = %(excerpt)s"
        params["excerpt"] = excerpt(first.text.replace("\x00", ""))
    values = ", ".join(rows)
    sql = f"""
        WITH inserted AS (
            INSERT INTO {table} (document_id, number, text, error)
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


# --- finishing ----------------------------------------------------------------------------------


def _maybe_finish(document_id: int) -> None:
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
        _finish(document_id, Status.READY)
    elif totals["failed"] and totals["failed"] == totals["stored"]:
        common = (
            DocumentPage.objects.filter(document_id=document_id)
            .values("error")
            .annotate(n=Count("pk"))
            .order_by("-n", "error")
            .values_list("error", flat=True)
            .first()
        )
        _finish(document_id, Status.FAILED, common or Failure.CORRUPTED)
    else:
        _finish(document_id, Status.FAILED, Failure.NO_TEXT)


def _finish(
    document_id: int,
    status: str,
    error: str = "",
    *,
    page_count: int | None = None,
    from_status: str = Status.PROCESSING,
) -> bool:
    """Move an unfinished document to `status`, exactly once however many tasks try."""
    changes: dict[str, Any] = {"status": status, "error": error, "heartbeat_at": timezone.now()}
    if page_count is not None:
        changes["page_count"] = page_count
    updated = Document.objects.filter(pk=document_id, status=from_status).update(**changes)
    if updated:
        logger.info("document %s in %s: %s %s", document_id, current_schema(), status, error)
        _announce(document_id, final=True)
    return bool(updated)


def _fail_unexpectedly(document_id: int, error: BaseException) -> None:
    """After a bug or a broken file: fail the document rather than leave it spinning. If even
    that fails (the database is down), the sweeper resumes it later."""
    code = extraction.failure_code(error)
    try:
        if not _finish(document_id, Status.FAILED, code):
            _finish(document_id, Status.FAILED, code, from_status=Status.PENDING)
    except Exception:
        logger.exception("could not mark document %s failed", document_id)


def _fail_pages(document_id: int, first: int, last: int, error: BaseException) -> None:
    """After a bug or a broken file in a page task: the range's missing pages are stored empty
    with the reason, so the rest of the document still counts. If even that fails (the
    database is down), the sweeper resumes the document later."""
    code = extraction.failure_code(error)
    try:
        stored = set(
            DocumentPage.objects.filter(document_id=document_id, number__range=(first, last)).values_list(
                "number", flat=True
            )
        )
        for number in range(first, last + 1):
            if number not in stored and not _store_page(document_id, extraction.PageText(number, "", code)):
                return
        _maybe_finish(document_id)
    except Exception:
        logger.exception("could not mark pages %s-%s of document %s failed", first, last, document_id)


# --- helpers ------------------------------------------------------------------------------------


def _announce(document_id: int, *, final: bool = False) -> None:
    """Send `document.updated`: always when `final` (a status change), otherwise at most once
    per PROGRESS_INTERVAL per document across all workers (each send costs a channel-layer
    publish, which is not free next to a page)."""
    schema = current_schema()
    if not final:
        now = time.monotonic()
        if now - _announced.get((schema, document_id), 0.0) < PROGRESS_INTERVAL:
            return
        _announced[(schema, document_id)] = now
        if not cache.add(f"documents:progress:{document_id}", 1, timeout=int(PROGRESS_INTERVAL)):
            return
    else:
        _announced.pop((schema, document_id), None)
    document = Document.objects.select_related("uploader").filter(pk=document_id).first()
    if document is None or (not final and document.is_finished):
        return  # whoever finished it sent the last frame
    try:
        announce_document(cast(Any, connection).tenant.pk, document)
    except Exception:
        logger.exception("could not announce document %s", document_id)


@contextlib.contextmanager
def local_file(document: Document) -> Iterator[Path]:
    """The stored file as a local path: the file itself on disk storage, else a temporary copy
    (pdfminer seeks all over the file, so it is not streamed from remote storage)."""
    storage, name = document.file.storage, str(document.file.name)
    try:
        path = Path(storage.path(name))
    except NotImplementedError:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as copy, storage.open(name, "rb") as source:
            shutil.copyfileobj(source, copy)
            copy.flush()
            yield Path(copy.name)
        return
    yield path
