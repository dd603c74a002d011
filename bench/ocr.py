"""What does the platform's OCR path cost over Tesseract alone?

What is measured
    A scan made in the run: 20 pages (`--pages`) as wide as A4 (8.27 x 10.6 inches), each one grey
    JPEG image at 300 dpi of 45 lines of English words drawn with Pillow, no text layer
    (tests.support.scans).

    The platform: the functions a worker runs on a document's pages, with the production
    settings' limits, in a process of its own started with the production settings: the
    address-space cap (DOCUMENTS_WORKER_MEMORY_BYTES, extraction.apply_memory_limit), the pages
    split into tasks as documents.tasks plans them (page 1, then DOCUMENTS_PAGES_PER_TASK a
    task), each task's pages read through extraction.cached_reader and PdfReader.read with the
    per-page deadline (DOCUMENTS_PAGE_SECONDS) and documents.tasks.ocr_options(): pdfminer finds
    no text and an image, pdftoppm renders the page, tesseract reads it. Not included: storing
    the pages (bench/extract.py measures the database side).

    Baseline, in every round of the same run: the `tesseract` CLI alone on the same page images
    (rendered once beforehand, untimed, at the same resolution), one call per page with the same
    options (language, `--dpi`, `--psm`, OMP_THREAD_LIMIT). Once, for reference, `--reference`
    pages with the CLI's defaults (OpenMP threads on every core).

    Rounds (`--repeats`, 3) run baseline and platform, in turn first; medians are reported, and the
    ratio is the median of each round's ratio. CPU time too (user and system, of the platform's
    process and its children, and of each tesseract call): on a machine shared with other work,
    wall time follows the other work, CPU time much less. Peak memory (bench/ocr_memory.py): the
    largest resident set of the platform's process and of its pdftoppm and tesseract, and of the
    baseline's tesseract, highest over the rounds. Accuracy: the share of each page's words found in what was read.

    Target: the platform at most 1.2 times the CLI alone.

How to run
    make bench-ocr                          # 20 pages, 3 rounds (about 5 minutes on 2 cores)
    make bench-ocr ARGS="--quick"           # 3 pages, one round, no reference: a check (CI)
    make bench-ocr ARGS="--pages 10 --repeats 1"
    make bench-ocr ARGS="--renderers"       # and pdftoppm against pypdfium2 (bench/ocr_render.py)

Results are printed and written to bench/results/ocr.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess  # nosec B404  # fixed programs, argument lists
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.lib.machine import host_info, load_average, machine_line, now  # noqa: E402
from bench.lib.report import RESULTS_DIR, write_json  # noqa: E402
from bench.lib.webserver import production_env  # noqa: E402
from bench.ocr_memory import PeakMemory  # noqa: E402
from bench.ocr_render import compare_renderers  # noqa: E402
from tests.support.scans import Scanned, write_pdf  # noqa: E402

RESULTS_FILE = RESULTS_DIR / "ocr.json"
TARGET_RATIO = 1.2
SECRET_KEY = "bench-ocr-not-secret-but-long-enough-for-hmac-sha256"
# Split at run time: a list literal of 49 words would take 49 lines.
TEXT = (
    "the quick brown fox jumps over a lazy dog while our invoice for the quarterly report lists every payment "
    "made by each customer account before the meeting agenda and its schedule for delivery of the contract "
    "signature to the warehouse inventory team whose shipment balance statement shows revenue growth"
)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20, help="pages of the scan (default 20)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--reference", type=int, default=5, help="pages read with the CLI's default threads (5)")
    parser.add_argument("--quick", action="store_true", help="3 pages, one round, no reference: a check")
    parser.add_argument(
        "--renderers", action="store_true", help="also time pdftoppm against pypdfium2 (when installed) rendering"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.pages, args.repeats, args.reference = min(args.pages, 3), 1, 0
    if args.pages < 1 or args.repeats < 1:
        parser.error("--pages and --repeats must be at least 1")
    return args


def make_scan(path: Path, pages: int) -> tuple[Path, list[list[str]]]:
    """A scan of `pages` full pages; returns it with each page's words."""
    rng = random.Random(2026)  # nosec B311  # test data
    words = TEXT.split()
    texts = [[" ".join(rng.choice(words) for _ in range(10)) for _ in range(45)] for _ in range(pages)]
    write_pdf(path, [Scanned(lines, width_in=8.27, font_pt=11) for lines in texts])
    return path, [" ".join(lines).split() for lines in texts]


def accuracy(words: list[str], text: str) -> float:
    """The share of `words` (with their repeats) that the text read holds."""
    read = text.split()
    counts: dict[str, int] = {}
    for word in read:
        counts[word] = counts.get(word, 0) + 1
    hits = 0
    for word in words:
        if counts.get(word, 0) > 0:
            counts[word] -= 1
            hits += 1
    return hits / len(words) if words else 1.0


# --- the platform's path, in a process of its own -----------------------------------------------


def run_platform(pdf: Path, pages: int) -> dict[str, Any]:
    """The worker's functions in a child process with the production settings."""
    env = production_env(SECRET_KEY, {"PYTHONPATH": str(ROOT)})
    command = [sys.executable, str(Path(__file__).resolve()), "--platform-child", str(pdf), str(pages)]
    with PeakMemory(os.getpid()) as peaks:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=3600, check=False)  # nosec B603
    if result.returncode != 0:
        raise RuntimeError(f"the platform's process failed: {result.stderr.decode()[-3000:]}")
    report: dict[str, Any] = json.loads(result.stdout.decode().strip().splitlines()[-1])
    programs = peaks.by_program
    report["peak_mb"] = {
        "python": max((mb for name, mb in programs.items() if name.startswith("python")), default=0.0),
        "pdftoppm": programs.get("pdftoppm", 0.0),
        "tesseract": programs.get("tesseract", 0.0),
    }
    return report


def platform_child(pdf: str, pages: int) -> None:
    import django

    django.setup()
    from django.conf import settings

    from documents import extraction, tasks

    extraction.apply_memory_limit(settings.DOCUMENTS_WORKER_MEMORY_BYTES)
    options = tasks.ocr_options()
    seconds = settings.DOCUMENTS_PAGE_SECONDS
    read: list[dict[str, Any]] = []
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    for first, last in tasks.page_ranges(list(range(1, pages + 1)), settings.DOCUMENTS_PAGES_PER_TASK):
        key = ("bench-ocr", pdf, options)
        reader = extraction.cached_reader(key, lambda: extraction.PdfReader(pdf, seconds=seconds, ocr=options))
        for page in reader.read(range(first, last + 1), seconds=seconds):
            read.append({"number": page.number, "text": page.text, "error": page.error, "ocr": page.ocr})
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    settings_used = {
        "DOCUMENTS_PAGE_SECONDS": seconds,
        "DOCUMENTS_WORKER_MEMORY_BYTES": settings.DOCUMENTS_WORKER_MEMORY_BYTES,
        "DOCUMENTS_PAGES_PER_TASK": settings.DOCUMENTS_PAGES_PER_TASK,
        "OCR_LANGUAGES": settings.OCR_LANGUAGES,
        "settings": os.environ.get("DJANGO_SETTINGS_MODULE"),
    }
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "cpu_seconds": cpu,
                "pages": read,
                "settings": settings_used,
            }
        )
    )


# --- the CLI alone ------------------------------------------------------------------------------


def render_images(pdf: Path, folder: Path, pages: int) -> list[tuple[Path, int]]:
    """Each page as the platform renders it (same program, resolution and format), untimed."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    from documents.ocr import OcrOptions, render

    with pdf.open("rb") as fp:
        boxes = [page.mediabox for page in PDFPage.create_pages(PDFDocument(PDFParser(fp)))]
    images = []
    for number, (x0, y0, x1, y1) in enumerate(boxes[:pages], start=1):
        page_folder = folder / f"p{number}"
        page_folder.mkdir()
        size = (float(x1 - x0), float(y1 - y0))
        rendered = render(pdf, number, size=size, options=OcrOptions(), folder=page_folder, timeout=120)
        images.append((rendered.image, rendered.dpi))
    return images


def run_cli(images: list[tuple[Path, int]], *, threads: str | None) -> dict[str, Any]:
    """`tesseract IMAGE stdout` for each image, with the platform's options (and thread limit,
    unless `threads` is None: the CLI's default)."""
    from documents.ocr import OcrOptions

    options = OcrOptions()
    env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
    if threads is not None:
        env["OMP_THREAD_LIMIT"] = threads
    texts, cpu = [], 0.0
    # Watched from before the clock starts to after it stops: stopping the watcher takes up to
    # its interval, which is not the CLI's time.
    with PeakMemory(os.getpid()) as peaks:
        started = time.perf_counter()
        for image, dpi in images:
            command = ["tesseract", str(image), "stdout", "-l", options.languages]
            command += ["--dpi", str(dpi), "--psm", str(options.psm)]
            text, used = run_measured(command, env)
            texts.append(text)
            cpu += used
        elapsed = time.perf_counter() - started
    peak = peaks.by_program.get("tesseract", 0.0)
    return {"seconds": elapsed, "cpu_seconds": cpu, "texts": texts, "peak_mb": peak}


def cpu_seconds() -> float:
    """CPU time (user and system) of this process and of its children waited for so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_measured(command: list[str], env: dict[str, str]) -> tuple[str, float]:
    """The command's stdout and its own CPU seconds, from wait4 (this process's RUSAGE_CHILDREN
    would mix in every earlier child, the platform's process included)."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.DEVNULL)  # nosec B603
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({process.returncode})")
        out.seek(0)
        return out.read().decode("utf-8", "replace"), usage.ru_utime + usage.ru_stime


# --- the run ------------------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["--platform-child"]:
        platform_child(argv[1], int(argv[2]))
        return 0
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    folder = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    try:
        pdf, words = make_scan(folder / "scan.pdf", args.pages)
        print(f"==> Input: {args.pages} scanned pages, {pdf.stat().st_size:,} bytes", flush=True)
        load_start = load_average()
        print(f"==> {machine_line(load_start)}", flush=True)
        images = render_images(pdf, folder, args.pages)
        report = run_rounds(args, pdf, words, images, load_start)
        write_json(RESULTS_FILE, report)
        print_report(report)
        print(f"\nWritten to {RESULTS_FILE.relative_to(ROOT)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def measure_cli(images: list[tuple[Path, int]]) -> dict[str, Any]:
    cli = run_cli(images, threads="1")
    print(f"    tesseract CLI alone   {cli['seconds']:7.2f} s (CPU {cli['cpu_seconds']:.2f} s)", flush=True)
    return cli


def measure_platform(pdf: Path, pages: int) -> dict[str, Any]:
    ours = run_platform(pdf, pages)
    failed = sum(1 for page in ours["pages"] if page["error"] or not page["ocr"])
    print(
        f"    platform              {ours['seconds']:7.2f} s (CPU {ours['cpu_seconds']:.2f} s,"
        f" {failed} pages not read by OCR)",
        flush=True,
    )
    return ours


def run_rounds(
    args: argparse.Namespace, pdf: Path, words: list[list[str]], images: list[tuple[Path, int]], load: list[float]
) -> dict[str, Any]:
    rounds: list[dict[str, Any]] = []
    report: dict[str, Any] = {"started": now(), "host": host_info(), "load_average": {"start": load}}
    report.update({"pages": args.pages, "dpi": images[0][1], "rounds": rounds, "target_ratio": TARGET_RATIO})
    for index in range(1, args.repeats + 1):
        print(f"==> Round {index}/{args.repeats}", flush=True)
        # The order alternates from round to round, so that neither side always runs first.
        if index % 2:
            cli = measure_cli(images)
            ours = measure_platform(pdf, args.pages)
        else:
            ours = measure_platform(pdf, args.pages)
            cli = measure_cli(images)
        texts = [page["text"] for page in ours["pages"]]
        failed = [page for page in ours["pages"] if page["error"] or not page["ocr"]]
        rounds.append(
            {
                "cli_seconds": cli["seconds"],
                "platform_seconds": ours["seconds"],
                "ratio": ours["seconds"] / cli["seconds"],
                "cli_cpu": cli["cpu_seconds"],
                "platform_cpu": ours["cpu_seconds"],
                "cpu_ratio": ours["cpu_seconds"] / cli["cpu_seconds"],
                "platform_peak_mb": ours["peak_mb"],
                "cli_peak_mb": cli["peak_mb"],
                "platform_accuracy": statistics.mean(accuracy(w, t) for w, t in zip(words, texts, strict=False)),
                "cli_accuracy": statistics.mean(accuracy(w, t) for w, t in zip(words, cli["texts"], strict=True)),
                "pages_failed": len(failed),
            }
        )
        report["settings"] = ours["settings"]
        write_json(RESULTS_FILE, report)
    if args.reference:
        sample = images[: args.reference]
        default = run_cli(sample, threads=None)
        report["reference_default_threads"] = {"pages": len(sample), "seconds": default["seconds"]}
        single = run_cli(sample, threads="1")
        report["reference_one_thread"] = {"pages": len(sample), "seconds": single["seconds"]}
    if args.renderers:
        print("==> Rendering alone, every page", flush=True)
        report["renderers"] = compare_renderers(pdf, args.pages, images[0][1])
    report["load_average"]["end"] = load_average()
    ratios = [r["ratio"] for r in rounds]
    report["ratio"] = statistics.median(ratios)
    report["cpu_ratio"] = statistics.median(r["cpu_ratio"] for r in rounds)
    report["target_met"] = report["ratio"] <= TARGET_RATIO
    return report


def print_report(report: dict[str, Any]) -> None:
    rounds = report["rounds"]
    pages = report["pages"]

    def med(key: str) -> float:
        return float(statistics.median(r[key] for r in rounds))

    print(f"\n{pages} pages at {report['dpi']} dpi; medians of {len(rounds)} round(s)")
    print("| | seconds | s/page | CPU s | peak memory (RSS), MB | words read |")
    print("| --- | --: | --: | --: | --: | --: |")
    cli, ours = med("cli_seconds"), med("platform_seconds")
    peaks = ", ".join(
        f"{name} {max(r['platform_peak_mb'][name] for r in rounds):.0f}" for name in ("python", "pdftoppm", "tesseract")
    )
    print(f"| tesseract CLI alone | {cli:.2f} | {cli / pages:.2f} | {med('cli_cpu'):.2f} | tesseract {max(r['cli_peak_mb'] for r in rounds):.0f} | "
          f"{med('cli_accuracy'):.1%} |")  # fmt: skip
    print(f"| platform | {ours:.2f} | {ours / pages:.2f} | {med('platform_cpu'):.2f} | {peaks} "
          f"| {med('platform_accuracy'):.1%} |")  # fmt: skip
    for key, label in (("reference_one_thread", "one thread"), ("reference_default_threads", "default threads")):
        if key in report:
            ref = report[key]
            print(f"| reference: CLI, {label}, {ref['pages']} pages | {ref['seconds']:.2f} | "
                  f"{ref['seconds'] / ref['pages']:.2f} | | | |")  # fmt: skip
    rounds_text = ", ".join(f"{r['ratio']:.3f}" for r in rounds)
    verdict = "met" if report["target_met"] else "NOT met"
    print(f"\nPlatform / CLI alone: {report['ratio']:.3f} (rounds {rounds_text}); target {TARGET_RATIO}: {verdict}")
    cpu_rounds = ", ".join(f"{r['cpu_ratio']:.3f}" for r in rounds)
    print(f"CPU time, platform / CLI alone: {report['cpu_ratio']:.3f} (rounds {cpu_rounds})")
    print(f"Load average at start {report['load_average']['start']}, at end {report['load_average']['end']}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
