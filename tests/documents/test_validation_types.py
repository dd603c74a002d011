"""documents.validation decides an upload's type by its content: the types accepted, whatever
their name; programs, scripts, archives and pages, refused renamed or not; text, only as UTF-8.

No database: check_upload is handed an UploadedFile, as Django's upload handlers would.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from documents.validation import Checked
from documents.validation.content import DOCX, GIF, JPEG, ODT, PDF, PNG, PPTX, TEXT, WEBP, XLSX, sniff
from tests.support.files import (
    ELF_BYTES,
    MACHO_BYTES,
    PDF_BYTES,
    PE_BYTES,
    SCRIPT_BYTES,
    image,
    office_zip,
    plain_zip,
)
from tests.support.validation import check, refused


def odf_zip(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    """OpenDocument: a stored `mimetype` member first, then the content."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>", compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Accepted types, decided by content
# ---------------------------------------------------------------------------------------------

ACCEPTED = [
    ("report.pdf", PDF_BYTES, PDF),
    ("photo.png", image("PNG"), PNG),
    ("photo.jpg", image("JPEG"), JPEG),
    ("photo.jpeg", image("JPEG"), JPEG),
    ("anim.gif", image("GIF"), GIF),
    ("photo.webp", image("WEBP"), WEBP),
    ("notes.txt", "Meeting notes — café, 東京, 🎉\n".encode(), TEXT),
    ("table.csv", b"name,amount\nalice,10\nbob,20\n", TEXT),
    ("readme.md", b"# Title\n\n* one\n* two\n\n```python\nprint('hi')\n```\n", TEXT),
    ("bom.txt", b"\xef\xbb\xbfwith a byte order mark\r\n", TEXT),
    ("report.docx", office_zip("docx"), DOCX),
    ("sheet.xlsx", office_zip("xlsx"), XLSX),
    ("slides.pptx", office_zip("pptx"), PPTX),
    ("letter.odt", odf_zip(), ODT),
]


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_accepted_types_are_sniffed_from_content(name: str, content: bytes, content_type: str) -> None:
    checked = check(content, name)

    assert checked == Checked(
        name=name, content_type=content_type, size=len(content), sha256=hashlib.sha256(content).hexdigest()
    )


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_accepted_types_need_no_extension(name: str, content: bytes, content_type: str) -> None:
    assert check(content, "untitled").content_type == content_type


def test_pdf_header_may_follow_junk_within_the_first_kilobyte() -> None:
    assert check(b"\x00" * 1000 + PDF_BYTES, "late.pdf").content_type == PDF
    assert refused(b"\x00" * 1100 + PDF_BYTES, "too-late.pdf").code == "type_mismatch"


def test_text_that_mentions_a_pdf_header_stays_text() -> None:
    assert check(b"Every PDF starts with %PDF-1.7, then objects.\n", "notes.txt").content_type == TEXT


def test_text_that_starts_like_a_windows_program_stays_text() -> None:
    assert check(b"MZ Racing team: lap times\n", "laps.txt").content_type == TEXT


def test_sniff_answers_none_for_what_is_not_accepted() -> None:
    for head in (ELF_BYTES, PE_BYTES, MACHO_BYTES, SCRIPT_BYTES, b"\x1f\x8b\x08\x00" + bytes(20), b"\x00\x01\x02"):
        assert sniff(head) is None
    assert sniff(plain_zip({"a.txt": b"a"}), members=["a.txt"]) is None
    assert sniff(b"PK\x03\x04" + bytes(40)) is None  # no central directory given: not Office


# ---------------------------------------------------------------------------------------------
# Programs, scripts, archives and pages, renamed or not
# ---------------------------------------------------------------------------------------------

RENAMED = [
    (ELF_BYTES, "invoice.pdf", "a PDF document", "a Linux program"),
    (ELF_BYTES, "cat.png", "a PNG image", "a Linux program"),
    (ELF_BYTES, "notes.txt", "a text file", "a Linux program"),
    (PE_BYTES, "invoice.pdf", "a PDF document", "a Windows program"),
    (PE_BYTES, "cat.png", "a PNG image", "a Windows program"),
    (PE_BYTES, "notes.txt", "a text file", "a Windows program"),
    (MACHO_BYTES, "photo.jpg", "a JPEG image", "a macOS program"),
    (SCRIPT_BYTES, "notes.txt", "a text file", "a script"),
    (plain_zip({"a.txt": b"a"}), "report.docx", "a Word document", "a zip archive"),
    (b"\x1f\x8b\x08\x00" + bytes(30), "data.csv", "a text file", "a gzip archive"),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "notes.txt", "a text file", "an HTML or XML page"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.png", "a PNG image", "an SVG image"),
    (image("PNG"), "photo.jpg", "a JPEG image", "a PNG image"),
    (PDF_BYTES, "notes.txt", "a text file", "a PDF document"),
    (b"plain text", "fake.pdf", "a PDF document", "a text file"),
]


@pytest.mark.parametrize(("content", "name", "promised", "found"), RENAMED, ids=[f"{c[3]} as {c[1]}" for c in RENAMED])
def test_content_that_is_not_what_its_name_promises_is_refused(
    content: bytes, name: str, promised: str, found: str
) -> None:
    rejection = refused(content, name)

    assert (rejection.status, rejection.code) == (415, "type_mismatch")
    assert promised in rejection.detail and found in rejection.detail and name in rejection.detail


UNSUPPORTED = [
    (ELF_BYTES, "tool"),
    (PE_BYTES, "setup"),
    (SCRIPT_BYTES, "install"),
    (plain_zip({"a.txt": b"a"}), "archive.zip"),
    (b"7z\xbc\xaf\x27\x1c" + bytes(30), "archive.7z"),
    (b"Rar!\x1a\x07\x00" + bytes(30), "archive.rar"),
    (b"\x1f\x8b\x08\x00" + bytes(30), "archive.tar.gz"),
    (b"<!doctype html>\n<p>hello</p>", "page"),
    (b"  \n<html><body>hi</body></html>", "page.htm"),
    (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "drawing"),
    (b"Just words, but named to run in a browser.", "page.html"),
    (b"echo hello", "run.bat"),
    (PDF_BYTES, "invoice.pdf.exe"),
    (bytes(range(256)) * 4, "blob"),
    ("UTF-16 text".encode("utf-16"), "wide.txt"),
]


@pytest.mark.parametrize(("content", "name"), UNSUPPORTED, ids=[case[1] for case in UNSUPPORTED])
def test_programs_archives_pages_and_unknown_data_are_unsupported(content: bytes, name: str) -> None:
    rejection = refused(content, name)

    assert rejection.status == 415
    assert rejection.code in ("unsupported_type", "type_mismatch")
    assert rejection.detail


def test_right_to_left_override_cannot_dress_a_program_as_a_pdf() -> None:
    # Displayed raw, "evil\u202efdp.exe" reads as "evilexe.pdf".
    rejection = refused(PE_BYTES, "evil\u202efdp.exe")

    assert rejection.code == "unsupported_type"
    assert "evilfdp.exe" in rejection.detail and "\u202e" not in rejection.detail


def test_office_file_with_macros_is_refused() -> None:
    rejection = refused(office_zip("docx", {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "report.docx")

    assert (rejection.status, rejection.code) == (415, "type_mismatch")
    assert "macros" in rejection.detail


def test_opendocument_of_another_kind_is_refused() -> None:
    assert refused(odf_zip("application/epub+zip"), "book.odt").code == "type_mismatch"


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


def test_latin1_text_is_refused_with_a_word_about_the_encoding() -> None:
    latin1 = "Café crème, naïve façade, 10 €uros\n".encode("cp1252")

    rejection = refused(latin1, "menu.txt")

    assert (rejection.status, rejection.code) == (415, "unsupported_type")
    assert "UTF-8" in rejection.detail and "menu.txt" in rejection.detail


def test_text_that_stops_being_utf8_after_the_first_kilobytes_is_refused() -> None:
    content = b"fine line\n" * 10_000 + "the end, café\n".encode("latin-1")

    assert refused(content, "long.txt").code == "unsupported_type"


def test_text_with_a_nul_after_its_head_is_refused() -> None:
    content = b"fine line\n" * 10_000 + b"\x00\x01\x02"

    assert refused(content, "long.txt").code == "unsupported_type"


def test_text_whose_head_ends_inside_a_character_is_accepted() -> None:
    content = "€".encode() * 5000  # 3 bytes each: the first 8192 bytes end inside one

    assert check(content, "euros.txt").content_type == TEXT


def test_text_cut_inside_its_last_character_is_refused() -> None:
    assert refused("price: €".encode()[:-1], "cut.txt").code == "unsupported_type"


def test_mostly_control_characters_are_not_text() -> None:
    assert refused(b"\x01\x02\x03\x04\x05\x06\x07\x08" * 100 + b"abc", "odd.txt").status == 415
