"""How fast does an uploaded PDF become searchable, against pdfminer.six and pdftotext alone?

What is measured
    One PDF of 100 pages or more. By default the IRS instructions for Form 1040-NR from the
    corpus (50 dense pages: two columns, tables, embedded Type 1 fonts) copied three times into
    one 150-page PDF by tests.documents.corpus.many_pages_pdf (each source object, fonts
    included, written once); `--light` takes the corpus' 320-page document of short pages
    instead (several_hundred_pages), `--pdf PATH` any file.

    Baselines, measured in every round of the same run:
      pdftotext   poppler's `pdftotext FILE -`, the whole document, pages per second
      pdfminer    `pdfminer.high_level.extract_text(FILE)`, the whole document in one call, in
                  a Python process of its own that imports nothing but pdfminer (timed after
                  the import): the floor for anything built on pdfminer.six
    and once, for reference: the same call in this process, which has Django and the
    application loaded as a worker has (their objects slow pdfminer's garbage collections), and
    one `extract_text(FILE, page_numbers=[n])` call per page, the document opened again for every
    page (what each page's stored text equals).

    The platform: a tenant of its own (`bench-extract`, kept between runs); the document is
    uploaded by its owner into its `general` room with documents.actions.do_upload_document
    (validation, storage, the row; extraction starts on commit), then this process polls the
    database: the time until page 1 is searchable (its DocumentPage exists and
    documents.search.search_documents finds it by a word of its own), and until the document
    is `ready` (pages per second = pages / that time). Real Celery workers run the tasks as
    subprocesses with the production settings, on a queue of their own (CELERY_QUEUE):
    `celery -A config worker --pool prefork -c 1`, then `-c 2` (one worker process with two
    pool processes, as `make run` starts it). Each worker is started for its measurement and
    warmed up with a 5-page corpus document first. The CPU time of the worker's processes is
    taken too (all of them, and the pool processes that run the tasks alone): it depends less
    than wall time on what else the machine runs, so on a shared machine the CPU ratio is the
    better guide (it still moves: cores shared with other work run slower).

    Rounds (`--repeats`, 3): pdftotext, pdfminer, one worker, two workers, in that order, so that
    each ratio compares measurements taken minutes apart at most; medians are reported, and the
    ratios are the medians of each round's ratio.

    Chat latency while extracting (skipped with `--skip-chat`): a daphne server (production
    settings, PubSub layer) and two-process worker as above; one WebSocket client of a second
    member of the room sends `message.send` to the room four times a second and times the round
    trip until its own `message.new` comes back. Phases: idle (`--chat-idle` seconds, no
    extraction) then during `--chat-uploads` extractions of the document into the same room
    (whose readers also receive its `document.updated` frames, about one a second). daphne, the
    two pool processes, PostgreSQL and Redis share the machine's cores: on 2 cores, extraction
    with two processes takes all of both, which is the point of the measurement. The worker runs
    under `nice -n 10` as the Procfile and `make run` start it (`--chat-nice`), so the kernel runs
    daphne and PostgreSQL first; then, for comparison, the same with the worker at daphne's own
    priority (`--skip-unniced` skips it).

    Targets: one worker within 10% of raw pdfminer.six (time to ready / pdfminer's time <= 1.10);
    two worker processes at least 1.7 times faster than one; page 1 searchable within 2 s of the
    upload (median); chat p95 during extraction within 1.5 times the idle p95.

    `--profile` adds one more one-worker extraction with cProfile in the pool process (task by
    task, through Celery's task_prerun/task_postrun signals) and prints where the tasks spent
    their time: pdfminer's page processing against everything else (cProfile slows pure Python
    code such as pdfminer more than code waiting on the database: read it as proportions).

How to run
    make bench-extract                               # 3 rounds and the chat phase (5 to 8 minutes)
    make bench-extract ARGS="--repeats 1 --skip-chat"         # quick iteration
    make bench-extract ARGS="--profile --repeats 1 --skip-chat"
    make bench-extract ARGS="--pdf path/to/file.pdf"

    or directly, against servers of your own:
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/dev REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/extract.py --repeats 1

`make bench-extract` installs poppler-utils (pdftotext) when it is missing. The script never
touches the database named in DATABASE_URL: it works in its own database on the same server,
`<name>_bench_extract`, kept between runs with its tenant (the first run migrates it, about two
minutes because of dj-stripe); each measured document is deleted after its measurement. Results
are printed and written to bench/results/extract.json; worker and server logs go to
bench/results/extract-*.log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.provision import (  # noqa: E402
    bench_database_url,
    bench_tenant,
    load_average,
    machine_info,
    now,
    percentile,
    prepare_database,
    stop_process,
)
from bench.webserver import answers_healthz, wait_ready  # noqa: E402
from bench.ws_fanout import Step, connect, free_port, handshake, server_env  # noqa: E402

PYTHON = sys.executable
DB_SUFFIX = "_bench_extract"
SLUG = "bench-extract"
ROOM_NAME = "general"
# PubSub channels belong to the whole Redis server: a tenant id no other database uses keeps this
# benchmark's events apart from other processes on the same Redis (see bench/ws_fanout.py).
TENANT_ID_FLOOR = 960_000
OWNER_EMAIL = f"owner@{SLUG}.bench.test"
CHATTER_EMAIL = f"chat@{SLUG}.bench.test"
DENSE_SOURCE = "nonfree_i1040nr.pdf"
DENSE_PAGES = 150
WARM_UP_SOURCE = "contrib_pagelabels.pdf"
RESULTS_DIR = ROOT / "bench" / "results"
RESULTS_FILE = RESULTS_DIR / "extract.json"
PROFILE_DIR_ENV = "EXTRACT_PROFILE_DIR"

TARGET_OVERHEAD = 1.10
TARGET_SPEEDUP = 1.7
TARGET_FIRST_PAGE = 2.0
TARGET_CHAT_P95_RATIO = 1.5

POLL_FIRST = 0.02  # seconds between polls until page 1 is searchable
POLL_READY = 0.05  # then until the document is finished
CHAT_INTERVAL = 0.25  # under the socket's sustained limit of 5 messages a second (CHAT_SEND_RATE)


# ----------------------------------------------------------------------------------------------
# The input
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Input:
    path: Path
    description: str
    pages: int
    size: int


def build_input(args: argparse.Namespace, folder: Path) -> Input:
    from pdfminer.pdfpage import PDFPage

    from tests.documents.corpus import SEVERAL_HUNDRED, many_pages_pdf, several_hundred_pages

    if args.pdf:
        path = Path(args.pdf).resolve()
        description = f"{path.name} (--pdf)"
    elif args.light:
        path = several_hundred_pages(folder)
        description = (
            f"{SEVERAL_HUNDRED} short pages copied round and round from 7 small corpus PDFs"
            " (tests.documents.corpus.several_hundred_pages)"
        )
    else:
        path = many_pages_pdf(folder / "i1040nr-x3.pdf", DENSE_PAGES, [DENSE_SOURCE])
        description = (
            f"the IRS instructions for Form 1040-NR ({DENSE_SOURCE}, 50 dense pages: two columns,"
            f" tables, embedded Type 1 fonts) three times over, {DENSE_PAGES} pages"
        )
    with path.open("rb") as fp:
        pages = sum(1 for _ in PDFPage.get_pages(fp))
    return Input(path=path, description=description, pages=pages, size=path.stat().st_size)


def probe_word(first_page: str, other_pages: Sequence[str]) -> str:
    """A word of page 1 that as few other pages as possible contain (the longest among them)."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]{6,}", first_page)}
    if not words:
        raise SystemExit("page 1 of the document has no word to search for")
    lowered = [page.lower() for page in other_pages]

    def pages_with(word: str) -> int:
        return sum(1 for page in lowered if word in page)

    return min(sorted(words), key=lambda w: (pages_with(w), -len(w)))


# ----------------------------------------------------------------------------------------------
# Baselines
# ----------------------------------------------------------------------------------------------
@dataclass
class Timing:
    seconds: float
    cpu: float


def time_pdftotext(path: Path) -> Timing:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        raise SystemExit("pdftotext is missing: `make bench-extract` installs poppler-utils")
    before = os.times()
    started = time.perf_counter()
    subprocess.run([pdftotext, "-q", str(path), "-"], check=True, stdout=subprocess.DEVNULL)  # a fixed command
    elapsed = time.perf_counter() - started
    after = os.times()
    return Timing(
        elapsed, (after.children_user - before.children_user) + (after.children_system - before.children_system)
    )


# Raw pdfminer.six in a fresh interpreter that imports nothing else: a process with Django and
# Celery loaded holds about 170,000 objects that every full garbage collection walks, which makes
# pdfminer (millions of small objects) 15 to 20% slower there. Timed inside, after the import.
RAW_PDFMINER = """
import json, sys, time
from pdfminer.high_level import extract_text
path, out, per_page, pages = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
cpu, wall = time.process_time(), time.perf_counter()
if per_page:
    text = "".join(extract_text(path, page_numbers=[n]) for n in range(pages))
else:
    text = extract_text(path)
result = {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
with open(out, "w", encoding="utf-8") as f:
    f.write(text)
print(json.dumps(result))
"""


def time_pdfminer(path: Path, pages: int, *, per_page: bool = False) -> tuple[Timing, list[str]]:
    """`extract_text` on the whole document (or once per page) in a process of its own; the
    timing and each page's text (pdfminer ends every page with a form feed)."""
    with tempfile.NamedTemporaryFile(suffix=".txt") as out:
        finished = subprocess.run(  # a fixed command
            [PYTHON, "-c", RAW_PDFMINER, str(path), out.name, "1" if per_page else "0", str(pages)],
            check=True,
            capture_output=True,
            text=True,
        )
        text = Path(out.name).read_text(encoding="utf-8")
    timing = json.loads(finished.stdout.strip().splitlines()[-1])
    return Timing(timing["seconds"], timing["cpu"]), text.split("\f")


def time_pdfminer_here(path: Path) -> Timing:
    """`extract_text` in this process, which has Django and the application loaded, as a worker
    has: the cost of their heap to pdfminer (see RAW_PDFMINER)."""
    from pdfminer.high_level import extract_text

    cpu, started = time.process_time(), time.perf_counter()
    extract_text(path)
    return Timing(time.perf_counter() - started, time.process_time() - cpu)


# ----------------------------------------------------------------------------------------------
# The platform: tenant, workers, server
# ----------------------------------------------------------------------------------------------
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
    from documents.actions import do_delete_document
    from documents.models import Document

    for document in Document.objects.all():
        do_delete_document(tenant=target.client, document=document)


def process_tree_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds of a process, and of its live descendants (a worker's pool processes)."""
    import psutil

    try:
        root = psutil.Process(pid)
        children = root.children(recursive=True)
        times = root.cpu_times()
    except psutil.Error:
        return 0.0, 0.0
    pool = 0.0
    for child in children:
        try:
            child_times = child.cpu_times()
        except psutil.Error:
            continue
        pool += child_times.user + child_times.system
    return times.user + times.system, pool


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
            command = [PYTHON, "-m", "celery", *celery_args]
        else:
            command = [PYTHON, str(Path(__file__).resolve()), "--wrapped-worker", *celery_args]
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


class Daphne:
    """The product's ASGI server, unpinned (it shares the cores with the workers)."""

    def __init__(self) -> None:
        self.port = free_port()
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = RESULTS_DIR / "extract-daphne.log"
        endpoint = f"tcp:port={self.port}:interface=127.0.0.1"
        command = [PYTHON, "-m", "daphne", "-v", "0", "-e", endpoint, "config.asgi:application"]
        self.log = self.log_path.open("ab")
        self.log.write(f"\n==> {now()} {' '.join(command)}\n".encode())
        self.log.flush()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=dict(os.environ), stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 90) -> None:
        wait_ready(self.process, self.log_path, lambda: answers_healthz(self.port), timeout)

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


# ----------------------------------------------------------------------------------------------
# One upload, from the action's call until the document is finished
# ----------------------------------------------------------------------------------------------
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

    from documents.actions import do_upload_document
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
    from tests.documents.corpus import corpus_path

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


# ----------------------------------------------------------------------------------------------
# Chat latency
# ----------------------------------------------------------------------------------------------
class ChatProbe:
    """One WebSocket client in its own thread: a message every CHAT_INTERVAL seconds, each timed
    from its send until its own `message.new` comes back. Samples are labelled with the phase
    current when they were sent."""

    def __init__(self, port: int, host: str, token: str, room: int) -> None:
        self.port, self.host, self.token, self.room = port, host, token, room
        self.phase = "idle"
        self.samples: dict[str, list[float]] = {}
        self.lost: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.failed: BaseException | None = None
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chat-probe", daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self.connected.wait(60):
            raise RuntimeError(f"the chat client could not connect: {self.failed or 'timed out'}")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        try:
            asyncio.run(self._probe())
        except BaseException as error:  # reported by start() or the summary
            self.failed = error
            self.connected.set()

    async def _probe(self) -> None:
        step = Step()
        request = handshake(self.host, self.port, self.token)
        client = await connect(step, self.port, request, self.room, asyncio.Semaphore(1))
        if client is None:
            raise RuntimeError(f"could not connect: {dict(step.errors)}")
        self.connected.set()
        try:
            index = 0
            while not self._stop.is_set():
                phase = self.phase
                client_id = f"probe{index}-{os.getpid()}"
                index += 1
                record = [0.0, 0.0, 0.0]
                step.tracker[client_id.encode()] = record
                frame = {"type": "message.send", "room": self.room, "body": f"latency {index}", "client_id": client_id}
                record[2] = time.perf_counter()
                client.send(json.dumps(frame))
                deadline = record[2] + 10
                while record[0] < 1 and time.perf_counter() < deadline and not client.closed:
                    await asyncio.sleep(0.002)
                if record[0] >= 1:
                    self.samples.setdefault(phase, []).append(record[1] - record[2])
                else:
                    self.lost[phase] += 1
                if client.closed:
                    raise RuntimeError("the server closed the chat socket")
                await asyncio.sleep(max(CHAT_INTERVAL - (time.perf_counter() - record[2]), 0.01))
            self.errors.update(step.errors)
        finally:
            client.close()


def summary(samples: list[float]) -> dict[str, float | int] | None:
    if not samples:
        return None
    return {
        "p50_ms": round(percentile(samples, 0.5) * 1000, 2),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2),
        "n": len(samples),
    }


def measure_chat(
    target: Target,
    document: Input,
    word: str,
    queue: str,
    idle_seconds: float,
    uploads: int,
    timeout: float,
    nice: int = 0,
) -> dict[str, Any]:
    from accounts.tokens import mint_tokens

    token = str(mint_tokens(target.chatter, target.client).access_token)
    server = Daphne()
    workers = Workers(2, queue, nice=nice)
    probe: ChatProbe | None = None
    extractions: list[Extraction] = []
    try:
        server.wait_ready()
        workers.wait_ready()
        warm_up(target, workers)
        probe = ChatProbe(server.port, target.host, token, target.room.pk)
        probe.start()
        time.sleep(1)  # the first messages open the server's database connections
        probe.phase = "idle"
        time.sleep(idle_seconds)
        for _ in range(uploads):
            probe.phase = "extracting"
            extractions.append(extract_once(target, document, word, workers, timeout))
            probe.phase = "idle"
            delete_documents(target)
            time.sleep(2)  # pages' document.updated frames drain
    finally:
        if probe is not None:
            probe.stop()
        workers.stop()
        server.stop()
        delete_documents(target)
    if probe is not None and probe.failed is not None:
        raise RuntimeError(f"the chat client failed: {probe.failed!r}")
    assert probe is not None
    idle = summary(probe.samples.get("idle", []))
    busy = summary(probe.samples.get("extracting", []))
    ratio = busy["p95_ms"] / idle["p95_ms"] if idle and busy and idle["p95_ms"] else None
    return {
        "worker_nice": nice,
        "idle": idle,
        "extracting": busy,
        "lost": dict(probe.lost),
        "errors": dict(probe.errors),
        "p95_ratio": round(ratio, 2) if ratio is not None else None,
        "extractions": [asdict(e) for e in extractions],
    }


# ----------------------------------------------------------------------------------------------
# Profiling the worker (the `--wrapped-worker` mode runs inside the worker's process)
# ----------------------------------------------------------------------------------------------
def run_wrapped_worker(celery_args: list[str]) -> None:
    """Celery's worker with every task of every pool process under cProfile
    ($EXTRACT_PROFILE_DIR); each process writes its accumulated stats to that folder,
    `worker-<pid>.prof`, after each task."""
    profile_tasks(Path(os.environ[PROFILE_DIR_ENV]))
    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *celery_args]
    celery_main()


def profile_tasks(folder: Path) -> None:
    import cProfile

    from celery import signals

    profiles: dict[int, cProfile.Profile] = {}

    def started(**_: Any) -> None:
        profiles.setdefault(os.getpid(), cProfile.Profile()).enable()

    def finished(**_: Any) -> None:
        profile = profiles.get(os.getpid())
        if profile is not None:
            profile.disable()
            profile.dump_stats(folder / f"worker-{os.getpid()}.prof")

    signals.task_prerun.connect(started, weak=False)
    signals.task_postrun.connect(finished, weak=False)


# pdfminer's own work in the tasks: (key, label, file, function).
PROFILE_PDFMINER = [
    ("pdfminer_process_page", "pdfminer: the pages (interpreter + layout)", "pdfminer/pdfinterp.py", "process_page"),
    ("pdfminer_page_tree", "pdfminer: walking the page tree", "pdfminer/pdfpage.py", "create_pages"),
]
# Where the rest goes; these overlap (storing a page may finish the document, which announces it).
PROFILE_PLATFORM = [
    ("store_page", "storing pages: documents.tasks._store_page", "documents/tasks.py", "_store_page"),
    ("announce", "announcing progress: documents.tasks._announce", "documents/tasks.py", "_announce"),
    ("maybe_finish", "finishing: documents.tasks._maybe_finish", "documents/tasks.py", "_maybe_finish"),
    ("sql", "all SQL through Django", "django/db/backends/utils.py", "execute"),
]
PROFILE_TASKS = ("documents/tasks.py", ("extract_document", "extract_pages"))


def profile_breakdown(files: Sequence[str]) -> dict[str, Any]:
    """Seconds in the tasks and in each of PROFILE_PARTS, from cProfile stats files."""
    import pstats

    entries: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(*files).stats  # type: ignore[attr-defined]

    def cumulative(path: str, names: tuple[str, ...]) -> float:
        return sum(
            stats[3] for (filename, _line, name), stats in entries.items() if filename.endswith(path) and name in names
        )

    # Each function is one entry, whose cumulative time cProfile counts once per outermost call.
    parts = {key: round(cumulative(path, (name,)), 3) for key, _label, path, name in PROFILE_PDFMINER}
    tasks = cumulative(*PROFILE_TASKS)
    return {
        "profiled_seconds": round(tasks, 3),
        "pdfminer": parts,
        "outside_pdfminer": round(tasks - sum(parts.values()), 3),
        "platform": {key: round(cumulative(path, (name,)), 3) for key, _label, path, name in PROFILE_PLATFORM},
    }


def measure_profile(target: Target, document: Input, word: str, queue: str, timeout: float) -> dict[str, Any]:
    import io
    import pstats

    folder = Path(tempfile.mkdtemp(prefix="extract-profile-"))
    workers = Workers(1, queue, profile_dir=folder)
    try:
        workers.wait_ready()  # no warm-up: the pool process's profile would include it
        result = extract_once(target, document, word, workers, timeout)
    finally:
        workers.stop()
        delete_documents(target)
    files = sorted(str(p) for p in folder.glob("*.prof"))
    if not files:
        return {"error": "no profile was written"}
    breakdown = profile_breakdown(files)
    out = io.StringIO()
    pstats.Stats(*files, stream=out).sort_stats("cumulative").print_stats(40)
    text = out.getvalue()
    (RESULTS_DIR / "extract-profile.txt").write_text(text)
    return {
        "extraction": asdict(result),
        **breakdown,
        "files": files,
    }


# ----------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------
def median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{suffix}"


def verdict(value: bool | None) -> str:
    return "not measured" if value is None else ("met" if value else "NOT met")


@dataclass
class Round:
    pdftotext: Timing
    pdfminer: Timing
    platform: dict[int, Extraction] = field(default_factory=dict)


def ratios(rounds: list[Round]) -> dict[str, float | None]:
    overhead = [
        r.platform[1].ready / r.pdfminer.seconds for r in rounds if 1 in r.platform and r.platform[1].ready is not None
    ]
    cpu_overhead = [r.platform[1].worker_cpu / r.pdfminer.cpu for r in rounds if 1 in r.platform and r.pdfminer.cpu]
    pool_overhead = [r.platform[1].pool_cpu / r.pdfminer.cpu for r in rounds if 1 in r.platform and r.pdfminer.cpu]
    speedup = [
        r.platform[1].ready / r.platform[2].ready
        for r in rounds
        if 1 in r.platform and 2 in r.platform and r.platform[1].ready and r.platform[2].ready
    ]
    return {
        "one_worker_over_pdfminer": median(overhead),
        "one_worker_cpu_over_pdfminer_cpu": median(cpu_overhead),
        "one_worker_pool_cpu_over_pdfminer_cpu": median(pool_overhead),
        "two_workers_speedup": median(speedup),
    }


def print_report(report: dict[str, Any]) -> None:
    pages = report["input"]["pages"]
    print(f"\nInput: {report['input']['description']}; {pages} pages, {report['input']['size']:,} bytes")
    print(f"Search probe word for page 1: {report['probe_word']!r}")
    print(
        f"\n{'median of ' + str(report['repeats']) + ' rounds':<40} {'seconds':>8} {'pages/s':>8} {'CPU s':>7}"
        f" {'pool CPU':>8} {'page 1 s':>9}"
    )
    base = report["baselines"]
    for name, key in (("pdftotext (poppler)", "pdftotext"), ("pdfminer.six, one extract_text call", "pdfminer")):
        row = base[key]
        print(f"  {name:<38} {fmt(row['seconds']):>8} {fmt(pages / row['seconds'], 1):>8} {fmt(row['cpu']):>7}")
    here = base.get("pdfminer_in_django_process")
    if here:
        print(
            f"  {'pdfminer.six, in a process with Django':<38} {fmt(here['seconds']):>8}"
            f" {fmt(pages / here['seconds'], 1):>8} {fmt(here['cpu']):>7}  (once)"
        )
    per_page = base.get("pdfminer_per_page")
    if per_page:
        print(
            f"  {'pdfminer.six, extract_text per page':<38} {fmt(per_page['seconds']):>8}"
            f" {fmt(pages / per_page['seconds'], 1):>8} {fmt(per_page['cpu']):>7}  (once)"
        )
    for workers, row in report["platform"].items():
        name = f"platform, {workers} worker process{'es' if int(workers) > 1 else ''}"
        print(
            f"  {name:<38} {fmt(row['ready']):>8} {fmt(row['pages_per_second'], 1):>8}"
            f" {fmt(row['worker_cpu']):>7} {fmt(row['pool_cpu']):>8} {fmt(row['first_page']):>9}"
        )
    print("  (platform seconds: from the upload action's call until the document is ready;")
    print("   CPU s: all the worker's processes; pool CPU: its pool processes, where tasks run;")
    print("   page 1 s: until search finds page 1)")
    r = report["ratios"]
    t = report["targets"]
    print("\nRatios (median of the rounds' ratios)")
    print(
        f"  one worker / raw pdfminer.six (wall):   {fmt(r['one_worker_over_pdfminer'], 3)}"
        f"  target <= {TARGET_OVERHEAD:.2f}: {verdict(t['overhead_within_10_percent'])}"
    )
    print(
        f"  one worker / raw pdfminer.six (CPU):    {fmt(r['one_worker_cpu_over_pdfminer_cpu'], 3)}"
        f"  (pool processes alone: {fmt(r['one_worker_pool_cpu_over_pdfminer_cpu'], 3)})"
    )
    print(
        f"  two workers speed-up over one:          {fmt(r['two_workers_speedup'], 2)}x"
        f"  target >= {TARGET_SPEEDUP}: {verdict(t['two_workers_1_7x'])}"
    )
    first = report["first_page"]
    print(
        f"  page 1 searchable after (median, max):  {fmt(first['median'])} s, {fmt(first['max'])} s"
        f"  target <= {TARGET_FIRST_PAGE:.0f} s: {verdict(t['first_page_within_2s'])}"
    )
    pdftotext_pps = pages / base["pdftotext"]["seconds"]
    two = report["platform"].get("2", {}).get("pages_per_second")
    if two:
        print(f"  pdftotext / platform with two workers:  {pdftotext_pps / two:.1f}x faster")
    for key in ("chat", "chat_unniced"):
        chat = report.get(key)
        if not chat:
            continue
        nice = f", workers at nice {chat['worker_nice']}" if chat["worker_nice"] else ", workers not niced"
        print(f"\nChat round trip (message.send until its own message.new{nice}), ms")
        for phase in ("idle", "extracting"):
            row = chat[phase]
            if row:
                print(
                    f"  {phase:<12} p50 {row['p50_ms']:>8.1f}  p95 {row['p95_ms']:>8.1f}  max {row['max_ms']:>8.1f}"
                    f"  n {row['n']}"
                )
        line = f"  p95 during extraction / idle: {fmt(chat['p95_ratio'])}"
        if key == "chat":
            line += f"  target <= {TARGET_CHAT_P95_RATIO}: {verdict(t['chat_p95_within_1_5x'])}"
        print(line)
        if chat["lost"] or chat["errors"]:
            print(f"  lost: {chat['lost']}, error frames: {chat['errors']}")
        during = [e["ready"] for e in chat["extractions"] if e["ready"]]
        if during:
            print(f"  extraction (two workers) with daphne and the chat running: {fmt(median(during))} s (median)")
    profile = report.get("profile")
    if profile and "profiled_seconds" in profile:
        total = profile["profiled_seconds"] or 1.0
        print(f"\nProfile of one one-worker extraction (cProfile in the pool process; {total:.2f} s in tasks)")
        for key, label, _path, _name in PROFILE_PDFMINER:
            seconds = profile["pdfminer"][key]
            print(f"  {label:<50} {seconds:>7.2f} s  {seconds / total:>6.1%}")
        outside = profile["outside_pdfminer"]
        print(f"  {'everything else in the tasks':<50} {outside:>7.2f} s  {outside / total:>6.1%}")
        for key, label, _path, _name in PROFILE_PLATFORM:
            seconds = profile["platform"][key]
            print(f"    {label:<48} {seconds:>7.2f} s  {seconds / total:>6.1%}")
        print("    (these overlap: storing a page may finish the document, and finishing announces it)")
        print(f"  full listing: {(RESULTS_DIR / 'extract-profile.txt').relative_to(ROOT)}")
    print(
        f"\nLoad average at start {report['load_average']['start']}, at end {report['load_average']['end']};"
        f" {report['machine']['cpus']} CPUs"
    )


def build_report(args: argparse.Namespace, document: Input, word: str, rounds: list[Round], per_page: Timing | None,
                 here: Timing | None, load_start: list[float]) -> dict[str, Any]:  # fmt: skip
    platform: dict[str, dict[str, Any]] = {}
    for workers in (1, 2):
        runs = [r.platform[workers] for r in rounds if workers in r.platform]
        if runs:
            platform[str(workers)] = {
                "ready": median([e.ready for e in runs]),
                "first_page": median([e.first_page for e in runs]),
                "pages_per_second": median([e.pages_per_second for e in runs]),
                "worker_cpu": median([e.worker_cpu for e in runs]),
                "pool_cpu": median([e.pool_cpu for e in runs]),
                "runs": [asdict(e) for e in runs],
            }
    first_pages = [e.first_page for r in rounds for e in r.platform.values() if e.first_page is not None]
    computed = ratios(rounds)
    overhead, speedup = computed["one_worker_over_pdfminer"], computed["two_workers_speedup"]
    first_median = median(first_pages)
    return {
        "date": now(),
        "machine": machine_info(),
        "load_average": {"start": load_start, "end": load_average()},
        "input": {**asdict(document), "path": str(document.path)},
        "probe_word": word,
        "repeats": len(rounds),
        "baselines": {
            "pdftotext": {
                "seconds": median([r.pdftotext.seconds for r in rounds]),
                "cpu": median([r.pdftotext.cpu for r in rounds]),
                "runs": [asdict(r.pdftotext) for r in rounds],
            },
            "pdfminer": {
                "seconds": median([r.pdfminer.seconds for r in rounds]),
                "cpu": median([r.pdfminer.cpu for r in rounds]),
                "runs": [asdict(r.pdfminer) for r in rounds],
            },
            "pdfminer_per_page": asdict(per_page) if per_page else None,
            "pdfminer_in_django_process": asdict(here) if here else None,
        },
        "platform": platform,
        "first_page": {"median": first_median, "max": max(first_pages) if first_pages else None},
        "ratios": computed,
        "targets": {
            "overhead_within_10_percent": None if overhead is None else overhead <= TARGET_OVERHEAD,
            "two_workers_1_7x": None if speedup is None else speedup >= TARGET_SPEEDUP,
            "first_page_within_2s": None if first_median is None else first_median <= TARGET_FIRST_PAGE,
            "chat_p95_within_1_5x": None,
        },
    }


def write_json(report: dict[str, Any]) -> None:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2, default=str) + "\n")


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdf", help="measure this PDF instead of the 150-page corpus document")
    parser.add_argument("--light", action="store_true", help="the corpus' 320 short pages instead")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of every measurement (default 3)")
    parser.add_argument("--skip-per-page", action="store_true", help="skip the extract_text-per-page reference")
    parser.add_argument("--skip-chat", action="store_true", help="skip chat latency while extracting")
    parser.add_argument("--chat-idle", type=float, default=20.0, help="seconds of idle chat samples (default 20)")
    parser.add_argument("--chat-uploads", type=int, default=2, help="extractions during the chat phase (default 2)")
    parser.add_argument(
        "--chat-nice", type=int, default=10, help="the workers' nice in the chat phase, as deployed (default 10)"
    )
    parser.add_argument(
        "--skip-unniced", action="store_true", help="skip the chat phase's comparison with workers not niced"
    )
    parser.add_argument("--profile", action="store_true", help="profile one one-worker extraction (cProfile)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.pdf and args.light:
        parser.error("--pdf and --light exclude each other")
    return args


def setup(url: str, queue: str) -> None:
    """This process, the workers and daphne all run with the production settings (as ws_fanout's
    server does), the same secret key (tokens minted here are checked by daphne), and the queue."""
    os.environ.update(server_env("pubsub"))
    os.environ["DATABASE_URL"] = url
    os.environ["CELERY_QUEUE"] = queue
    import django

    django.setup()


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["--wrapped-worker"]:
        run_wrapped_worker(list(argv[1:]))
        return 0
    args = parse_args(argv)
    source_url = os.environ.get("DATABASE_URL")
    if not source_url:
        print("DATABASE_URL is not set; run through `make bench-extract`.", file=sys.stderr)
        return 2
    url = bench_database_url(source_url, DB_SUFFIX)
    database = prepare_database(url, fresh=False)
    queue = f"bench-extract-{os.getpid()}"
    setup(url, queue)

    from django.core.management import call_command

    print(f"==> Migrating {database} ...", flush=True)
    started = time.perf_counter()
    call_command("migrate_all", verbosity=0)
    print(f"    ({time.perf_counter() - started:.1f}s)", flush=True)
    target = ensure_target()
    delete_documents(target)

    folder = Path(tempfile.mkdtemp(prefix="bench-extract-"))
    try:
        document = build_input(args, folder)
        print(f"==> Input: {document.description} ({document.pages} pages, {document.size:,} bytes)", flush=True)
        load_start = load_average()
        timeout = max(300.0, document.pages * 5.0)
        rounds: list[Round] = []
        per_page: Timing | None = None
        here: Timing | None = None
        word = ""
        for index in range(1, args.repeats + 1):
            print(f"==> Round {index}/{args.repeats}", flush=True)
            poppler = time_pdftotext(document.path)
            print(f"    pdftotext            {poppler.seconds:7.2f} s", flush=True)
            miner, texts = time_pdfminer(document.path, document.pages)
            print(f"    pdfminer.six         {miner.seconds:7.2f} s (CPU {miner.cpu:.2f} s)", flush=True)
            if index == 1:
                here = time_pdfminer_here(document.path)
                print(f"    pdfminer, in Django  {here.seconds:7.2f} s (CPU {here.cpu:.2f} s; once, for reference)")
                if not args.skip_per_page:
                    per_page, _ = time_pdfminer(document.path, document.pages, per_page=True)
                    print(f"    pdfminer, per page   {per_page.seconds:7.2f} s (once, for reference)", flush=True)
                word = probe_word(texts[0], texts[1:])
            current = Round(pdftotext=poppler, pdfminer=miner)
            rounds.append(current)
            for workers in (1, 2):
                result = measure_platform(target, document, word, workers, queue, timeout)
                current.platform[workers] = result
                print(
                    f"    platform, {workers} worker{'s' if workers > 1 else ' '} {fmt(result.ready, 2):>7} s"
                    f" (page 1 after {fmt(result.first_page)} s, worker CPU {result.worker_cpu:.2f} s,"
                    f" of which pool {result.pool_cpu:.2f} s,"
                    f" {result.status}{' ' + result.error if result.error else ''})",
                    flush=True,
                )
            write_json(build_report(args, document, word, rounds, per_page, here, load_start))
        report = build_report(args, document, word, rounds, per_page, here, load_start)
        if not args.skip_chat:
            print(
                f"==> Chat latency, idle and while extracting with two worker processes at nice {args.chat_nice}"
                " (as the Procfile and `make run` start them) ...",
                flush=True,
            )
            chat = measure_chat(
                target, document, word, queue, args.chat_idle, args.chat_uploads, timeout, nice=args.chat_nice
            )
            report["chat"] = chat
            ratio = chat["p95_ratio"]
            report["targets"]["chat_p95_within_1_5x"] = None if ratio is None else ratio <= TARGET_CHAT_P95_RATIO
            write_json(report)
            if args.chat_nice and not args.skip_unniced:
                print("==> The same with the workers at the web server's priority, for comparison ...", flush=True)
                report["chat_unniced"] = measure_chat(
                    target, document, word, queue, args.chat_idle, args.chat_uploads, timeout, nice=0
                )
        if args.profile:
            print("==> Profiling one extraction with one worker process ...", flush=True)
            report["profile"] = measure_profile(target, document, word, queue, timeout)
        report["load_average"]["end"] = load_average()
        write_json(report)
        print_report(report)
        print(f"\nWritten to {RESULTS_FILE.relative_to(ROOT)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
