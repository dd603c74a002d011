"""Scans become searchable: PDFs whose pages are images (made here with Pillow, no text layer) are
uploaded through the API, read by a real Celery worker with OCR, and found by their words through
the search API, by their own tenant only. OCR off, or a language pack missing, keeps the old
failure handling. OCR itself is unit-tested in test_ocr.py.

The worker is another process, so the uploads are committed (django_db_blocker.unblock()) and
the documents removed again afterwards (the `created` fixture).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django_tenants.utils import schema_context
from pytest_django import DjangoDbBlocker

from documents import tasks
from documents.models import Document
from tests.support.documents import make_document
from tests.support.extraction import page_rows, wait_finished
from tests.support.people import owner_client
from tests.support.scans import Scanned, Typed, scan_word, write_pdf
from tests.support.tenants import TenantInfo

Failure = Document.Failure


ReadUpload = Callable[[HttpClient, TenantInfo, Path], Document]


@pytest.fixture
def read_upload(
    celery_worker: subprocess.Popen[bytes], django_db_blocker: DjangoDbBlocker, created: list[tuple[str, int]]
) -> ReadUpload:
    """Upload a PDF through the API as the client's person (committed, so the worker gets it),
    and wait until the worker has finished it; returns the document as stored."""

    def read_upload(client: HttpClient, tenant: TenantInfo, path: Path) -> Document:
        with django_db_blocker.unblock():
            file = SimpleUploadedFile(path.name, path.read_bytes(), "application/pdf")
            response = client.post("/api/documents/", {"file": file})
        assert response.status_code == 201, response.content[:500]
        document_id = response.json()["id"]
        created.append((tenant.schema, document_id))
        return wait_finished(django_db_blocker, tenant.schema, [document_id])[document_id]

    return read_upload


def found(client: HttpClient, word: str) -> list[tuple[int, int]]:
    """(document id, page) of every document hit of `word` in the search API."""
    response = client.get("/api/search/", {"q": word, "type": "documents"})
    assert response.status_code == 200, response.content[:500]
    return [(hit["document"]["id"], hit["page"]) for hit in response.json()["results"]]


def text_of(client: HttpClient, document_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/documents/{document_id}/text/")
    assert response.status_code == 200, response.content[:500]
    pages: list[dict[str, Any]] = response.json()["pages"]
    return pages


def test_uploaded_scan_is_read_by_the_worker_and_found_by_its_words(
    read_upload: ReadUpload, tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker, tmp_path: Path
) -> None:
    # given: a two-page scan, each page with a word of its own
    first, second = scan_word(), scan_word()
    scan = write_pdf(tmp_path / "scan.pdf", [Scanned([f"Invoice {first}"]), Scanned([f"Total due {second}"])])

    with django_db_blocker.unblock():
        owner = owner_client(tenant_a)
    # when: its owner uploads it, and the worker reads it
    document = read_upload(owner, tenant_a, scan)

    # then: it is ready, each word finds its page, and the pages say they are OCR text
    with django_db_blocker.unblock():
        assert (document.status, document.error, document.pages_done) == (Document.Status.READY, "", 2)
        assert found(owner, first) == [(document.pk, 1)]
        assert found(owner, second) == [(document.pk, 2)]
        pages = text_of(owner, document.pk)
        assert [(p["number"], p["ocr"], p["error"]) for p in pages] == [(1, True, None), (2, True, None)]
        assert first in pages[0]["text"].split()
        card = owner.get(f"/api/documents/{document.pk}/").json()
        assert first in card["excerpt"] and card["status"] == "ready"


def test_mixed_pdf_keeps_its_text_layer_and_reads_its_scanned_page(
    read_upload: ReadUpload, tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker, tmp_path: Path
) -> None:
    # given: a typed page, a scanned page, an empty page
    typed, scanned = scan_word(), scan_word()
    mixed = write_pdf(
        tmp_path / "mixed.pdf",
        [Typed([f"Cover letter {typed}"]), Scanned([f"Signed copy {scanned}"]), Typed([])],
    )

    with django_db_blocker.unblock():
        owner = owner_client(tenant_a)
    # when
    document = read_upload(owner, tenant_a, mixed)

    # then: the typed page is its text layer, only the scanned page is OCR text; both found
    with django_db_blocker.unblock():
        assert document.status == Document.Status.READY
        pages = text_of(owner, document.pk)
        assert [(p["number"], p["ocr"]) for p in pages] == [(1, False), (2, True), (3, False)]
        assert pages[0]["text"] == f"Cover letter {typed}\n\n\f"
        assert found(owner, typed) == [(document.pk, 1)]
        assert found(owner, scanned) == [(document.pk, 2)]


def test_another_tenant_cannot_find_or_read_a_scans_words(
    read_upload: ReadUpload,
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    django_db_blocker: DjangoDbBlocker,
    tmp_path: Path,
) -> None:
    # given: tenant A's scan, read by the worker
    word = scan_word()
    name = f"salaries-{word}.pdf"
    scan = write_pdf(tmp_path / name, [Scanned([f"Salary review {word}"])])
    with django_db_blocker.unblock():
        acme, globex = owner_client(tenant_a), owner_client(tenant_b)
    document = read_upload(acme, tenant_a, scan)

    with django_db_blocker.unblock():
        # when: tenant B's owner searches for its word and asks for it by id
        crossed = found(globex, word)
        card = globex.get(f"/api/documents/{document.pk}/")
        text = globex.get(f"/api/documents/{document.pk}/text/")

        # then: nothing of it (a document of B with the same id is not it), while A finds it
        assert crossed == []
        assert card.status_code == 404 or card.json()["name"] != name
        assert text.status_code == 404 or word not in str(text.json())
        assert found(acme, word) == [(document.pk, 1)]


def read_in_process(tenant: TenantInfo, document_id: int) -> Document:
    """The page task run here, with this process's settings (the worker has its own)."""
    with schema_context(tenant.schema):
        tasks.extract_pages(document_id, 1, 1)
        return Document.objects.get(pk=document_id)


@pytest.mark.parametrize(
    ("overrides", "failure"),
    [
        ({"OCR_ENABLED": False}, Failure.NO_TEXT),
        ({"OCR_LANGUAGES": "eng+qqq"}, Failure.OCR_UNAVAILABLE),
    ],
    ids=["ocr-off", "missing-language-pack"],
)
def test_scan_fails_with_its_reason_when_ocr_is_off_or_cannot_run(
    overrides: dict[str, Any],
    failure: str,
    tenant_a: TenantInfo,
    django_db_blocker: DjangoDbBlocker,
    created: list[tuple[str, int]],
    settings: Any,
    tmp_path: Path,
) -> None:
    # given: a one-page scan being read, and OCR off or asked for a language that is not installed
    settings.DOCUMENTS_WORKER_MEMORY_BYTES = 0  # the test runner's memory stays uncapped
    for name, value in overrides.items():
        setattr(settings, name, value)
    scan = write_pdf(tmp_path / "scan.pdf", [Scanned([f"Receipt {scan_word()}"])])
    document_id = make_document(
        django_db_blocker, tenant_a, created, scan, status=Document.Status.PROCESSING, page_count=1
    )

    # when: its page is read
    with django_db_blocker.unblock():
        document = read_in_process(tenant_a, document_id)

        # then: it failed as a scan failed before (or saying OCR is missing), with words for people
        assert (document.status, document.error) == (Document.Status.FAILED, failure)
        body = owner_client(tenant_a).get(f"/api/documents/{document_id}/").json()
        assert body["error_code"] == failure and body["error"] == Failure(failure).label
    assert page_rows(django_db_blocker, tenant_a.schema, document_id) == [
        (1, "\f" if failure == Failure.NO_TEXT else "", "" if failure == Failure.NO_TEXT else failure)
    ]
