"""A worker killed in the middle of a document (SIGKILL to its whole process group: the OOM
killer, a lost machine) loses nothing: another worker completes the document, every page
exactly once.

The workers here are prefork with one child (`-c 1`), as in production, on a queue of their own
(the document's tasks follow the queue they came from), so the session's solo worker never takes
this document's tasks. The sweeper is called by the test, on that queue, about once a second,
rather than run by `celery beat -B`: beat's schedule is a fixed minute in the settings and beat
sends to the default queue, so the test would wait a minute and the solo worker could run it;
calling it is what beat does, on a clock the test controls. The workers get
DOCUMENTS_STALL_SECONDS=2, so a document counts as stalled 2 s after its last page.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django_tenants.utils import schema_context
from pytest_django import DjangoDbBlocker

from config.celery import app
from documents import tasks
from documents.models import Document, DocumentPage
from tests.support.corpus import reference_texts, several_hundred_pages
from tests.support.documents import make_document
from tests.support.tenants import ROOT, TenantInfo, database_url_for_subprocess

STALL_SECONDS = 2


class Worker:
    """`celery worker` (prefork, one child) on `queue`, in a process group of its own."""

    def __init__(self, queue: str, env: dict[str, str], log_path: Path, name: str) -> None:
        self.name = f"{name}@kill-test"
        self.log = log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                queue,
                "-P",
                "prefork",
                "-c",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
                "-n",
                self.name,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the worker exited with {self.process.returncode}"
            replies = app.control.ping(destination=[self.name], timeout=0.5) or []
            if any(self.name in reply for reply in replies):
                return
        raise AssertionError("the worker did not answer within a minute")

    def kill_group(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
        self.log.close()


@pytest.fixture
def worker_env(django_db_blocker: DjangoDbBlocker) -> dict[str, str]:
    with django_db_blocker.unblock():
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for_subprocess(),
            "REDIS_URL": settings.REDIS_URL,
            "DOCUMENTS_STALL_SECONDS": str(STALL_SECONDS),
            # Tasks of 100 pages, so the kill lands inside one (its pages are lost with it and
            # only the sweeper brings them back), not between two short ones.
            "DOCUMENTS_PAGES_PER_TASK": "100",
        }


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def state(django_db_blocker: DjangoDbBlocker, schema: str, document_id: int) -> tuple[Document, list[int]]:
    with django_db_blocker.unblock(), schema_context(schema):
        document = Document.objects.get(pk=document_id)
        numbers = list(DocumentPage.objects.filter(document_id=document_id).values_list("number", flat=True))
    return document, numbers


def test_killed_worker_mid_document_is_completed_by_another(
    tenant_a: TenantInfo,
    django_db_blocker: DjangoDbBlocker,
    worker_env: dict[str, str],
    workers: list[Worker],
    tmp_path: Path,
) -> None:
    queue = f"documents-kill-{os.getpid()}-{time.monotonic_ns()}"
    log_path = Path(os.environ.get("DATA_DIR", ROOT / ".data")) / "test-worker-kill.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    path = several_hundred_pages(tmp_path)
    texts = reference_texts(path)

    # given: a 320-page PDF being read by a worker
    document_id = make_document(django_db_blocker, tenant_a, [], path)  # removed in `finally`
    try:
        with django_db_blocker.unblock(), schema_context(tenant_a.schema):
            tasks.extract_document.apply_async((document_id,), queue=queue)
        first = Worker(queue, worker_env, log_path, "first")
        workers.append(first)
        first.wait_ready()
        deadline = time.monotonic() + 120
        while True:
            document, numbers = state(django_db_blocker, tenant_a.schema, document_id)
            if len(numbers) >= 40:
                break
            assert time.monotonic() < deadline, (document.status, len(numbers))
            time.sleep(0.05)

        # when: its whole process group is killed mid-document
        first.kill_group()
        document, stored_at_kill = state(django_db_blocker, tenant_a.schema, document_id)
        assert document.status == Document.Status.PROCESSING
        assert 40 <= len(stored_at_kill) < len(texts)

        # and: another worker starts, and the sweeper runs now and then
        second = Worker(queue, worker_env, log_path, "second")
        workers.append(second)
        second.wait_ready()
        resumed = 0
        deadline = time.monotonic() + 180
        while True:
            document, numbers = state(django_db_blocker, tenant_a.schema, document_id)
            if document.status != Document.Status.PROCESSING:
                break
            assert time.monotonic() < deadline, (document.status, len(numbers))
            resent = tasks.resume_stalled.apply_async(queue=queue).get(timeout=60)
            resumed += resent.get(tenant_a.schema, 0)
            time.sleep(1)

        # then: the document is complete, every page once and as pdfminer reads it
        assert first.process.returncode == -signal.SIGKILL
        assert second.process.poll() is None
        assert resumed >= 1
        assert (document.status, document.error) == (Document.Status.READY, "")
        assert document.page_count == document.pages_done == len(texts)
        assert 2 <= document.attempts <= settings.DOCUMENTS_MAX_ATTEMPTS
        with django_db_blocker.unblock(), schema_context(tenant_a.schema):
            rows = list(
                DocumentPage.objects.filter(document_id=document_id).order_by("number").values_list("number", "text")
            )
        assert [number for number, _ in rows] == list(range(1, len(texts) + 1))
        assert [text for _, text in rows] == [text.replace("\x00", "") for text in texts]
    finally:
        with django_db_blocker.unblock(), schema_context(tenant_a.schema):
            leftover = Document.objects.filter(pk=document_id).first()
            if leftover is not None:
                leftover.file.delete(save=False)
                leftover.delete()
        forget_queue(queue)


def forget_queue(queue: str) -> None:
    """Drop what the broker keeps of `queue`: its messages, and those the killed worker had
    taken but not acknowledged (else they would be restored to the queue an hour later)."""
    broker = redis.Redis.from_url(settings.REDIS_URL)
    try:
        for tag, raw in broker.hgetall("unacked").items():
            with contextlib.suppress(ValueError, IndexError):
                if json.loads(raw)[2] == queue:
                    broker.hdel("unacked", tag)
                    broker.zrem("unacked_index", tag)
        broker.delete(queue)
    finally:
        broker.close()
