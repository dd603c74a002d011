"""Text extraction on Celery workers, page by page, in the tenant's schema.

  documents.extract_document  plans: inspects the PDF, then sends page tasks for the pages not
                              yet stored (page 1 alone, so it is searchable at once; then chunks
                              of DOCUMENTS_PAGES_PER_TASK, which several workers take in parallel)
  documents.extract_pages     reads a range of pages, committing each page as it comes; a
                              scanned page (no text, an image) is read by OCR (documents.ocr)
                              unless OCR_ENABLED is off
  documents.resume_stalled    (beat, every minute) re-plans documents that stopped moving

A task loads its tenant once, from the schema it was sent from (tenant-schemas-celery's header),
enters it with tenants.db.in_tenant, and hands it down; everything it stores goes through
documents.actions.reading and .finishing. Every task is idempotent (acks_late, redelivery): see
those actions. A worker killed mid-document loses no committed page: the sweeper re-plans only
the missing ones, and a document that keeps killing its workers fails after
DOCUMENTS_MAX_ATTEMPTS plans.
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
from django.db.models import Q
from django.utils import timezone
from tenant_schemas_celery.app import get_schema_name_from_task

from config.cache import cache
from config.celery import app
from documents import extraction
from documents.actions.finishing import do_fail_document, do_finish, do_finish_if_complete
from documents.actions.reading import do_fail_pages, do_plan_pdf, do_start_reading, do_store_pages, do_store_text_file
from documents.models import Document
from documents.ocr import OcrOptions
from documents.selectors import stored_page_numbers
from documents.validation.content import PDF, TEXT
from tenants.db import current_schema, in_tenant
from tenants.models import Client

logger = logging.getLogger(__name__)

Status = Document.Status

# A text file is one page; more than this is not kept (uploads are capped well below anyway).
TEXT_MAX_BYTES = 10 * 1024 * 1024
# After page 1, pages read within this many seconds are committed together: still searchable
# page by page to a person, without a commit's round trips and disk flush for every page.
COMMIT_INTERVAL = 0.5


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


def _sent_from(task: Any) -> Client:
    """The tenant whose schema the task was sent from (tenant-schemas-celery's header); for a
    task called as a plain function, which has no header, the schema its caller is in."""
    return Client.objects.get(schema_name=get_schema_name_from_task(task, {}) or current_schema())


@app.task(name="documents.extract_document", bind=True, acks_late=True)
def extract_document(self: Any, document_id: int) -> None:
    tenant = _sent_from(self)
    with in_tenant(tenant):
        try:
            _plan(tenant, document_id)
        except Exception as error:
            logger.exception("extracting document %s in %s failed", document_id, tenant.schema_name)
            do_fail_document(tenant=tenant, document_id=document_id, code=extraction.failure_code(error))


@app.task(name="documents.extract_pages", bind=True, acks_late=True)
def extract_pages(self: Any, document_id: int, first: int, last: int) -> None:
    tenant = _sent_from(self)
    with in_tenant(tenant):
        try:
            _read_pages(tenant, document_id, first, last)
        except Exception as error:
            logger.exception(
                "extracting pages %s-%s of document %s in %s failed", first, last, document_id, tenant.schema_name
            )
            code = extraction.failure_code(error)
            do_fail_pages(tenant=tenant, document_id=document_id, first=first, last=last, code=code)


@app.task(name="documents.resume_stalled", acks_late=True)
def resume_stalled() -> dict[str, int]:
    """Re-send the planning task of every unfinished document, in every tenant, that has not
    moved for DOCUMENTS_STALL_SECONDS: its worker died, or its task was lost. Planning again
    costs only the pages not yet stored. A document is resent at most once per stall period."""
    stall = settings.DOCUMENTS_STALL_SECONDS
    cutoff = timezone.now() - dt.timedelta(seconds=stall)
    stalled = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    resent: dict[str, int] = {}
    for tenant in Client.objects.exclude(schema_name="public"):
        with in_tenant(tenant):
            ids = Document.objects.filter(stalled, status__in=[Status.PENDING, Status.PROCESSING]).values_list(
                "pk", flat=True
            )
            for document_id in ids:
                if cache.add(f"documents:resumed:{document_id}", 1, timeout=stall):
                    logger.info("resuming stalled document %s in %s", document_id, tenant.schema_name)
                    start_extraction(document_id)
                    resent[tenant.schema_name] = resent.get(tenant.schema_name, 0) + 1
    return resent


# --- planning -----------------------------------------------------------------------------------


def _plan(tenant: Client, document_id: int) -> None:
    extraction.apply_memory_limit(settings.DOCUMENTS_WORKER_MEMORY_BYTES)
    document = do_start_reading(tenant=tenant, document_id=document_id)
    if document is None:
        return
    if document.content_type == PDF:
        _plan_pdf(tenant, document)
    elif document.content_type == TEXT:
        with document.file.open("rb") as stored:
            raw = stored.read(TEXT_MAX_BYTES)
        text = raw.decode("utf-8-sig", "replace").replace("\x00", "")
        do_store_text_file(tenant=tenant, document_id=document.pk, text=text)
    else:
        # Images and office files are kept and shared as they are; there is no text to read.
        do_finish(tenant=tenant, document_id=document.pk, status=Status.READY, page_count=0)


def _plan_pdf(tenant: Client, document: Document) -> None:
    with local_file(document) as path:
        try:
            info = extraction.inspect_pdf(
                path, max_pages=settings.DOCUMENTS_MAX_PAGES, seconds=settings.DOCUMENTS_PAGE_SECONDS
            )
        except extraction.ExtractionFailed as failure:
            logger.info("document %s in %s unreadable: %s", document.pk, tenant.schema_name, failure.code)
            do_finish(tenant=tenant, document_id=document.pk, status=Status.FAILED, error=failure.code)
            return
    # Committed by now, so the page tasks find the plan.
    missing = do_plan_pdf(tenant=tenant, document_id=document.pk, info=info)
    for first, last in page_ranges(missing, settings.DOCUMENTS_PAGES_PER_TASK):
        extract_pages.apply_async((document.pk, first, last), queue=_current_queue())


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


# --- pages --------------------------------------------------------------------------------------


def _read_pages(tenant: Client, document_id: int, first: int, last: int) -> None:
    extraction.apply_memory_limit(settings.DOCUMENTS_WORKER_MEMORY_BYTES)
    document = Document.objects.filter(pk=document_id).first()
    if document is None or document.status != Status.PROCESSING:
        return
    stored = stored_page_numbers(document_id, first=first, last=last)
    wanted = [number for number in range(first, last + 1) if number not in stored]
    if wanted:
        seconds = settings.DOCUMENTS_PAGE_SECONDS
        reached: set[int] = set()
        missing_because: str = Document.Failure.CORRUPTED  # past the end of a page tree that changed or lied
        batch: list[extraction.PageText] = []

        def store(pages: list[extraction.PageText]) -> bool:
            return do_store_pages(tenant=tenant, document_id=document_id, pages=pages)

        try:
            # The same worker usually reads the next pages of the same document: keep it open.
            ocr = ocr_options()
            key = (tenant.schema_name, document.pk, document.file.name, document.size, ocr)
            reader = extraction.cached_reader(key, lambda: _open_reader(document, seconds, ocr))
            flushed = time.monotonic()
            for page in reader.read(wanted, seconds=seconds):
                reached.add(page.number)
                batch.append(page)
                # Page 1 at once (the card's first lines, the first search hit); then whatever
                # was read in the last COMMIT_INTERVAL, in one commit instead of one per page.
                if page.number == 1 or time.monotonic() - flushed >= COMMIT_INTERVAL:
                    if not store(batch):
                        return  # finished meanwhile (it failed elsewhere): nothing more to do
                    batch, flushed = [], time.monotonic()
            if batch and not store(batch):
                return
        except extraction.ExtractionFailed as failure:
            # Readable when planned but not now (deadline, memory): the pages fail alike.
            missing_because = failure.code
            if batch and not store(batch):
                return
        unread = [extraction.PageText(n, "", missing_because) for n in wanted if n not in reached]
        if unread:
            store(unread)
    do_finish_if_complete(tenant=tenant, document_id=document_id)


def _open_reader(document: Document, seconds: float, ocr: OcrOptions | None) -> extraction.PdfReader:
    with local_file(document) as path:
        return extraction.PdfReader(path, seconds=seconds, ocr=ocr)


def ocr_options() -> OcrOptions | None:
    """How scanned pages are read (OCR_ENABLED, OCR_LANGUAGES); None when they are not."""
    if not settings.OCR_ENABLED:
        return None
    return OcrOptions(languages=settings.OCR_LANGUAGES)


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
