"""documents.validation: what is refused before anything is stored, and the names people see.

No database: every test hands check_upload an UploadedFile, as Django's upload handlers would
(in memory, or a temporary file on disk for large uploads).
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile, UploadedFile
from PIL import Image

from documents.validation import Checked, UploadRejected, archives, check_upload
from documents.validation.content import DOCX, GIF, JPEG, ODT, PDF, PNG, PPTX, TEXT, WEBP, XLSX, sniff
from documents.validation.names import display_name
from tests.support.files import (
    CONTENT_TYPES,
    ELF_BYTES,
    GB,
    MACHO_BYTES,
    MB,
    PDF_BYTES,
    PE_BYTES,
    SCRIPT_BYTES,
    SEGMENT_BYTES,
    office_zip,
    zip_bomb,
)

LIMITS = {"max_bytes": 25 * MB, "max_unpacked": 200 * MB, "max_ratio": 100}

# ---------------------------------------------------------------------------------------------
# Files, made here
# ---------------------------------------------------------------------------------------------


def image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def odf_zip(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    """OpenDocument: a stored `mimetype` member first, then the content."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>", compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def plain_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def upload(content: bytes, name: str = "file.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def on_disk(content: bytes, name: str = "file.bin") -> TemporaryUploadedFile:
    """An upload as Django keeps large ones: a temporary file."""
    stored = TemporaryUploadedFile(name, "application/octet-stream", len(content), None)
    stored.write(content)
    stored.flush()
    stored.seek(0)
    return stored


def check(content: bytes, name: str, **limits: int) -> Checked:
    return check_upload(upload(content, name), claimed_name=name, **{**LIMITS, **limits})


def refused(content: bytes, name: str, **limits: int) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        check(content, name, **limits)
    return caught.value


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


# ---------------------------------------------------------------------------------------------
# Size
# ---------------------------------------------------------------------------------------------


def test_zero_bytes_is_refused_as_empty() -> None:
    rejection = refused(b"", "empty.pdf")

    assert (rejection.status, rejection.code) == (400, "empty")
    assert "empty.pdf" in rejection.detail


def test_larger_than_the_limit_is_refused_naming_the_limit_in_megabytes() -> None:
    rejection = refused(PDF_BYTES + bytes(2 * MB), "big.pdf", max_bytes=2 * MB)

    assert (rejection.status, rejection.code) == (413, "too_large")
    assert "2 MB" in rejection.detail


def test_exactly_the_limit_is_accepted() -> None:
    content = b"x" * (1 * MB)

    assert check(content, "limit.txt", max_bytes=1 * MB).size == 1 * MB


def test_size_is_counted_from_the_bytes_not_from_the_declared_size() -> None:
    """An upload object that claims less than it holds is still measured."""
    lying = upload(b"y" * 5000, "liar.txt")
    lying.size = 10

    with pytest.raises(UploadRejected) as caught:
        check_upload(lying, claimed_name="liar.txt", **{**LIMITS, "max_bytes": 1000})

    assert caught.value.code == "too_large"


# ---------------------------------------------------------------------------------------------
# Zip bombs
# ---------------------------------------------------------------------------------------------


def test_zip_bomb_is_a_real_one() -> None:
    """The bomb below is sound: its directory declares 2 GiB, and its deflate stream inflates to
    zeros (the first 64 MiB checked here, the rest is the same segment repeated)."""
    bomb = zip_bomb("zeros.bin", 2 * GB)

    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        (member,) = archive.infolist()
        assert member.file_size == 2 * GB and member.compress_size < 3 * MB
        with archive.open(member) as stream:
            assert stream.read(SEGMENT_BYTES) == bytes(SEGMENT_BYTES)
    assert len(bomb) < 3 * MB


def test_zip_bomb_dressed_as_a_word_document_is_refused_unread() -> None:
    bomb = zip_bomb("word/document.xml", 2 * GB, CONTENT_TYPES)

    rejection = refused(bomb, "report.docx")

    assert (rejection.status, rejection.code) == (413, "unpacked_too_large")
    assert "report.docx" in rejection.detail


def test_zip_bomb_without_office_parts_is_an_unsupported_archive() -> None:
    bomb = zip_bomb("zeros.bin", 2 * GB)

    assert refused(bomb, "bomb.zip").code == "unsupported_type"
    assert refused(bomb, "bomb.docx").code == "type_mismatch"


def test_office_file_packed_tighter_than_the_ratio_is_refused() -> None:
    # 64 MiB is under the unpacked limit, but packed about a thousand to one.
    bomb = zip_bomb("xl/worksheets/sheet1.xml", 64 * MB, CONTENT_TYPES)

    rejection = refused(bomb, "sheet.xlsx")

    assert rejection.code == "unpacked_too_large"
    assert "times its packed size" in rejection.detail


def test_office_file_over_the_unpacked_limit_is_refused_at_any_ratio() -> None:
    parts = {f"word/media/image{n}.png": image("PNG") for n in range(5)}
    content = office_zip("docx", parts)
    unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(content)).infolist())

    assert check(content, "report.docx", max_unpacked=unpacked).content_type == DOCX
    assert refused(content, "report.docx", max_unpacked=unpacked - 1).code == "unpacked_too_large"


def test_office_file_with_too_many_members_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_MEMBERS", 20)
    content = office_zip("docx", {f"word/part{n}.xml": b"<p/>" for n in range(20)})

    rejection = refused(content, "report.docx")

    assert rejection.code == "unpacked_too_large"
    assert "23 parts" in rejection.detail


def test_zip_with_too_many_members_is_refused_before_its_directory_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_MEMBERS", 20)
    content = plain_zip({f"{n}.txt": b"" for n in range(21)})

    def no_directory(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the central directory was parsed")

    monkeypatch.setattr(archives.zipfile, "ZipFile", no_directory)

    rejection = refused(content, "many.zip")

    assert (rejection.status, rejection.code) == (413, "unpacked_too_large")


def test_zip_whose_directory_is_larger_than_declared_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The end record may claim few members while the directory holds many: zipfile would parse
    them all, so the directory's size counts too."""
    monkeypatch.setattr(archives, "MAX_DIRECTORY_BYTES", 2000)
    content = bytearray(office_zip("docx", {f"word/part{n}.xml": b"<p/>" for n in range(40)}))
    end = content.rfind(b"PK\x05\x06")
    content[end + 8 : end + 12] = struct.pack("<HH", 3, 3)  # "3 members"

    rejection = refused(bytes(content), "report.docx")

    assert (rejection.status, rejection.code) == (413, "unpacked_too_large")


def test_office_file_carrying_another_archive_is_refused() -> None:
    content = office_zip("docx", {"word/embeddings/payload.zip": plain_zip({"a.txt": b"a"})})

    assert refused(content, "report.docx").code == "unpacked_too_large"


def test_presentation_with_an_embedded_workbook_is_accepted() -> None:
    """Every chart in a presentation embeds its data as a workbook, itself a zip."""
    content = office_zip("pptx", {"ppt/embeddings/Microsoft_Excel_Worksheet.xlsx": office_zip("xlsx")})

    assert check(content, "slides.pptx").content_type == PPTX


def test_damaged_zip_is_refused() -> None:
    content = office_zip("docx")[:-30]

    assert refused(content, "report.docx").code == "type_mismatch"


# ---------------------------------------------------------------------------------------------
# Reading the upload
# ---------------------------------------------------------------------------------------------


class ReadSpy(io.BytesIO):
    """A file that remembers how much each read asked for."""

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.asked: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.asked.append(-1 if size is None else size)
        return super().read(size)


def spied(content: bytes, name: str) -> tuple[UploadedFile, ReadSpy]:
    spy = ReadSpy(content)
    return UploadedFile(spy, name=name, size=len(content)), spy


@pytest.mark.parametrize("content", [b"words\n" * (2 * MB), PDF_BYTES + bytes(3 * MB)], ids=["text", "pdf"])
def test_upload_is_read_in_chunks_and_left_at_the_start(content: bytes) -> None:
    stored, spy = spied(content, "big.txt" if content.startswith(b"words") else "big.pdf")

    checked = check_upload(stored, claimed_name=stored.name or "", **LIMITS)

    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert all(0 < size <= 64 * 1024 for size in spy.asked), sorted(set(spy.asked))
    assert spy.tell() == 0


def test_upload_is_left_at_the_start_after_a_refusal() -> None:
    stored, spy = spied(ELF_BYTES, "x.pdf")
    stored.read(10)

    with pytest.raises(UploadRejected):
        check_upload(stored, claimed_name="x.pdf", **LIMITS)

    assert spy.tell() == 0


def test_upload_kept_on_disk_is_checked_like_one_in_memory() -> None:
    content = office_zip("docx", {"word/media/photo.bin": random.Random(5).randbytes(2 * MB)})
    with on_disk(content, "report.docx") as stored:
        checked = check_upload(stored, claimed_name="report.docx", **LIMITS)

        assert (checked.content_type, checked.size) == (DOCX, len(content))
        assert stored.tell() == 0 and stored.read() == content


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

NAMES = [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\win.ini", "win.ini"),
    ("/etc/shadow.txt", "shadow.txt"),
    ("C:\\Users\\ann\\Desktop\\plan.docx", "plan.docx"),
    ("\\\\server\\share\\notes.txt", "notes.txt"),
    ("report\x00.pdf", "report.pdf"),
    ("report.pdf\x00.exe", "report.pdf.exe"),
    ("evil\u202efdp.exe", "evilfdp.exe"),
    ("invoice\u2066\u2069\u200e\u200f\ufeff.pdf", "invoice.pdf"),
    ("tag\U000e0041\U000e0042.txt", "tag.txt"),
    ("line\nbreak\r\ttab.txt", "line break tab.txt"),
    ("  ...hidden.pdf...  ", "hidden.pdf"),
    ("two   spaces.pdf", "two spaces.pdf"),
    ("Résumé.pdf", "Résumé.pdf"),
    ("Re\u0301sume\u0301.pdf", "Résumé.pdf"),
    ("東京の報告書.pdf", "東京の報告書.pdf"),
    ("تقرير.pdf", "تقرير.pdf"),
    ("🎉 party 👨\u200d👩\u200d👧.png", "🎉 party 👨\u200d👩\u200d👧.png"),
    ("می\u200cخواهم.txt", "می\u200cخواهم.txt"),  # noqa: RUF001  # Persian needs its non-joiner
    ("archive.tar.gz", "archive.tar.gz"),
    ("no extension", "no extension"),
    ("", "document"),
    ("..", "document"),
    ("../", "document"),
    ("\u202e\u202e", "document"),
    (".pdf", "document.pdf"),
    ("...pdf", "document.pdf"),
    ("\x00.txt", "document.txt"),
]


@pytest.mark.parametrize(("raw", "shown"), NAMES, ids=[repr(case[0]) for case in NAMES])
def test_display_name_is_the_cleaned_last_component(raw: str, shown: str) -> None:
    assert display_name(raw) == shown


@pytest.mark.parametrize("stem", ["a", "é", "東", "🎉"])
def test_overlong_names_keep_their_extension_within_255_characters(stem: str) -> None:
    shown = display_name(stem * 1000 + ".pdf")

    assert shown == stem * 251 + ".pdf"


def test_overlong_names_are_measured_after_composing_accents() -> None:
    assert display_name("e\u0301" * 1000 + ".txt") == "é" * 251 + ".txt"


def test_overlong_extension_is_not_kept_as_one() -> None:
    shown = display_name("name." + "x" * 1000)

    assert len(shown) == 255 and shown.startswith("name.")


def test_display_name_is_idempotent() -> None:
    for raw, _ in NAMES:
        assert display_name(display_name(raw)) == display_name(raw)


def test_checked_name_is_the_display_name() -> None:
    checked = check(PDF_BYTES, "../../Ünïcödé 報告 🎉.pdf")

    assert checked.name == "Ünïcödé 報告 🎉.pdf"


def test_checked_name_of_an_overlong_unicode_name_fits_the_model() -> None:
    checked = check(PDF_BYTES, "報" * 1000 + ".pdf")

    assert len(checked.name) == 255 and checked.name.endswith(".pdf")


def test_extension_is_judged_after_cleaning() -> None:
    # A NUL meant to cut the name at ".pdf" for C code does not hide ".exe".
    assert refused(PDF_BYTES, "report.pdf\x00.exe").code == "unsupported_type"
    # Nor does a trailing dot or space, which Windows drops when saving.
    assert refused(ELF_BYTES, "report.pdf. ").code == "type_mismatch"


def test_rejection_is_an_exception_carrying_status_code_and_detail() -> None:
    rejection = UploadRejected(415, "unsupported_type", "No.")

    assert (rejection.status, rejection.code, rejection.detail, str(rejection)) == (
        415,
        "unsupported_type",
        "No.",
        "No.",
    )


def _all_names() -> Iterator[str]:
    yield from (raw for raw, _ in NAMES)


def test_display_name_never_keeps_separators_or_invisible_characters() -> None:
    for raw in _all_names():
        shown = display_name(raw)
        assert shown and "/" not in shown and "\\" not in shown
        assert not any(char in shown for char in "\x00\u202e\u2066\u200e\ufeff\n\r\t")
