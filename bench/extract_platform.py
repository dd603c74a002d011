"""The platform side of the extraction benchmark: its tenant, Celery workers on a queue of their
own, and one upload timed from the action's call until page 1 is searchable and the document is
ready."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from bench.extract_input import Input
from bench.lib.machine import now
from bench.lib.processes import process_tree_cpu, stop_process
from bench.lib.report import RESULTS_DIR
from bench.lib.tenant import ROOM_NAME, bench_tenant
from bench.lib.webserver import ROOT

DB_SUFFIX = "_bench_extract"
SLUG = "bench-extract"
TENANT_ID_FLOOR = 960_000
OWNER_EMAIL = f"owner@{SLUG}.bench.test"
CHATTER_EMAIL = f"chat@{SLUG}.bench.test"
WARM_UP_SOURCE = "contrib_pagelabels.pdf"
# Set in a profiled worker's environment: where its pool processes write their profiles.
PROFILE_DIR_ENV = "EXTRACT_PROFILE_DIR"
POLL_FIRST = 0.02  # seconds between polls until page 1 is searchable
POLL_READY = 0.05  # then until the document is finished


@dataclass(frozen=True)
class Target:
    client: Any
    owner: Any
    chatter: Any
    room: Any
    host: str


def ensure_target() -> Target:
    """The tenant (provisioned once), its owner, a second member and the `general` room."""
    from django.conf import settings
    from django.db import connection

    from accounts.actions.users import do_create_user
    from accounts.models import User
    from chat.models import Room

    client = bench_tenant(
        SLUG, name="Extraction", owner_email=OWNER_EMAIL, owner_name="Bench Owner", id_floor=TENANT_ID_FLOOR
    )
    cast(Any, connection).set_tenant(client)  # added by django-tenants' backend at run time
    owner = User.objects.get(email=OWNER_EMAIL)
    chatter = User.objects.filter(email=CHATTER_EMAIL).first()
    if chatter is None:
        chatter = do_create_user(email=CHATTER_EMAIL, password=None, name="Bench Chat")  # joins `general`
    room = Room.objects.get(name=ROOM_NAME)
    return Target(client=client, owner=owner, chatter=chatter, room=room, host=f"{SLUG}.{settings.PLATFORM_DOMAIN}")


def delete_documents(target: Target) -> None:
    """Every document of the benchmark's tenant, so that each measurement starts alike."""
    from documents.actions.uploads import do_delete_document
    from documents.models import Document

    for document in Document.objects.all():
        do_delete_document(tenant=target.client, document=document)


class Workers:
    """`celery -A config worker --pool prefork -c N` on the benchmark's own queue."""

    def __init__(self, concurrency: int, queue: str, profile_dir: Path | None = None, nice: int = 0) -> None:
        self.concurrency = concurrency
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = RESULTS_DIR / f"extract-worker-{concurrency}.log"
        celery_args = [
            "-A",
            "config",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--queues",
            queue,
            "--hostname",
            f"extract-{concurrency}-{os.getpid()}@%h",
            "--loglevel",
            "INFO",
        ]
        env = dict(os.environ)
        if profile_dir is None:
            command = [sys.executable, "-m", "celery", *celery_args]
        else:
            command = [sys.executable, str(ROOT / "bench" / "extract.py"), "--wrapped-worker", *celery_args]
            env[PROFILE_DIR_ENV] = str(profile_dir)
        if nice:
            command = ["nice", "-n", str(nice), *command]  # nice execs the worker: same process id
        self.log = self.log_path.open("ab")
        self.log.write(f"\n==> {now()} {' '.join(command)}\n".encode())
        self.log.flush()
        self.started_at = self.log.tell()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)  # fixed

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {self.process.returncode}; see {self.log_path}")
            with self.log_path.open("rb") as log:
                log.seek(self.started_at)
                if b" ready." in log.read():
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the worker did not start within {timeout:.0f}s; see {self.log_path}")

    def cpu(self) -> tuple[float, float]:
        """CPU seconds of the main process (the consumer) and of the pool processes."""
        return process_tree_cpu(self.process.pid)

    def stop(self) -> None:
        stop_process(self.process, timeout=60)  # warm shutdown: running tasks finish
        self.log.close()


@dataclass
class Extraction:
    workers: int
    status: str = ""
    error: str = ""
    pages: int = 0
    pages_done: int = 0
    stored: float = 0.0  # seconds until do_upload_document returned
    first_page: float | None = None  # until page 1 was searchable
    ready: float | None = None  # until the document was ready (or failed)
    pages_per_second: float | None = None
    worker_cpu: float = 0.0  # CPU seconds of the worker's processes meanwhile, all of them
    pool_cpu: float = 0.0  # of its pool processes (the tasks) alone


def searchable(target: Target, document_id: int, word: str) -> bool:
    """Page 1 of the document is found by the search the API uses."""
    from documents.search import search_documents

    hits = search_documents(target.owner, word, limit=50).hits
    return any(hit.document.pk == document_id and hit.page == 1 for hit in hits)


def extract_once(
    target: Target, document: Input, word: str, workers: Workers, timeout: float, label: str = ""
) -> Extraction:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.actions.uploads import do_upload_document
    from documents.models import Document, DocumentPage

    data = document.path.read_bytes()
    result = Extraction(workers=workers.concurrency)
    cpu = workers.cpu()
    upload = SimpleUploadedFile(label or document.path.name, data, content_type="application/pdf")
    started = time.perf_counter()
    created = do_upload_document(tenant=target.client, uploader=target.owner, upload=upload, room=target.room)
    result.stored = time.perf_counter() - started
    row: tuple[Any, ...] | None = None
    while True:
        elapsed = time.perf_counter() - started
        if (
            result.first_page is None
            and DocumentPage.objects.filter(document_id=created.pk, number=1).exists()
            and searchable(target, created.pk, word)
        ):
            result.first_page = time.perf_counter() - started
        row = Document.objects.filter(pk=created.pk).values_list("status", "error", "page_count", "pages_done").first()
        if row is None or row[0] in (Document.Status.READY, Document.Status.FAILED):
            break
        if elapsed > timeout:
            break
        time.sleep(POLL_FIRST if result.first_page is None else POLL_READY)
    finished = time.perf_counter() - started
    main_after, pool_after = workers.cpu()
    result.pool_cpu = pool_after - cpu[1]
    result.worker_cpu = result.pool_cpu + main_after - cpu[0]
    if row is not None:
        result.status, result.error, result.pages, result.pages_done = row[0], row[1], row[2] or 0, row[3]
    if result.status in (Document.Status.READY, Document.Status.FAILED):
        result.ready = finished
        if (
            result.status == Document.Status.READY
            and result.first_page is None
            and searchable(target, created.pk, word)
        ):
            result.first_page = finished  # page 1 and the rest within one poll
        result.pages_per_second = result.pages_done / finished if finished else None
    else:
        result.status = result.status or "missing"
        result.error = result.error or f"not finished after {timeout:.0f}s"
    return result


def warm_up(target: Target, workers: Workers) -> None:
    """A small document first: database connections, imports and caches of the pool processes."""
    from tests.support.corpus import corpus_path

    path = corpus_path(WARM_UP_SOURCE)
    small = Input(path=path, description="warm-up", pages=5, size=path.stat().st_size)
    result = extract_once(target, small, "zzzzzz", workers, timeout=120, label="warm-up.pdf")
    if result.status != "ready":
        raise RuntimeError(f"the warm-up document ended {result.status} {result.error}; see {workers.log_path}")
    delete_documents(target)


def measure_platform(
    target: Target, document: Input, word: str, concurrency: int, queue: str, timeout: float
) -> Extraction:
    workers = Workers(concurrency, queue)
    try:
        workers.wait_ready()
        warm_up(target, workers)
        result = extract_once(target, document, word, workers, timeout)
    finally:
        workers.stop()
        delete_documents(target)
    return result
