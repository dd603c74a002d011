"""OCR of scanned pages (documents.ocr, through documents.extraction's reader): which pages are
read, what a missing language pack, a missing program, the deadline and the memory cap do to a
page, and the resolution a page is rendered at. The pipeline on a real worker is in
test_ocr_pipeline.py."""

from __future__ import annotations

import gc
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from documents import ocr
from documents.extraction import PageText, PdfReader, extract_pages
from documents.models import Document
from documents.ocr import OcrFailed, OcrOptions
from tests.support.corpus import corpus_path
from tests.support.scans import Scanned, Typed, scan_word, write_pdf

ROOT = Path(__file__).resolve().parent.parent.parent
SECONDS = 30.0
Failure = Document.Failure


@pytest.fixture
def words() -> list[str]:
    rng = random.Random()  # nosec B311  # test data
    return [scan_word(rng) for _ in range(4)]


@pytest.fixture
def fresh_languages() -> Iterator[None]:
    """installed_languages() asked again in this test, and again after it."""
    ocr.installed_languages.cache_clear()
    yield
    ocr.installed_languages.cache_clear()


def dense_scan(path: Path, *more: Scanned | Typed) -> Path:
    """A full page of small text (Tesseract needs seconds and a few hundred MB for it), then `more`."""
    rng = random.Random(7)  # nosec B311  # test data
    lines = [" ".join(scan_word(rng, 3) for _ in range(7)) for _ in range(60)]
    return write_pdf(path, [Scanned(lines, width_in=8.27, font_pt=11), *more])


def test_scanned_page_is_read_by_ocr_and_marked_and_a_typed_page_is_not(tmp_path: Path, words: list[str]) -> None:
    # given: a typed page, then a scanned one
    pdf = write_pdf(
        tmp_path / "mixed.pdf",
        [Typed(["Agenda for the review"]), Scanned([f"Minutes {words[0]} and {words[1]}", f"Signed {words[2]}"])],
    )

    # when: both pages are read with OCR on
    typed, scanned = extract_pages(pdf, [1, 2], seconds=SECONDS, ocr=OcrOptions())

    # then: the typed page is its text layer; the scan's words come from OCR, marked so
    assert (typed.text.split(), typed.ocr, typed.error) == (["Agenda", "for", "the", "review"], False, "")
    assert scanned.ocr is True and scanned.error == ""
    assert set(words[:3]) <= set(scanned.text.split())


def test_without_ocr_a_scan_has_no_text(tmp_path: Path, words: list[str]) -> None:
    pdf = write_pdf(tmp_path / "scan.pdf", [Scanned([words[0]])])

    assert list(extract_pages(pdf, [1], seconds=SECONDS)) == [PageText(1, "\f")]


def test_scan_is_read_after_the_file_it_was_opened_from_is_gone(tmp_path: Path, words: list[str]) -> None:
    # given: a reader opened from a temporary copy (remote storage), which is then removed
    pdf = write_pdf(tmp_path / "scan.pdf", [Scanned([f"Copy {words[0]}"])])
    reader = PdfReader(pdf, seconds=SECONDS, ocr=OcrOptions())
    pdf.unlink()

    # when: its scanned page is read
    (page,) = reader.read([1], seconds=SECONDS)

    # then: OCR read it from the reader's own copy, which goes with the reader
    assert page.ocr and words[0] in page.text.split()
    copy = reader._copy
    assert copy is not None and copy.exists()
    del reader
    gc.collect()
    assert not copy.exists()


def test_pages_without_an_image_are_not_ocr_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: an empty page drawn with lines and curves, and one drawn with paths only
    def must_not_run(*args: object, **kwargs: object) -> str:
        raise AssertionError("OCR ran on a page without an image")

    monkeypatch.setattr(ocr, "read_page", must_not_run)

    # when / then: they are read as before, without OCR
    for name in ("simple2.pdf", "scancode_patchelf.pdf"):
        (page,) = extract_pages(corpus_path(name), [1], seconds=SECONDS, ocr=OcrOptions())
        assert (page.text.strip(), page.error, page.ocr) == ("", "", False)


@pytest.mark.usefixtures("fresh_languages")
def test_missing_language_pack_fails_the_page_with_a_clear_reason(tmp_path: Path, words: list[str]) -> None:
    # given: a scan, and a language whose pack is not installed (Tesseract alone would only warn)
    pdf = write_pdf(tmp_path / "scan.pdf", [Scanned([words[0]])])

    # when: it is read with eng+qqq
    (page,) = extract_pages(pdf, [1], seconds=SECONDS, ocr=OcrOptions(languages="eng+qqq"))

    # then: the page fails ocr_unavailable, which people are told in words; the operator is told the pack
    assert (page.text, page.error, page.ocr) == ("", Failure.OCR_UNAVAILABLE, False)
    assert "scan" in Document(error=page.error).error_message
    with pytest.raises(OcrFailed) as failed:
        ocr.check_languages("eng+qqq")
    assert "tesseract-ocr-qqq" in failed.value.detail
    for nonsense in ("", "eng+", "eng;rm -rf", "../eng"):
        with pytest.raises(OcrFailed):
            ocr.check_languages(nonsense)
    ocr.check_languages("eng")


@pytest.mark.usefixtures("fresh_languages")
def test_missing_tesseract_fails_the_page_ocr_unavailable(
    tmp_path: Path, words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "TESSERACT", str(tmp_path / "no-such-tesseract"))
    pdf = write_pdf(tmp_path / "scan.pdf", [Scanned([words[0]])])

    (page,) = extract_pages(pdf, [1], seconds=SECONDS, ocr=OcrOptions())

    assert (page.error, page.ocr) == (Failure.OCR_UNAVAILABLE, False)


def test_ocr_past_the_page_deadline_is_stopped_and_the_next_page_goes_on(tmp_path: Path) -> None:
    # given: a dense scanned page (seconds of OCR), then a typed page
    reader = PdfReader(dense_scan(tmp_path / "dense.pdf", Typed(["After the scan"])), seconds=SECONDS, ocr=OcrOptions())

    # when: each page has 0.5 s
    started = time.monotonic()
    scanned, typed = reader.read([1, 2], seconds=0.5)
    elapsed = time.monotonic() - started

    # then: the scan failed timed_out soon after its deadline (Tesseract was killed), the next
    # page was read, and the reader is still usable: the parser was not interrupted
    assert (scanned.text, scanned.error, scanned.ocr) == ("", Failure.TIMED_OUT, False)
    assert typed.text.split() == ["After", "the", "scan"]
    assert elapsed < 3.0
    assert not reader.broken


# Enough for Python and pdfminer, too little for Tesseract on a full page (about 150 MB).
MEMORY_CAP = 100 * 1024 * 1024
MEMORY_READER = """
import json, sys
from documents.extraction import apply_memory_limit, extract_pages
from documents.ocr import OcrOptions
apply_memory_limit(int(sys.argv[2]))
pages = list(extract_pages(sys.argv[1], [1], seconds=60, ocr=OcrOptions()))
print(json.dumps([[p.number, p.text, p.error, p.ocr] for p in pages]))
"""


def test_ocr_runs_under_the_workers_memory_cap(tmp_path: Path) -> None:
    # given: a dense scanned page, and a worker process capped at 100 MB of address space (Tesseract
    # needs more for this page; never this test process: the cap would stay with it)
    pdf = dense_scan(tmp_path / "dense.pdf")

    # when: the capped process reads it with OCR
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_READER, str(pdf), str(MEMORY_CAP)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )

    # then: Tesseract inherited the cap, the page failed too_large, and the process lived to say so
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert json.loads(result.stdout.decode().strip().splitlines()[-1]) == [[1, "", Failure.TOO_LARGE, False]]


def test_resolution_keeps_a_page_image_within_the_pixel_budget() -> None:
    options = OcrOptions(dpi=300, max_pixels=25_000_000)

    assert ocr.resolution(595.0, 842.0, options) == 300  # A4: 8.7 million pixels
    poster = ocr.resolution(3146.0, 1529.0, options)  # 44 x 21 inches
    assert 100 < poster < 300
    assert (3146 / 72 * poster) * (1529 / 72 * poster) <= options.max_pixels
    assert ocr.resolution(0.0, 0.0, options) == 300  # no size known: the dpi, bounded by pdftoppm
    assert ocr.resolution(1e9, 1e9, options) == 1
