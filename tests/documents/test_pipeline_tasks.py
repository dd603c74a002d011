"""The extraction tasks on a real Celery worker (solo pool, the test queue), for documents made
directly in a tenant's schema: a page task delivered again, the same document id in two tenants,
documents left behind by a dead worker, and stored files that are gone.

The worker is another process, so data is committed (django_db_blocker.unblock()) and removed
again afterwards: the test database is kept between runs.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django_tenants.utils import schema_context
from pytest_django import DjangoDbBlocker

from documents import tasks
from documents.models import Document, DocumentPage
from tests.support.corpus import corpus_path, reference_texts
from tests.support.documents import make_document
from tests.support.extraction import expected_text, load, page_rows, wait_finished
from tests.support.tenants import TenantInfo


def being_read(page_count: int, *, attempts: int = 1, heartbeat_at: dt.datetime | None = None) -> dict[str, Any]:
    """The fields of a document a worker is reading (its last progress now, unless given)."""
    return {
        "status": Document.Status.PROCESSING,
        "page_count": page_count,
        "attempts": attempts,
        "heartbeat_at": heartbeat_at or timezone.now(),
    }


def test_redelivered_page_tasks_add_no_duplicate_pages(
    celery_worker: subprocess.Popen[bytes],
    tenant_a: TenantInfo,
    django_db_blocker: DjangoDbBlocker,
    created: list[tuple[str, int]],
) -> None:
    # given: a 5-page document being read, pages 1 and 2 already stored
    path = corpus_path("contrib_pagelabels.pdf")
    texts = reference_texts(path)
    document_id = make_document(django_db_blocker, tenant_a, created, path, **being_read(5))
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        DocumentPage.objects.bulk_create(
            [DocumentPage(document_id=document_id, number=n, text=f"stored before {n}") for n in (1, 2)]
        )

        # when: the same page task is delivered three times (a redelivery after a lost ack)
        results = [tasks.extract_pages.delay(document_id, 1, 5) for _ in range(3)]
        # and the planning task once more, as the sweeper would
        results.append(tasks.extract_document.delay(document_id))
    for result in results:
        result.get(timeout=60)

    # then: every page exactly once; stored pages were not read again; finished once
    rows = page_rows(django_db_blocker, tenant_a.schema, document_id)
    assert rows == [
        (1, "stored before 1", ""),
        (2, "stored before 2", ""),
        *[(n, expected_text(texts[n - 1]), "") for n in (3, 4, 5)],
    ]
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        duplicates = (
            DocumentPage.objects.filter(document_id=document_id)
            .values("number")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert not duplicates.exists()
    document = load(django_db_blocker, tenant_a.schema, document_id)
    assert (document.status, document.pages_done, document.attempts) == (Document.Status.READY, 5, 1)


def test_document_of_tenant_a_is_read_in_as_schema_only(
    celery_worker: subprocess.Popen[bytes],
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    django_db_blocker: DjangoDbBlocker,
    created: list[tuple[str, int]],
) -> None:
    # given: the same document id in both tenants; B's is a different PDF, not started
    pk = random.randint(10**8, 2 * 10**8)
    b_id = make_document(django_db_blocker, tenant_b, created, corpus_path("simple3.pdf"), pk=pk)

    # when: A's document is read
    a_id = make_document(django_db_blocker, tenant_a, created, corpus_path("simple1.pdf"), pk=pk, start=True)
    a_document = wait_finished(django_db_blocker, tenant_a.schema, [a_id])[a_id]

    # then: A's document holds A's file's text; B's document was not touched
    assert a_id == b_id
    assert a_document.status == Document.Status.READY
    assert page_rows(django_db_blocker, tenant_a.schema, a_id) == [
        (1, expected_text(reference_texts(corpus_path("simple1.pdf"))[0]), "")
    ]
    b_document = load(django_db_blocker, tenant_b.schema, b_id)
    assert (b_document.status, b_document.attempts, b_document.page_count, b_document.pages_done) == (
        Document.Status.PENDING,
        0,
        None,
        0,
    )
    assert page_rows(django_db_blocker, tenant_b.schema, b_id) == []


def test_sweeper_resumes_stalled_documents_in_every_tenant(
    celery_worker: subprocess.Popen[bytes],
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    django_db_blocker: DjangoDbBlocker,
    created: list[tuple[str, int]],
) -> None:
    # given: in B, a document whose worker died after page 1 (no heartbeat for an hour); in A,
    # one that kept killing its workers; and in A, one moving right now
    path = corpus_path("contrib_pagelabels.pdf")
    texts = reference_texts(path)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    stalled = make_document(django_db_blocker, tenant_b, created, path, **being_read(5, heartbeat_at=long_ago))
    with django_db_blocker.unblock(), schema_context(tenant_b.schema):
        DocumentPage.objects.create(document_id=stalled, number=1, text=texts[0])
    hopeless = make_document(
        django_db_blocker, tenant_a, created, path, **being_read(5, attempts=4, heartbeat_at=long_ago)
    )
    moving = make_document(django_db_blocker, tenant_a, created, path, **being_read(5))

    # when: the sweeper runs (beat runs it every minute)
    tasks.resume_stalled.delay().get(timeout=60)
    stalled_document = wait_finished(django_db_blocker, tenant_b.schema, [stalled])[stalled]
    hopeless_document = wait_finished(django_db_blocker, tenant_a.schema, [hopeless])[hopeless]

    # then: the stalled one completed with every page once; the hopeless one gave up; the
    # moving one was left alone
    assert (stalled_document.status, stalled_document.pages_done, stalled_document.attempts) == (
        Document.Status.READY,
        5,
        2,
    )
    assert page_rows(django_db_blocker, tenant_b.schema, stalled) == [
        (n, expected_text(text), "") for n, text in enumerate(texts, start=1)
    ]
    assert (hopeless_document.status, hopeless_document.error) == (Document.Status.FAILED, Document.Failure.TIMED_OUT)
    assert page_rows(django_db_blocker, tenant_a.schema, hopeless) == []
    moving_document = load(django_db_blocker, tenant_a.schema, moving)
    assert (moving_document.status, moving_document.attempts, moving_document.pages_done) == (
        Document.Status.PROCESSING,
        1,
        0,
    )


def test_document_whose_file_is_gone_fails_and_the_worker_lives_on(
    celery_worker: subprocess.Popen[bytes],
    tenant_a: TenantInfo,
    django_db_blocker: DjangoDbBlocker,
    created: list[tuple[str, int]],
) -> None:
    # given: two documents whose stored files have disappeared, one about to be planned and
    # one whose pages are being read
    path = corpus_path("contrib_pagelabels.pdf")
    planned = make_document(django_db_blocker, tenant_a, created, path)
    reading = make_document(django_db_blocker, tenant_a, created, path, **being_read(5))
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        for document in Document.objects.filter(pk__in=[planned, reading]):
            document.file.storage.delete(document.file.name)

        # when: they are read
        tasks.start_extraction(planned)
        tasks.extract_pages.delay(reading, 1, 5)
    documents = wait_finished(django_db_blocker, tenant_a.schema, [planned, reading])

    # then: both failed with a reason a person is told, each page is accounted for, and the
    # worker goes on
    for document in documents.values():
        assert (document.status, document.error) == (Document.Status.FAILED, Document.Failure.CORRUPTED)
        assert document.error_message
    assert page_rows(django_db_blocker, tenant_a.schema, reading) == [(n, "", "corrupted") for n in range(1, 6)]
    assert documents[reading].pages_done == 5
    assert celery_worker.poll() is None
