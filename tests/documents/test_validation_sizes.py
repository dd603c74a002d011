"""documents.validation's limits on size: the upload's bytes, counted as read; archives that
unpack to too much (zip bombs) or hold too many parts; and how the upload is read for it, in
chunks, left at its start after.

No database: every test hands check_upload an UploadedFile, as Django's upload handlers would
(in memory, or a temporary file on disk for large uploads).
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile

from documents.validation import UploadRejected, archives, check_upload
from documents.validation.content import DOCX, PPTX
from tests.support.files import (
    CONTENT_TYPES,
    ELF_BYTES,
    GB,
    MB,
    PDF_BYTES,
    SEGMENT_BYTES,
    image,
    office_zip,
    plain_zip,
    zip_bomb,
)
from tests.support.validation import LIMITS, check, refused, upload


def on_disk(content: bytes, name: str = "file.bin") -> TemporaryUploadedFile:
    """An upload as Django keeps large ones: a temporary file."""
    stored = TemporaryUploadedFile(name, "application/octet-stream", len(content), None)
    stored.write(content)
    stored.flush()
    stored.seek(0)
    return stored


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
