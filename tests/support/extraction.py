"""Documents read by a real Celery worker, which sees committed data only: what a test made is
deleted again afterwards, and documents and their pages are read outside the test's transaction."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django_tenants.utils import schema_context
from pytest_django import DjangoDbBlocker

from documents.models import Document, DocumentPage

FINISHED = (Document.Status.READY, Document.Status.FAILED)


@contextmanager
def deleted_afterwards(django_db_blocker: DjangoDbBlocker) -> Iterator[list[tuple[str, int]]]:
    """A list for the (schema, document id) of every document made inside the block; those
    documents are deleted with their files when it ends."""
    made: list[tuple[str, int]] = []
    yield made
    with django_db_blocker.unblock():
        for schema, document_id in made:
            with schema_context(schema):
                document = Document.objects.filter(pk=document_id).first()
                if document is not None:
                    document.file.delete(save=False)
                    document.delete()


def load(django_db_blocker: DjangoDbBlocker, schema: str, document_id: int) -> Document:
    with django_db_blocker.unblock(), schema_context(schema):
        return Document.objects.get(pk=document_id)


def page_rows(django_db_blocker: DjangoDbBlocker, schema: str, document_id: int) -> list[tuple[int, str, str]]:
    with django_db_blocker.unblock(), schema_context(schema):
        return list(
            DocumentPage.objects.filter(document_id=document_id)
            .order_by("number")
            .values_list("number", "text", "error")
        )


def wait_finished(
    django_db_blocker: DjangoDbBlocker, schema: str, ids: list[int], timeout: float = 120
) -> dict[int, Document]:
    deadline = time.monotonic() + timeout
    while True:
        with django_db_blocker.unblock(), schema_context(schema):
            documents = Document.objects.in_bulk(ids)
        if all(document.status in FINISHED for document in documents.values()):
            return documents
        if time.monotonic() > deadline:
            raise AssertionError({pk: (d.status, d.pages_done, d.page_count) for pk, d in documents.items()})
        time.sleep(0.2)


def expected_text(text: str) -> str:
    return text.replace("\x00", "")
