"""How fast does an uploaded PDF become searchable, against pdfminer.six and pdftotext alone?

What is measured
    One PDF of 100 pages or more. By default the IRS instructions for Form 1040-NR from the
    corpus (50 dense pages: two columns, tables, embedded Type 1 fonts) copied three times into
    one 150-page PDF by tests.support.corpus.many_pages_pdf (each source object, fonts
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
    uploaded by its owner into its `general` room with documents.actions.uploads.do_upload_document
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
    make bench-extract ARGS="--quick"                         # 20 pages, one round: a check (CI)
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
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.extract_chat import measure_chat  # noqa: E402
from bench.extract_input import (  # noqa: E402
    DENSE_PAGES,
    Timing,
    build_input,
    probe_word,
    time_pdfminer,
    time_pdfminer_here,
    time_pdftotext,
)
from bench.extract_platform import DB_SUFFIX, delete_documents, ensure_target, measure_platform  # noqa: E402
from bench.extract_profile import measure_profile, run_wrapped_worker  # noqa: E402
from bench.extract_report import TARGET_CHAT_P95_RATIO, Round, build_report, print_report  # noqa: E402
from bench.fanout_servers import server_env  # noqa: E402
from bench.lib.database import open_bench_database  # noqa: E402
from bench.lib.machine import load_average, machine_line  # noqa: E402
from bench.lib.report import write_json  # noqa: E402
from bench.lib.stats import fmt  # noqa: E402

RESULTS_FILE = ROOT / "bench" / "results" / "extract.json"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdf", help="measure this PDF instead of the 150-page corpus document")
    parser.add_argument("--light", action="store_true", help="the corpus' 320 short pages instead")
    parser.add_argument("--pages", type=int, default=DENSE_PAGES, help="pages of the dense document (150)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a check, seconds not minutes: 20 dense pages, one round, no chat phase, no references",
    )
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
    if args.quick:
        args.pages, args.repeats, args.skip_chat, args.skip_per_page = min(args.pages, 20), 1, True, True
    if args.repeats < 1 or args.pages < 1:
        parser.error("--repeats and --pages must be at least 1")
    if args.pdf and args.light:
        parser.error("--pdf and --light exclude each other")
    return args


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["--wrapped-worker"]:
        run_wrapped_worker(list(argv[1:]))
        return 0
    args = parse_args(argv)
    queue = f"bench-extract-{os.getpid()}"
    # This process, the workers and daphne all run with the production settings (as the fan-out
    # benchmark's servers do), the same secret key (tokens minted here are checked by daphne),
    # and the queue.
    open_bench_database(DB_SUFFIX, "bench-extract", env={**server_env("pubsub"), "CELERY_QUEUE": queue})
    target = ensure_target()
    delete_documents(target)

    folder = Path(tempfile.mkdtemp(prefix="bench-extract-"))
    try:
        document = build_input(args, folder)
        print(f"==> Input: {document.description} ({document.pages} pages, {document.size:,} bytes)", flush=True)
        load_start = load_average()
        print(f"==> {machine_line(load_start)}", flush=True)
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
            if index == 1 and not args.quick:
                here = time_pdfminer_here(document.path)
                print(f"    pdfminer, in Django  {here.seconds:7.2f} s (CPU {here.cpu:.2f} s; once, for reference)")
            if index == 1 and not args.skip_per_page:
                per_page, _ = time_pdfminer(document.path, document.pages, per_page=True)
                print(f"    pdfminer, per page   {per_page.seconds:7.2f} s (once, for reference)", flush=True)
            if index == 1:
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
            write_json(RESULTS_FILE, build_report(args, document, word, rounds, per_page, here, load_start))
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
            write_json(RESULTS_FILE, report)
            if args.chat_nice and not args.skip_unniced:
                print("==> The same with the workers at the web server's priority, for comparison ...", flush=True)
                report["chat_unniced"] = measure_chat(
                    target, document, word, queue, args.chat_idle, args.chat_uploads, timeout, nice=0
                )
        if args.profile:
            print("==> Profiling one extraction with one worker process ...", flush=True)
            report["profile"] = measure_profile(target, document, word, queue, timeout)
        report["load_average"]["end"] = load_average()
        write_json(RESULTS_FILE, report)
        print_report(report)
        print(f"\nWritten to {RESULTS_FILE.relative_to(ROOT)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
