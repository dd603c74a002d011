"""Reading scanned pages: a page rendered by poppler's `pdftoppm`, read by the `tesseract` CLI.

Both run as subprocesses, for two reasons measured or checked here (docs/benchmarks.md, "OCR"):
a subprocess can be killed at the page's deadline, where rendering inside this process (pypdfium2,
0.04 s a page faster of about 1.9 s) could not be interrupted until its C call returned; and a
child inherits the worker's address-space cap (extraction.apply_memory_limit), so OCR stays
inside the same memory bound as pdfminer. The rendered image is capped in pixels too, so a
poster-sized page is rendered at a lower resolution instead of as hundreds of megabytes.

Tesseract runs single-threaded (OMP_THREAD_LIMIT=1): its OpenMP threads spin while they wait,
and on this 2-core machine, shared with other work, a page took 12.6 s with two threads against
3.1 s with one. Pages are read in parallel by worker processes instead.

Pure functions over a file path; no Django. Failures raise OcrFailed with a Document.Failure
value, so a page that cannot be read keeps the document's usual failure handling.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import subprocess  # nosec B404  # fixed programs, argument lists, no shell
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

# Document.Failure values (this module stays free of Django models).
OCR_UNAVAILABLE = "ocr_unavailable"
TIMED_OUT = "timed_out"
TOO_LARGE = "too_large"
CORRUPTED = "corrupted"

PDFTOPPM = "pdftoppm"
TESSERACT = "tesseract"
LANGUAGE = re.compile(r"^[A-Za-z0-9_]+$")
# What a child that ran out of memory under the cap says before it dies: Tesseract's
# std::bad_alloc, Leptonica's "pixdata_malloc fail" (then a crash), poppler's "Out of memory".
OUT_OF_MEMORY = re.compile(rb"bad_alloc|malloc fail|Cannot allocate memory|[Oo]ut of memory")


class OcrFailed(Exception):
    """A page could not be read by OCR; `code` is a Document.Failure value."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class OcrOptions:
    # Tesseract's language packs, joined by "+" (`eng+deu`); each needs tesseract-ocr-<lang>.
    languages: str = "eng"
    # Rendering resolution: 300 dpi is what Tesseract is trained for.
    dpi: int = 300
    # At most this many pixels per page image (A4 at 300 dpi is 8.7 million): larger pages are
    # rendered at a lower resolution.
    max_pixels: int = 25_000_000
    # Tesseract's page segmentation mode (3: automatic, the CLI's default).
    psm: int = 3
    threads: int = 1


@dataclass(frozen=True)
class Rendered:
    image: Path
    dpi: int


def resolution(width_pt: float, height_pt: float, options: OcrOptions) -> int:
    """The dpi to render a page of this size (PDF points) at: options.dpi, lowered so that the
    image stays within options.max_pixels; at least 1."""
    dpi = options.dpi
    if width_pt > 0 and height_pt > 0 and math.isfinite(width_pt * height_pt):
        fitting = math.sqrt(options.max_pixels / ((width_pt / 72) * (height_pt / 72)))
        dpi = min(dpi, int(fitting))
    return max(dpi, 1)


@functools.cache
def installed_languages() -> frozenset[str]:
    """The language packs `tesseract --list-langs` reports (once per process: a pack installed
    later needs the worker restarted). Empty when tesseract is missing or fails."""
    try:
        result = subprocess.run(  # nosec B603  # a fixed command, no shell
            [TESSERACT, "--list-langs"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.warning("tesseract cannot be run: %r", error)
        return frozenset()
    lines = result.stdout.decode("utf-8", "replace").splitlines()
    # The first line is "List of available languages in ... (n):".
    return frozenset(line.strip() for line in lines[1:] if LANGUAGE.match(line.strip()))


def check_languages(languages: str) -> None:
    """Raise OcrFailed(ocr_unavailable) unless every language of `languages` is installed.
    Tesseract itself only warns about a missing pack and reads on without it."""
    wanted = languages.split("+")
    if not all(LANGUAGE.match(language) for language in wanted):
        raise OcrFailed(OCR_UNAVAILABLE, f"OCR_LANGUAGES is not a list of language codes: {languages!r}")
    missing = [language for language in wanted if language not in installed_languages()]
    if missing:
        packs = " ".join(f"tesseract-ocr-{language}" for language in missing)
        raise OcrFailed(OCR_UNAVAILABLE, f"Tesseract language data missing for {missing} (Debian: {packs})")


def read_page(pdf: str | Path, number: int, *, size: tuple[float, float], options: OcrOptions, seconds: float) -> str:
    """The text Tesseract reads on 1-based page `number` of `pdf` (`size` its width and height
    in points), within `seconds` in all (<= 0: unbounded). Raises OcrFailed."""
    check_languages(options.languages)
    started = time.monotonic()

    def left() -> float | None:
        if seconds <= 0:
            return None
        remaining = seconds - (time.monotonic() - started)
        if remaining <= 0:
            raise OcrFailed(TIMED_OUT, "no time left for OCR")
        return remaining

    with tempfile.TemporaryDirectory(prefix="ocr-") as folder:
        rendered = render(pdf, number, size=size, options=options, folder=Path(folder), timeout=left())
        return recognise(rendered, options=options, timeout=left())


def render(
    pdf: str | Path, number: int, *, size: tuple[float, float], options: OcrOptions, folder: Path, timeout: float | None
) -> Rendered:
    """Page `number` as an 8-bit grey PGM in `folder` (no encoding cost; Tesseract reads it as is)."""
    dpi = resolution(*size, options)
    root = folder / "page"
    _run(
        [PDFTOPPM, "-r", str(dpi), "-gray", "-f", str(number), "-l", str(number), "-singlefile", str(pdf), str(root)],
        timeout=timeout,
        what="rendering",
    )
    image = root.with_suffix(".pgm")
    if not image.exists():
        raise OcrFailed(CORRUPTED, f"pdftoppm wrote no image for page {number}")
    return Rendered(image=image, dpi=dpi)


def recognise(rendered: Rendered, *, options: OcrOptions, timeout: float | None) -> str:
    """Tesseract's text for a rendered page (its page separator, a form feed, included)."""
    command = [
        TESSERACT,
        str(rendered.image),
        "stdout",
        "-l",
        options.languages,
        "--dpi",
        str(rendered.dpi),
        "--psm",
        str(options.psm),
    ]
    env = {**os.environ, "OMP_THREAD_LIMIT": str(options.threads)}
    return _run(command, timeout=timeout, what="recognition", env=env).decode("utf-8", "replace")


def _run(command: list[str], *, timeout: float | None, what: str, env: dict[str, str] | None = None) -> bytes:
    """stdout of `command`; OcrFailed when it cannot run, overruns `timeout` (it is killed) or fails."""
    try:
        result = subprocess.run(  # nosec B603  # a fixed program and arguments of our own
            command, capture_output=True, timeout=timeout, check=False, env=env
        )
    except FileNotFoundError as error:
        raise OcrFailed(OCR_UNAVAILABLE, f"{command[0]} is not installed") from error
    except subprocess.TimeoutExpired as error:
        raise OcrFailed(TIMED_OUT, f"{what} overran its {timeout:.1f} s") from error
    except MemoryError as error:  # this process could not even start the child under its cap
        raise OcrFailed(TOO_LARGE, f"no memory to start {command[0]}") from error
    if result.returncode != 0:
        stderr = result.stderr[-2000:]
        code = TOO_LARGE if OUT_OF_MEMORY.search(stderr) else CORRUPTED
        raise OcrFailed(code, f"{what} failed ({result.returncode}): {stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout
