"""The extraction benchmark's input document and its baselines: poppler's pdftotext and raw
pdfminer.six, each on the whole document."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DENSE_SOURCE = "nonfree_i1040nr.pdf"
DENSE_PAGES = 150


@dataclass(frozen=True)
class Input:
    path: Path
    description: str
    pages: int
    size: int


def build_input(args: argparse.Namespace, folder: Path) -> Input:
    from pdfminer.pdfpage import PDFPage

    from tests.support.corpus import SEVERAL_HUNDRED, many_pages_pdf, several_hundred_pages

    if args.pdf:
        path = Path(args.pdf).resolve()
        description = f"{path.name} (--pdf)"
    elif args.light:
        path = several_hundred_pages(folder)
        description = (
            f"{SEVERAL_HUNDRED} short pages copied round and round from 7 small corpus PDFs"
            " (tests.support.corpus.several_hundred_pages)"
        )
    else:
        path = many_pages_pdf(folder / f"i1040nr-{args.pages}.pdf", args.pages, [DENSE_SOURCE])
        description = (
            f"the IRS instructions for Form 1040-NR ({DENSE_SOURCE}, 50 dense pages: two columns,"
            f" tables, embedded Type 1 fonts) copied round to {args.pages} pages"
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
            [sys.executable, "-c", RAW_PDFMINER, str(path), out.name, "1" if per_page else "0", str(pages)],
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
