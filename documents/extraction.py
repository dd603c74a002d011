"""Reading PDFs with pdfminer.six, bounded in time and memory. Pure functions over a file path.

pdfminer is slow (ARCHITECTURE: about 18 s for a 117-page paper) and trusts its input: a page can
loop for minutes or inflate a few kilobytes into gigabytes. So every step runs under a deadline
(SIGALRM, main thread only: Celery's soft time limits do not work in the solo pool) and the
process's address space is capped (`apply_memory_limit`), which turns a decompression bomb into a
MemoryError instead of a worker killed by the kernel.

A page's text is exactly what `pdfminer.high_level.extract_text(path, page_numbers=[n - 1])`
gives for it (same LAParams defaults, the trailing form feed included), except a page with no
text and an image on it (a scan), which is read by OCR (documents.ocr) when the reader is given
OcrOptions, and marked as such.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import resource
import signal
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Collection, Hashable, Iterator
from dataclasses import dataclass
from io import BytesIO, StringIO
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO, NamedTuple

from pdfminer.converter import TextConverter
from pdfminer.layout import LAParams, LTPage
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.utils import decode_text

from documents import ocr as ocr_pages

logger = logging.getLogger(__name__)

# Document.Failure values (this module stays free of Django models).
ENCRYPTED = "encrypted"
CORRUPTED = "corrupted"
TOO_MANY_PAGES = "too_many_pages"
TIMED_OUT = "timed_out"
TOO_LARGE = "too_large"

METADATA_MAX_CHARS = 500


class ExtractionFailed(Exception):
    """The document as a whole cannot be read; `code` is a Document.Failure value."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Deadline(BaseException):
    """Raised by the SIGALRM handler. A BaseException, so that pdfminer's many
    `except Exception` blocks cannot swallow it and carry on past the deadline."""


@dataclass(frozen=True)
class PdfInfo:
    page_count: int
    title: str
    author: str
    created: dt.datetime | None


class PageText(NamedTuple):
    """One page: its text, or "" and why it could not be read (a Document.Failure value);
    `ocr` when the text was recognised in the page's image rather than read from its text layer."""

    number: int
    text: str
    error: str = ""
    ocr: bool = False


_memory_limit_applied = False


def apply_memory_limit(limit_bytes: int) -> None:
    """Cap this process's address space (soft RLIMIT_AS), once per process.

    Applies to the whole process and is inherited by its children, so call it only in a worker
    that does nothing else memory-hungry (never in a test runner that later starts a browser).
    The hard limit is left alone and a lower existing soft limit is kept.
    """
    global _memory_limit_applied
    if _memory_limit_applied or limit_bytes <= 0:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit_bytes = min(limit_bytes, hard)
    if soft == resource.RLIM_INFINITY or soft > limit_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, hard))
    _memory_limit_applied = True


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise `Deadline` in this block once `seconds` have passed. Only the main thread receives
    signals: elsewhere (or with seconds <= 0) the block runs unbounded."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise Deadline

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def failure_code(error: BaseException) -> str:
    """The Document.Failure value for an exception raised while reading a PDF."""
    if isinstance(error, Deadline):
        return TIMED_OUT
    if isinstance(error, MemoryError):
        return TOO_LARGE
    if isinstance(error, PDFEncryptionError):
        return ENCRYPTED
    return CORRUPTED


@contextlib.contextmanager
def _failures_as(seconds: float) -> Iterator[None]:
    """Run a whole-document step under a deadline; any failure becomes ExtractionFailed."""
    try:
        with deadline(seconds):
            yield
    except ExtractionFailed:
        raise
    except (Exception, Deadline) as error:
        code = failure_code(error)
        if code == CORRUPTED:
            logger.info("unreadable PDF: %r", error)
        raise ExtractionFailed(code) from error


def _open(fp: BinaryIO) -> PDFDocument:
    """Parse the structure (xref, trailer, encryption). pdfminer tries the empty user password,
    so PDFs that only restrict permissions open; a real password raises PDFPasswordIncorrect."""
    return PDFDocument(PDFParser(fp))


def inspect_pdf(path: str | Path, *, max_pages: int, seconds: float) -> PdfInfo:
    """Page count and metadata. Raises ExtractionFailed (encrypted, corrupted, too_many_pages,
    timed_out, too_large). Stops counting past `max_pages`, so a huge page tree costs little."""
    with open(path, "rb") as fp, _failures_as(seconds):
        document = _open(fp)
        page_count = 0
        for _page in PDFPage.create_pages(document):
            page_count += 1
            if page_count > max_pages:
                raise ExtractionFailed(TOO_MANY_PAGES)
        info = _info(document)
        return PdfInfo(
            page_count=page_count,
            title=info_text(info.get("Title")),
            author=info_text(info.get("Author")),
            created=pdf_date(info_text(info.get("CreationDate"))),
        )


def extract_pages(
    path: str | Path, numbers: Collection[int], *, seconds: float, ocr: ocr_pages.OcrOptions | None = None
) -> Iterator[PageText]:
    """The text of each requested 1-based page, in page order, parsing the document once.

    Opening the document may raise ExtractionFailed; after that a page that fails (deadline,
    MemoryError, broken content) is yielded with an error code and the next page goes on.
    Pages past the end are left out. Each page has its own deadline of `seconds` (and so has
    walking the page tree to it), OCR included. Nothing is timed while the caller handles a
    yielded page. With `ocr`, a page with no text but an image is read by OCR.
    """
    return PdfReader(path, seconds=seconds, ocr=ocr).read(numbers, seconds=seconds)


class _TextAndImages(TextConverter):
    """pdfminer's TextConverter (which skips images), noting the page's size and whether it
    draws an image (inline, or an XObject, in a Form XObject too): a page with no text but an
    image is a scan worth OCR. Pages drawn with paths only (charts, rules, text as outlines) are
    not read: OCR on them costs seconds and mostly finds nothing. One device per page."""

    has_image = False
    size: tuple[float, float] = (0.0, 0.0)

    def render_image(self, name: str, stream: PDFStream) -> None:
        self.has_image = True
        super().render_image(name, stream)

    def receive_layout(self, ltpage: LTPage) -> None:
        self.size = (ltpage.width, ltpage.height)
        super().receive_layout(ltpage)


class PdfReader:
    """An open PDF that keeps its parsed objects, its page objects and its fonts between reads.

    A worker reads a long document in many tasks, a few pages each; walking the page tree to
    page n and loading fonts again in every task would cost it a quadratic walk and a large
    share of pdfminer's time on light pages (see `cached_reader`). The file is read into memory
    once (uploads are a few megabytes), so the reader outlives any temporary copy of it.
    """

    def __init__(self, path: str | Path, *, seconds: float, ocr: ocr_pages.OcrOptions | None = None) -> None:
        self.path = str(path)
        self._data = Path(path).read_bytes()
        with _failures_as(seconds):
            self._document = _open(BytesIO(self._data))
            self._walk = PDFPage.create_pages(self._document)
        self._pages: list[PDFPage] = []
        self._resources = PDFResourceManager(caching=True)
        self._laparams = LAParams()
        self.ocr = ocr
        self._copy: Path | None = None
        # Set when a read failed part-way: the parser's state is unknown, so it is not reused.
        self.broken = False

    def _file_for_ocr(self) -> Path:
        """A copy of the file on local disk for pdftoppm, written at the first scanned page and
        removed with the reader: `path` may have been a temporary copy that is gone by now."""
        if self._copy is None:
            with tempfile.NamedTemporaryFile(prefix="ocr-", suffix=".pdf", delete=False) as copy:
                copy.write(self._data)
            self._copy = Path(copy.name)
            weakref.finalize(self, self._copy.unlink, missing_ok=True)
        return self._copy

    def _page(self, number: int) -> PDFPage | None:
        while len(self._pages) < number:
            page = next(self._walk, None)
            if page is None:
                return None
            self._pages.append(page)
        return self._pages[number - 1]

    def read(self, numbers: Collection[int], *, seconds: float) -> Iterator[PageText]:
        wanted = sorted(set(numbers))
        for index, number in enumerate(wanted):
            try:
                with deadline(seconds):
                    page = self._page(number)
            except (Exception, Deadline) as error:
                # The page tree itself is broken here: no later page can be reached either.
                self.broken = True
                code = failure_code(error)
                logger.info("page tree of %s unreadable at page %s (%s): %r", self.path, number, code, error)
                yield from (PageText(later, "", code) for later in wanted[index:])
                return
            if page is None:
                return
            output = StringIO()
            started = time.monotonic()
            try:
                with deadline(seconds):
                    device = _TextAndImages(self._resources, output, codec="utf-8", laparams=self._laparams)
                    PDFPageInterpreter(self._resources, device).process_page(page)
                    device.close()
            except (Exception, Deadline) as error:
                self.broken = True
                code = failure_code(error)
                logger.info("page %s of %s unreadable (%s): %r", number, self.path, code, error)
                yield PageText(number, "", code)
                continue
            text = output.getvalue()
            if self.ocr is not None and device.has_image and not text.strip():
                yield self._recognise(self.ocr, number, device.size, seconds - (time.monotonic() - started))
                continue
            yield PageText(number, text)

    def _recognise(
        self, options: ocr_pages.OcrOptions, number: int, size: tuple[float, float], seconds: float
    ) -> PageText:
        """OCR of a scanned page within what is left of its deadline. A failure fails the page
        alone (the parser is untouched, so the reader stays usable)."""
        if seconds <= 0:
            return PageText(number, "", TIMED_OUT)
        try:
            text = ocr_pages.read_page(self._file_for_ocr(), number, size=size, options=options, seconds=seconds)
        except ocr_pages.OcrFailed as failure:
            log = logger.warning if failure.code == ocr_pages.OCR_UNAVAILABLE else logger.info
            log("OCR of page %s of %s failed (%s): %s", number, self.path, failure.code, failure.detail)
            return PageText(number, "", failure.code)
        except OSError as error:  # no room for the copy or the image on local disk
            logger.warning("OCR of page %s of %s failed: %r", number, self.path, error)
            return PageText(number, "", TOO_LARGE)
        return PageText(number, text, ocr=True)


# The reader of the document this process read last: (key, reader).
_cached: tuple[Hashable, PdfReader] | None = None


def cached_reader(key: Hashable, open_reader: Callable[[], PdfReader]) -> PdfReader:
    """The reader of `key`'s document, kept from this process's previous call when it was the
    same document, else `open_reader()` (which may raise ExtractionFailed). Only one document
    is kept: its decoded streams can be large. `key` must change when the file does."""
    global _cached
    if _cached is not None and _cached[0] == key and not _cached[1].broken:
        return _cached[1]
    _cached = None  # let the previous document go before the next one is parsed
    reader = open_reader()
    _cached = (key, reader)
    return reader


def _info(document: PDFDocument) -> dict[str, Any]:
    """The information dictionary, newest first (pdfminer lists the trailers from the last
    incremental update back)."""
    merged: dict[str, Any] = {}
    for info in document.info:
        for key, value in dict(info).items():
            merged.setdefault(key, value)
    return merged


def info_text(value: Any) -> str:
    """A PDF text string as str: UTF-16BE with a BOM, UTF-8 with a BOM (PDF 2.0), or
    PDFDocEncoding. Control characters and surrounding blanks are dropped."""
    value = resolve1(value)
    if isinstance(value, bytes):
        if value.startswith(b"\xef\xbb\xbf"):
            text = value[3:].decode("utf-8", "replace")
        elif value.startswith((b"\xfe\xff", b"\xff\xfe")):
            text = value[2:].decode("utf-16-be" if value[0] == 0xFE else "utf-16-le", "replace")
        else:
            text = decode_text(value)
    elif isinstance(value, str):
        text = value
    else:
        return ""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())[:METADATA_MAX_CHARS]


PDF_DATE = re.compile(
    r"^(?:D:)?(?P<year>\d{4})(?P<month>\d{2})?(?P<day>\d{2})?(?P<hour>\d{2})?(?P<minute>\d{2})?(?P<second>\d{2})?"
    r"\s*(?:(?P<sign>[Zz+\-])\s*(?:(?P<tzh>\d{2})'?\s*(?:(?P<tzm>\d{2})'?)?)?)?"
)


def pdf_date(text: str) -> dt.datetime | None:
    """A PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional) as an aware
    datetime; UTC when it carries no offset. None when it is not a real date."""
    match = PDF_DATE.match(text.strip())
    if match is None:
        return None
    parts = match.groupdict()

    def part(name: str, default: int) -> int:
        value = parts[name]
        return int(value) if value is not None else default

    offset = dt.timedelta(hours=part("tzh", 0), minutes=part("tzm", 0))
    if parts["sign"] == "-":
        offset = -offset
    try:
        return dt.datetime(
            part("year", 0),
            part("month", 1),
            part("day", 1),
            part("hour", 0),
            part("minute", 0),
            part("second", 0),
            tzinfo=dt.timezone(offset),
        )
    except ValueError:
        return None
