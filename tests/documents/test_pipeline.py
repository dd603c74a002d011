"""Text extraction end to end on a real Celery worker (solo pool, the test queue): documents are
uploaded through documents.actions in a tenant's schema and read by the worker in that schema;
every PDF of the corpus, several hundred pages with their progress, a decompression bomb, a text
file and an image. The tasks on their own, sent again or lost, are in test_pipeline_tasks.py.

The worker is another process, so data is committed (django_db_blocker.unblock()) and removed
again afterwards: the test database is kept between runs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.contrib.postgres.search import SearchQuery
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from pytest_django import DjangoDbBlocker

from accounts.models import User
from chat import events
from chat.models import SEARCH_CONFIG
from documents.actions.uploads import do_upload_document
from documents.models import Document, DocumentPage
from tests.support.corpus import (
    EXPECTED,
    corpus_names,
    corpus_path,
    decompression_bomb_pdf,
    reference_texts,
    several_hundred_pages,
)
from tests.support.extraction import FINISHED, expected_text, load, page_rows, wait_finished
from tests.support.tenants import TenantInfo

Upload = Callable[..., int]


@pytest.fixture
def upload(
    celery_worker: subprocess.Popen[bytes], django_db_blocker: DjangoDbBlocker, created: list[tuple[str, int]]
) -> Upload:
    """Upload a file as the tenant's owner, the way the API does; returns the document's id."""

    def upload(tenant: TenantInfo, path: Path, name: str | None = None, content_type: str = "") -> int:
        with django_db_blocker.unblock(), schema_context(tenant.schema):
            owner = User.objects.get(email=tenant.owner_email)
            document = do_upload_document(
                tenant=tenant.client,
                uploader=owner,
                upload=SimpleUploadedFile(name or path.name, path.read_bytes(), content_type or "application/pdf"),
            )
        created.append((tenant.schema, document.pk))
        return document.pk

    return upload


def test_every_corpus_pdf_ends_ready_or_failed_with_its_reason(
    upload: Upload, tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker, celery_worker: subprocess.Popen[bytes]
) -> None:
    # given: every PDF of the corpus, uploaded
    ids = {name: upload(tenant_a, corpus_path(name)) for name in corpus_names()}

    # when: the worker has read them all
    documents = wait_finished(django_db_blocker, tenant_a.schema, list(ids.values()), timeout=240)

    # then: each ended as pdfminer says, with pdfminer's text page by page, and the worker lives
    for name, document_id in ids.items():
        document = documents[document_id]
        outcome = EXPECTED[name]
        rows = page_rows(django_db_blocker, tenant_a.schema, document_id)
        if outcome == "ready":
            texts = reference_texts(corpus_path(name))
            assert (document.status, document.error) == (Document.Status.READY, ""), name
            assert document.page_count == document.pages_done == len(texts), name
            assert rows == [(n, expected_text(text), "") for n, text in enumerate(texts, start=1)], name
            flat = " ".join(texts[0].split())
            assert document.excerpt and len(document.excerpt) <= 500, name
            assert flat.startswith(document.excerpt.removesuffix("…")), name
        else:
            assert (document.status, document.error) == (Document.Status.FAILED, outcome), name
            assert document.attempts == 1, name
        if outcome == "encrypted":
            assert rows == [], name
    dmca = documents[ids["nonfree_dmca.pdf"]]
    assert dmca.title == "The Digital Millennium Copyright Act of 1998"
    assert dmca.author == "United States Copyright Office - jmf"
    form = documents[ids["nonfree_i1040nr.pdf"]]
    assert form.title == "2007 Instruction 1040-NR"
    assert form.authored_at == dt.datetime(2007, 12, 6, 13, 1, 23, tzinfo=dt.UTC)
    assert celery_worker.poll() is None


class FrameListener:
    """Collects the `document.updated` frames sent to one person's sockets, through the real
    channel layer, on a thread of its own (the worker publishes them from another process)."""

    def __init__(self, group: str) -> None:
        self.group = group
        self.frames: list[tuple[float, dict[str, Any]]] = []
        self._subscribed = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._listen()), daemon=True)

    def __enter__(self) -> FrameListener:
        self._thread.start()
        assert self._subscribed.wait(10), "could not subscribe to the channel layer"
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    async def _listen(self) -> None:
        layer = get_channel_layer()
        assert layer is not None
        channel = await layer.new_channel()
        await layer.group_add(self.group, channel)
        self._subscribed.set()
        try:
            while not self._stop.is_set():
                try:
                    message = await asyncio.wait_for(layer.receive(channel), timeout=0.3)
                except TimeoutError:
                    continue
                if message.get("event") == "document.updated":
                    self.frames.append((time.monotonic(), json.loads(message["text"])["document"]))
        finally:
            await layer.group_discard(self.group, channel)


def test_several_hundred_pages_become_searchable_page_by_page(
    upload: Upload, tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker, tmp_path: Path
) -> None:
    # given: a 320-page PDF, and the uploader's sockets listening
    path = several_hundred_pages(tmp_path)
    texts = reference_texts(path)
    word = next(w for w in re.findall(r"[A-Za-z]{5,}", texts[0]))
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        owner_id = User.objects.get(email=tenant_a.owner_email).pk

    # when: it is uploaded, and watched while it is read
    with FrameListener(events.user_group_by_id(tenant_a.client.pk, owner_id)) as listener:
        started = time.monotonic()
        document_id = upload(tenant_a, path)
        seen_done: list[int] = []
        found_after: float | None = None
        while True:
            document = load(django_db_blocker, tenant_a.schema, document_id)
            if found_after is None:
                with django_db_blocker.unblock(), schema_context(tenant_a.schema):
                    query = SearchQuery(word, config=SEARCH_CONFIG)
                    if DocumentPage.objects.filter(document_id=document_id, search_vector=query).exists():
                        found_after = time.monotonic() - started
            if document.status in FINISHED:
                break
            seen_done.append(document.pages_done)
            assert time.monotonic() - started < 180, (document.status, document.pages_done)
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        time.sleep(0.5)  # the last frame is published after the commit it announces

    # then: page 1 was found by search at once, pages came one by one, and the document is complete
    assert found_after is not None and found_after < 3.0
    progress = sorted({done for done in seen_done if 0 < done < len(texts)})
    assert len(progress) >= 5, seen_done
    assert seen_done == sorted(seen_done)
    assert (document.status, document.error) == (Document.Status.READY, "")
    assert document.page_count == document.pages_done == len(texts) == 320
    assert document.title == "320 corpus pages"
    rows = page_rows(django_db_blocker, tenant_a.schema, document_id)
    assert [number for number, _, _ in rows] == list(range(1, 321))
    assert [text for _, text, _ in rows] == [expected_text(text) for text in texts]
    assert " ".join(texts[0].split()).startswith(document.excerpt.removesuffix("…"))
    # and: the uploader was told: pending, reading, progress every few seconds at most, then ready
    frames = [frame for _, frame in listener.frames if frame["id"] == document_id]
    statuses = [frame["status"] for frame in frames]
    assert statuses[:2] == ["pending", "processing"] and statuses[-1] == "ready", statuses
    assert frames[-1]["pages_done"] == frames[-1]["pages"] == 320
    middle = [frame["pages_done"] for frame in frames[2:-1]]
    assert middle == sorted(middle) and all(0 < done < 320 for done in middle), middle
    assert 1 <= len(middle) <= elapsed + 2, (len(middle), elapsed)


def test_decompression_bomb_fails_too_large_and_the_worker_lives_on(
    upload: Upload,
    tenant_a: TenantInfo,
    django_db_blocker: DjangoDbBlocker,
    celery_worker: subprocess.Popen[bytes],
    tmp_path: Path,
) -> None:
    # given: a 4 KB PDF whose page inflates to more than 2 GB (the worker may use 2 GB in all)
    bomb = decompression_bomb_pdf(tmp_path / "bomb.pdf")

    # when: it is uploaded, then an ordinary PDF after it
    bomb_id = upload(tenant_a, bomb)
    after_id = upload(tenant_a, corpus_path("simple1.pdf"))
    documents = wait_finished(django_db_blocker, tenant_a.schema, [bomb_id, after_id], timeout=120)

    # then: the bomb failed, its page is recorded as unreadable, and the worker read the next one
    assert documents[bomb_id].status == Document.Status.FAILED
    assert documents[bomb_id].error in (Document.Failure.TOO_LARGE, Document.Failure.TIMED_OUT)
    assert page_rows(django_db_blocker, tenant_a.schema, bomb_id) == [(1, "", documents[bomb_id].error)]
    assert documents[after_id].status == Document.Status.READY
    assert celery_worker.poll() is None


def test_text_file_is_one_page_and_images_have_no_pages(
    upload: Upload, tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker, tmp_path: Path
) -> None:
    # given: a UTF-8 text file and a PNG image
    notes = tmp_path / "notes.txt"
    notes.write_text("Quarterly   numbers\n\nare   ready: 42 ✓\n", encoding="utf-8")
    image = tmp_path / "pixel.png"
    image.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360f8cfc0f01f0005fe02fea3d0ad9d0000000049454e44ae426082"
        )
    )

    # when: both are uploaded and read
    text_id = upload(tenant_a, notes, content_type="text/plain")
    image_id = upload(tenant_a, image, content_type="image/png")
    documents = wait_finished(django_db_blocker, tenant_a.schema, [text_id, image_id])

    # then: the text is one searchable page; the image is ready with nothing to read
    text_document = documents[text_id]
    assert (text_document.status, text_document.page_count, text_document.pages_done) == (
        Document.Status.READY,
        1,
        1,
    )
    assert text_document.excerpt == "Quarterly numbers are ready: 42 ✓"
    assert page_rows(django_db_blocker, tenant_a.schema, text_id) == [(1, notes.read_text(encoding="utf-8"), "")]
    image_document = documents[image_id]
    assert (image_document.status, image_document.page_count, image_document.error) == (
        Document.Status.READY,
        0,
        "",
    )
    assert page_rows(django_db_blocker, tenant_a.schema, image_id) == []
