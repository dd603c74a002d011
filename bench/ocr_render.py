"""Rendering a scanned page for OCR: poppler's `pdftoppm` (what documents.ocr runs) against
pypdfium2 in the process, on the same pages at the same resolution, with the peak memory of each.

pypdfium2 is not a dependency of the product: `--renderers` measures it only when it is
importable (`pip install pypdfium2` into the virtual environment, or a folder named by
PYPDFIUM2_PATH), and says so otherwise. It is run in a process of its own, so its memory is its own.
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404  # fixed programs, argument lists
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.ocr_memory import PeakMemory

PDFIUM_CHILD = """
import json, sys, time
sys.path[:0] = [p for p in sys.argv[4:] if p]
import pypdfium2
data = open(sys.argv[1], "rb").read()
pages, dpi = int(sys.argv[2]), int(sys.argv[3])
started = time.perf_counter()
document = pypdfium2.PdfDocument(data)
for index in range(pages):
    bitmap = document[index].render(scale=dpi / 72, grayscale=True)
    image = bytes(bitmap.buffer)  # what would be handed to tesseract
print(json.dumps({"seconds": time.perf_counter() - started}))
"""


def pdftoppm_seconds(pdf: Path, pages: int, dpi: int) -> dict[str, Any]:
    """One `pdftoppm` call per page, as documents.ocr.render makes them."""
    with tempfile.TemporaryDirectory(prefix="bench-render-") as folder, PeakMemory(os.getpid()) as peaks:
        started = time.perf_counter()
        for number in range(1, pages + 1):
            command = ["pdftoppm", "-r", str(dpi), "-gray", "-f", str(number), "-l", str(number), "-singlefile"]
            subprocess.run([*command, str(pdf), f"{folder}/page"], check=True)  # nosec B603 B607
        elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "peak_rss_mb": peaks.by_program.get("pdftoppm", 0.0)}


def pdfium_seconds(pdf: Path, pages: int, dpi: int) -> dict[str, Any] | None:
    """The same pages rendered by pypdfium2 in a process of its own; None when it is not installed."""
    extra = os.environ.get("PYPDFIUM2_PATH", "")
    command = [sys.executable, "-c", PDFIUM_CHILD, str(pdf), str(pages), str(dpi), extra]
    with PeakMemory(os.getpid()) as peaks:
        result = subprocess.run(command, capture_output=True, timeout=600, check=False)  # nosec B603
    if result.returncode != 0:
        if b"No module named 'pypdfium2'" in result.stderr:
            return None
        raise RuntimeError(result.stderr.decode()[-2000:])
    report: dict[str, Any] = json.loads(result.stdout.decode().strip().splitlines()[-1])
    report["peak_rss_mb"] = max((mb for name, mb in peaks.by_program.items() if name.startswith("python")), default=0)
    return report


def compare_renderers(pdf: Path, pages: int, dpi: int) -> dict[str, Any]:
    poppler = pdftoppm_seconds(pdf, pages, dpi)
    print(f"    pdftoppm, a process a page   {poppler['seconds']:7.2f} s ({poppler['peak_rss_mb']:.0f} MB)", flush=True)
    pdfium = pdfium_seconds(pdf, pages, dpi)
    if pdfium is None:
        print("    pypdfium2                    not installed: skipped", flush=True)
    else:
        print(
            f"    pypdfium2, in one process    {pdfium['seconds']:7.2f} s ({pdfium['peak_rss_mb']:.0f} MB)", flush=True
        )
    return {"pages": pages, "dpi": dpi, "pdftoppm": poppler, "pypdfium2": pdfium}
