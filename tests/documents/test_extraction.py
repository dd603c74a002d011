"""documents.extraction over every PDF of the corpus: the text is pdfminer's own, page by page,
or the document fails with the reason a person is told; and reading stays bounded in time and
memory (a decompression bomb is read in a child process, whose address space is capped)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from documents.extraction import (
    ExtractionFailed,
    PageText,
    PdfReader,
    cached_reader,
    deadline,
    extract_pages,
    info_text,
    inspect_pdf,
    pdf_date,
)
from documents.models import Document
from tests.support.corpus import (
    BIG_DOCUMENT_SOURCES,
    EXPECTED,
    ROOT,
    corpus_names,
    corpus_path,
    decompression_bomb_pdf,
    pdf_from_pages,
    pdfminer_page_texts,
    reference_texts,
    several_hundred_pages,
)

MAX_PAGES = 2000
SECONDS = 60.0


def read_all(path: Path) -> list[PageText]:
    info = inspect_pdf(path, max_pages=MAX_PAGES, seconds=SECONDS)
    return list(extract_pages(path, range(1, info.page_count + 1), seconds=SECONDS))


def test_expectations_cover_the_whole_corpus() -> None:
    assert sorted(EXPECTED) == corpus_names()
    assert set(EXPECTED.values()) <= {"ready", *Document.Failure.values}


@pytest.mark.parametrize("name", sorted(name for name, outcome in EXPECTED.items() if outcome == "ready"))
def test_readable_pdf_gives_pdfminers_own_text_page_by_page(name: str) -> None:
    # given: a readable corpus PDF
    path = corpus_path(name)

    # when: every page is read
    pages = read_all(path)

    # then: each page is what pdfminer's extract_text gives for it alone, and some has text
    assert [page.number for page in pages] == list(range(1, len(pages) + 1))
    assert [page.error for page in pages] == [""] * len(pages)
    assert [page.text for page in pages] == list(reference_texts(path))
    assert any(page.text.strip() for page in pages)


@pytest.mark.parametrize("name", sorted(name for name, outcome in EXPECTED.items() if outcome == "no_text"))
def test_pdf_without_text_layer_reads_as_blank_pages(name: str) -> None:
    pages = read_all(corpus_path(name))

    assert pages
    assert all(page.error == "" and not page.text.strip() for page in pages)


@pytest.mark.parametrize("name", sorted(name for name, outcome in EXPECTED.items() if outcome == "encrypted"))
def test_pdf_with_a_user_password_is_encrypted(name: str) -> None:
    with pytest.raises(ExtractionFailed) as inspected:
        inspect_pdf(corpus_path(name), max_pages=MAX_PAGES, seconds=SECONDS)
    with pytest.raises(ExtractionFailed) as extracted:
        list(extract_pages(corpus_path(name), [1], seconds=SECONDS))

    assert inspected.value.code == extracted.value.code == Document.Failure.ENCRYPTED


def test_pdf_encrypted_with_an_empty_user_password_is_readable() -> None:
    # pdfminer tries the empty password: permissions-only protection does not hide the text.
    pages = read_all(corpus_path("encryption_base.pdf"))

    assert "".join(pages[0].text.split()) != ""
    assert [page.text for page in pages] == pdfminer_page_texts(corpus_path("encryption_base.pdf"))


def test_corrupted_stream_is_recovered_as_far_as_pdfminer_goes() -> None:
    # zen_of_python_corrupted.pdf: a Flate stream with a bad checksum, inflated anyway.
    pages = read_all(corpus_path("zen_of_python_corrupted.pdf"))

    assert "Beautiful is better than ugly." in pages[0].text
    assert "Namespaces are one honking great idea" in pages[0].text


def test_not_a_pdf_or_truncated_pdf_is_corrupted(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.4\nthis is not a PDF at all\n")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(corpus_path("simple1.pdf").read_bytes()[:200])

    for path in (garbage, truncated):
        with pytest.raises(ExtractionFailed) as failed:
            inspect_pdf(path, max_pages=MAX_PAGES, seconds=SECONDS)
        assert failed.value.code == Document.Failure.CORRUPTED


def test_vertical_writing_is_read_column_by_column() -> None:
    # contrib_issue-449-vertical.pdf sets "Vertical Layout Test" in vertical writing mode (a
    # Word document with a vertical text box). pdfminer reads each glyph as a line of its own,
    # columns right to left, each from the bottom: the words come out reversed.
    [page] = read_all(corpus_path("contrib_issue-449-vertical.pdf"))

    assert "".join(page.text.split()) == "tseTlacitreVtuoyaL"


def test_form_1040_nr_instructions_are_read_in_full() -> None:
    path = corpus_path("nonfree_i1040nr.pdf")

    info = inspect_pdf(path, max_pages=MAX_PAGES, seconds=SECONDS)
    pages = list(extract_pages(path, [1, 50], seconds=SECONDS))

    assert info.page_count == 50
    assert info.title == "2007 Instruction 1040-NR"
    assert info.author == "W:CAR:MP:FP"
    assert info.created == dt.datetime(2007, 12, 6, 8, 1, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert [page.number for page in pages] == [1, 50]
    assert "Instructions for Form 1040NR" in pages[0].text
    assert [page.text for page in pages] == pdfminer_page_texts(path, [1, 50])


def test_metadata_of_corpus_files() -> None:
    dmca = inspect_pdf(corpus_path("nonfree_dmca.pdf"), max_pages=MAX_PAGES, seconds=SECONDS)
    vertical = inspect_pdf(corpus_path("contrib_issue-449-vertical.pdf"), max_pages=MAX_PAGES, seconds=SECONDS)
    bare = inspect_pdf(corpus_path("simple1.pdf"), max_pages=MAX_PAGES, seconds=SECONDS)

    assert (dmca.page_count, dmca.title) == (18, "The Digital Millennium Copyright Act of 1998")
    assert dmca.author == "United States Copyright Office - jmf"
    assert dmca.created is None  # "D:00000101000000Z": year 0 is no date
    assert vertical.author == "Yawney, John"
    assert vertical.created == dt.datetime(2021, 11, 9, 21, 17, 7, tzinfo=dt.UTC)
    assert (bare.page_count, bare.title, bare.author, bare.created) == (1, "", "", None)


def test_several_hundred_pages_copy_corpus_pages_faithfully(tmp_path: Path) -> None:
    # given: the 320-page PDF built from corpus pages, round and round
    path = several_hundred_pages(tmp_path)
    sources = [text for name in BIG_DOCUMENT_SOURCES for text in reference_texts(corpus_path(name))]
    sample = [1, 2, len(sources), len(sources) + 1, 320]

    # when: it is inspected, and read by pdfminer and by extract_pages
    info = inspect_pdf(path, max_pages=MAX_PAGES, seconds=SECONDS)
    texts = reference_texts(path)
    pages = list(extract_pages(path, sample, seconds=SECONDS))

    # then: 320 pages, each with its source page's text; the UTF-16 title is decoded
    assert (info.page_count, info.title) == (320, "320 corpus pages")
    assert list(texts) == [sources[index % len(sources)] for index in range(320)]
    assert [page.text for page in pages] == pdfminer_page_texts(path, sample) == [texts[n - 1] for n in sample]


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"\xfe\xff\x00M\x00i\x00c\x00r\x00o\x00s\x00o\x00f\x00t\x00\xae", "Microsoft®"),
        (b"\xfe\xff\xd8\x3d\xde\x00\x00 \x00!", "😀 !"),  # a surrogate pair
        (b"\xef\xbb\xbfna\xc3\xafve", "naïve"),  # PDF 2.0 UTF-8
        (b"Copyright \xa9 1998 \x8dquoted\x8e \x84 \x93t", "Copyright © 1998 “quoted” — ﬁt"),  # PDFDocEncoding
        (b"  two\r\n lines\x00 ", "two lines"),
        (b"x" * 600, "x" * 500),
        (None, ""),
        (42, ""),
    ],
)
def test_info_strings_are_decoded(raw: object, text: str) -> None:
    assert info_text(raw) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("D:20240101120000+01'00'", dt.datetime(2024, 1, 1, 11, 0, tzinfo=dt.UTC)),
        ("D:20211109161707-05'00'", dt.datetime(2021, 11, 9, 21, 17, 7, tzinfo=dt.UTC)),
        ("D:20200107214006Z", dt.datetime(2020, 1, 7, 21, 40, 6, tzinfo=dt.UTC)),
        ("D:20200107214006Z00'00'", dt.datetime(2020, 1, 7, 21, 40, 6, tzinfo=dt.UTC)),
        ("D:20200107214006+0530", dt.datetime(2020, 1, 7, 16, 10, 6, tzinfo=dt.UTC)),
        ("D:20200107", dt.datetime(2020, 1, 7, tzinfo=dt.UTC)),
        ("20200107214006", dt.datetime(2020, 1, 7, 21, 40, 6, tzinfo=dt.UTC)),
        ("D:2004", dt.datetime(2004, 1, 1, tzinfo=dt.UTC)),
        ("D:00000101000000Z", None),
        ("D:20241399000000", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_pdf_dates_are_parsed(raw: str, expected: dt.datetime | None) -> None:
    parsed = pdf_date(raw)

    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None


def test_too_many_pages_fails_before_reading_any() -> None:
    with pytest.raises(ExtractionFailed) as failed:
        inspect_pdf(corpus_path("nonfree_i1040nr.pdf"), max_pages=49, seconds=SECONDS)

    assert failed.value.code == Document.Failure.TOO_MANY_PAGES
    assert inspect_pdf(corpus_path("nonfree_i1040nr.pdf"), max_pages=50, seconds=SECONDS).page_count == 50


def test_slow_page_times_out_alone_and_the_next_page_is_read(tmp_path: Path) -> None:
    # given: a dense page (about 0.3 s of pdfminer) between two light ones (under 0.01 s)
    path = pdf_from_pages(tmp_path / "mixed.pdf", [("simple1.pdf", 1), ("nonfree_i1040nr.pdf", 41), ("simple1.pdf", 1)])
    texts = reference_texts(path)

    # when: each page may take 0.1 s
    pages = list(extract_pages(path, [1, 2, 3], seconds=0.1))

    # then: the dense page timed out, the others were read, and no alarm is left behind
    assert pages == [
        PageText(1, texts[0]),
        PageText(2, "", Document.Failure.TIMED_OUT),
        PageText(3, texts[2]),
    ]
    assert texts[1].strip()  # it has text: only the deadline stopped it
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_only_requested_pages_are_read_in_page_order(tmp_path: Path) -> None:
    path = corpus_path("contrib_pagelabels.pdf")

    pages = list(extract_pages(path, {4, 2}, seconds=SECONDS))

    assert [page.number for page in pages] == [2, 4]
    assert [page.text for page in pages] == pdfminer_page_texts(path, [2, 4])
    assert list(extract_pages(path, [9], seconds=SECONDS)) == []  # past the end: nothing


def test_deadline_restores_the_previous_alarm_handler() -> None:
    def previous(signum: int, frame: object) -> None:
        raise AssertionError("the old handler must not run")

    old = signal.signal(signal.SIGALRM, previous)
    try:
        with deadline(5):
            pass
        assert signal.getsignal(signal.SIGALRM) is previous
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, old)


BOMB_READER = """
import json, resource, sys
from documents.extraction import apply_memory_limit, extract_pages, inspect_pdf
apply_memory_limit(int(sys.argv[2]))
apply_memory_limit(1 << 40)  # once per process: a second call changes nothing
info = inspect_pdf(sys.argv[1], max_pages=10, seconds=60)
pages = list(extract_pages(sys.argv[1], [1], seconds=60))
print(json.dumps({
    "pages": info.page_count,
    "results": [[p.number, len(p.text), p.error] for p in pages],
    "limit": resource.getrlimit(resource.RLIMIT_AS)[0],
}))
"""


def test_decompression_bomb_fails_too_large_under_the_memory_limit(tmp_path: Path) -> None:
    # given: a 4 KB PDF whose one page inflates to more than 2 GB
    bomb = decompression_bomb_pdf(tmp_path / "bomb.pdf")
    assert bomb.stat().st_size < 64 * 1024
    limit = 1024**3

    # when: a process limited to 1 GB of address space reads it (never this test process: the
    # limit would be inherited by everything it starts later, browsers included)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", BOMB_READER, str(bomb), str(limit)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )

    # then: the page failed too_large, quickly, and the process lived to say so
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    outcome = json.loads(result.stdout.decode().strip().splitlines()[-1])
    assert outcome == {"pages": 1, "results": [[1, 0, Document.Failure.TOO_LARGE]], "limit": limit}
    assert time.monotonic() - started < 60


def test_reader_kept_between_reads_gives_the_same_text_as_fresh_ones() -> None:
    # given: a worker reading a document in three tasks, a few pages each
    path = corpus_path("nonfree_dmca.pdf")
    opened: list[PdfReader] = []

    def open_reader() -> PdfReader:
        opened.append(PdfReader(path, seconds=SECONDS))
        return opened[-1]

    # when: each task asks for the document's reader
    chunks = [[1], [2, 3, 4, 5], [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]]
    texts = [page.text for chunk in chunks for page in cached_reader("dmca", open_reader).read(chunk, seconds=SECONDS)]

    # then: it was opened once, and the text is pdfminer's
    assert len(opened) == 1
    assert texts == list(reference_texts(path))
    # another document replaces it, and a reader that failed part-way is not reused
    assert cached_reader("simple1", lambda: PdfReader(corpus_path("simple1.pdf"), seconds=SECONDS)) is not opened[0]
    assert cached_reader("dmca", open_reader) is opened[1]
    opened[1].broken = True
    assert cached_reader("dmca", open_reader) is opened[2]
