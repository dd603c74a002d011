"""The extraction benchmark's `--profile`: one one-worker extraction with cProfile in the pool
process, task by task, and where the tasks spent their time (the `--wrapped-worker` mode of
bench/extract.py runs inside the worker's process)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.extract_input import Input
from bench.extract_platform import PROFILE_DIR_ENV, Target, Workers, delete_documents, extract_once
from bench.lib.report import RESULTS_DIR


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
    ("store_page", "storing pages: do_store_pages", "documents/actions/reading.py", "do_store_pages"),
    ("announce", "announcing progress: announce_reading", "documents/notify.py", "announce_reading"),
    ("maybe_finish", "finishing: do_finish_if_complete", "documents/actions/finishing.py", "do_finish_if_complete"),
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
