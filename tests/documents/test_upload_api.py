"""Bad uploads through POST /api/documents/: each refused with the CONTRACT's JSON error, and
nothing of a refused upload is left behind, neither a file in storage nor a Document row.

Files go to a media folder of each test's own, so "nothing stored" is read off the disk.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from documents.models import Document
from tests.support.chat_api import Person, person
from tests.support.documents import BOUNDARY, form, request, upload
from tests.support.files import (
    CONTENT_TYPES,
    ELF_BYTES,
    GB,
    MACHO_BYTES,
    PDF_BYTES,
    PE_BYTES,
    SCRIPT_BYTES,
    office_zip,
    zip_bomb,
)
from tests.support.live_chat import StartServer, committed
from tests.support.people_api import assert_error
from tests.support.servers import DaphneProcess
from tests.support.tenants import PASSWORD, TenantInfo


def documents_of(tenant: TenantInfo, who: Person) -> list[Document]:
    with schema_context(tenant.schema):
        return list(Document.objects.filter(uploader_id=who.id))


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def ann(tenant_a: TenantInfo, db: None) -> Person:
    return person(tenant_a)


# ---------------------------------------------------------------------------------------------
# Refusals, and nothing left behind
# ---------------------------------------------------------------------------------------------

REFUSED = [
    # content, name, status, code
    (ELF_BYTES, "invoice.pdf", 415, "type_mismatch"),
    (ELF_BYTES, "notes.txt", 415, "type_mismatch"),
    (PE_BYTES, "cat.png", 415, "type_mismatch"),
    (PE_BYTES, "setup", 415, "unsupported_type"),
    (PE_BYTES, "setup.exe", 415, "unsupported_type"),
    (MACHO_BYTES, "app", 415, "unsupported_type"),
    (SCRIPT_BYTES, "install.txt", 415, "type_mismatch"),
    (b"This is not a PDF at all.\n", "report.pdf", 415, "type_mismatch"),
    (b"<!DOCTYPE html><script>alert(document.cookie)</script>", "page", 415, "unsupported_type"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.svg", 415, "unsupported_type"),
    ("Café au lait\n".encode("latin-1"), "menu.txt", 415, "unsupported_type"),
    (b"", "empty.pdf", 400, "empty"),
]


@pytest.mark.parametrize(
    ("content", "name", "status", "code"), REFUSED, ids=[f"{case[1]}-{case[3]}" for case in REFUSED]
)
def test_bad_upload_is_refused_and_leaves_nothing(
    tenant_a: TenantInfo, ann: Person, media: Path, content: bytes, name: str, status: int, code: str
) -> None:
    response = upload(ann, content, name)

    body = assert_error(response, status, code)
    assert name.rsplit(".", 1)[0] in body["detail"] or status == 400
    assert documents_of(tenant_a, ann) == []
    assert files_under(media) == []


def test_zip_bomb_dressed_as_a_word_document_is_refused_unread(tenant_a: TenantInfo, ann: Person, media: Path) -> None:
    bomb = zip_bomb("word/document.xml", 2 * GB, CONTENT_TYPES)

    response = upload(ann, bomb, "minutes.docx")

    assert_error(response, 413, "unpacked_too_large")
    assert documents_of(tenant_a, ann) == []
    assert files_under(media) == []


@pytest.mark.parametrize(("name", "code"), [("bomb.zip", "unsupported_type"), ("bomb.docx", "type_mismatch")])
def test_zip_bomb_that_is_no_office_file_is_an_unsupported_type(
    tenant_a: TenantInfo, ann: Person, media: Path, name: str, code: str
) -> None:
    response = upload(ann, zip_bomb("zeros.bin", 2 * GB), name)

    assert_error(response, 415, code)
    assert documents_of(tenant_a, ann) == []
    assert files_under(media) == []


def test_file_over_the_limit_is_413_naming_the_limit(
    tenant_a: TenantInfo, ann: Person, media: Path, settings: Any
) -> None:
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 2 * 1024 * 1024

    response = upload(ann, PDF_BYTES + bytes(2 * 1024 * 1024), "big.pdf")

    body = assert_error(response, 413, "too_large")
    assert "2 MB" in body["detail"]
    assert documents_of(tenant_a, ann) == []
    assert files_under(media) == []


def test_request_far_over_the_limit_is_413_before_it_is_parsed(
    tenant_a: TenantInfo, ann: Person, media: Path, settings: Any
) -> None:
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1000

    response = upload(ann, PDF_BYTES + bytes(500_000), "huge.pdf")

    assert_error(response, 413, "too_large")
    assert documents_of(tenant_a, ann) == []
    assert files_under(media) == []


def test_missing_file_field_is_400(tenant_a: TenantInfo, ann: Person, media: Path) -> None:
    response = upload(ann, None, room="")

    body = assert_error(response, 400)
    assert "file" in body.get("errors", {}) or "file" in body["detail"].lower()
    assert documents_of(tenant_a, ann) == []


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

NAMES = [
    # sent as, shown as
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\win.pdf", "win.pdf"),
    ("/etc/shadow.pdf", "shadow.pdf"),
    ("report\x00.pdf", "report.pdf"),
    ("evil\u202efdp.pdf", "evilfdp.pdf"),
    ("Quarterly résumé — 報告 🎉.pdf", "Quarterly résumé — 報告 🎉.pdf"),
    ("🎉🎉🎉.pdf", "🎉🎉🎉.pdf"),
]


@pytest.mark.parametrize(("sent", "shown"), NAMES, ids=[repr(case[0]) for case in NAMES])
def test_names_are_shown_cleaned_and_stored_under_the_tenant_prefix(
    tenant_a: TenantInfo, ann: Person, media: Path, sent: str, shown: str
) -> None:
    response = upload(ann, PDF_BYTES, sent)

    assert response.status_code == 201, response.content
    assert response.json()["name"] == shown
    (document,) = documents_of(tenant_a, ann)
    assert_stored_safely(tenant_a, document, media)


LONG_OR_BARE = [
    ("🎉", "🎉"),
    ("報" * 300 + ".pdf", "報" * 251 + ".pdf"),
    ("\U00020000" * 200 + ".pdf", "\U00020000" * 200 + ".pdf"),
    ("ก" * 250 + ".pdf", "ก" * 250 + ".pdf"),
]


@pytest.mark.parametrize(("sent", "shown"), LONG_OR_BARE, ids=["emoji only", "300 CJK", "200 astral CJK", "250 Thai"])
def test_names_with_no_safe_characters_or_too_many_bytes_are_stored(
    tenant_a: TenantInfo, ann: Person, media: Path, sent: str, shown: str
) -> None:
    """A stored name keeps letters, digits, `-`, `_` and `.` only: an emoji-only name has none
    left, and 250 Thai letters are 750 bytes where a file system allows 255 in a name."""
    content = PDF_BYTES if sent.endswith(".pdf") else b"party notes\n"

    response = upload(ann, content, sent)

    assert response.status_code == 201, response.content[:300]
    assert response.json()["name"] == shown
    (document,) = documents_of(tenant_a, ann)
    assert_stored_safely(tenant_a, document, media)


def assert_stored_safely(tenant: TenantInfo, document: Document, media: Path) -> None:
    key = str(document.file.name)
    parts = key.split("/")
    assert key.startswith(f"tenants/{tenant.schema}/documents/"), key
    assert len(parts) == 5 and all(part not in ("", ".", "..") for part in parts), key
    assert "\\" not in key and "\x00" not in key
    assert len(parts[-1].encode()) <= 255
    assert files_under(media) == [key]


def test_two_uploads_of_the_same_name_are_two_files(tenant_a: TenantInfo, ann: Person, media: Path) -> None:
    first = upload(ann, PDF_BYTES, "same.pdf")
    second = upload(ann, PDF_BYTES + b"%second\n", "same.pdf")

    assert (first.status_code, second.status_code) == (201, 201)
    assert len(files_under(media)) == 2
    downloads = [request(ann, "get", answer.json()["download_url"]) for answer in (first, second)]
    assert [b"".join(d.streaming_content) for d in downloads] == [PDF_BYTES, PDF_BYTES + b"%second\n"]


def test_accepted_office_file_is_typed_by_content(tenant_a: TenantInfo, ann: Person, media: Path) -> None:
    response = upload(ann, office_zip("docx"), "minutes")

    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# ---------------------------------------------------------------------------------------------
# Rate
# ---------------------------------------------------------------------------------------------


def test_uploads_per_person_are_limited_with_retry_after(
    tenant_a: TenantInfo, ann: Person, media: Path, settings: Any
) -> None:
    settings.DOCUMENTS_UPLOAD_RATE = "2/minute"
    bob = person(tenant_a)

    answers = [upload(ann, PDF_BYTES, f"r{n}.pdf").status_code for n in range(2)]
    throttled = upload(ann, PDF_BYTES, "r3.pdf")

    assert answers == [201, 201]
    assert_error(throttled, 429, "throttled")
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert len(documents_of(tenant_a, ann)) == 2
    # Another person is not held back by Ann's uploads.
    assert upload(bob, PDF_BYTES, "bob.pdf").status_code == 201


def test_refused_uploads_count_against_the_rate(tenant_a: TenantInfo, ann: Person, media: Path, settings: Any) -> None:
    """Probing with bad files is not free."""
    settings.DOCUMENTS_UPLOAD_RATE = "3/minute"

    statuses = [upload(ann, ELF_BYTES, f"x{n}.pdf").status_code for n in range(4)]

    assert statuses == [415, 415, 415, 429]


# ---------------------------------------------------------------------------------------------
# A request cut off mid-upload, against a real server
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def uploader(tenant_a: TenantInfo) -> Iterator[tuple[int, str]]:
    """A committed person of tenant A (the server is another process) and an access token."""
    email = f"upload-{uuid.uuid4().hex[:10]}@{tenant_a.client.slug}.test"

    def make() -> tuple[int, str]:
        from accounts.actions import do_create_user
        from accounts.tokens import mint_tokens

        with schema_context(tenant_a.schema):
            user = do_create_user(email=email, password=PASSWORD, name="Uploader")
            return user.pk, str(mint_tokens(user, tenant_a.client).access_token)

    made = committed(make)
    yield made

    def remove() -> None:
        with schema_context(tenant_a.schema):
            Document.objects.filter(uploader_id=made[0]).delete()
            User.objects.filter(pk=made[0]).delete()

    committed(remove)


def raw_post(server: DaphneProcess, host: str, token: str, body: bytes, declared: int) -> socket.socket:
    """Send a multipart POST whose Content-Length is `declared`, but only `body`, and leave the
    socket open."""
    head = (
        f"POST /api/documents/ HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {declared}\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(head + body)
    return sock


@pytest.mark.django_db
def test_upload_cut_off_mid_stream_leaves_nothing(
    tenant_a: TenantInfo,
    uploader: tuple[int, str],
    start_server: StartServer,
    tmp_path: Path,
) -> None:
    media = tmp_path / "server-media"
    media.mkdir()
    server = start_server("upload-cut", MEDIA_ROOT=str(media))
    user_id, token = uploader
    whole = form(PDF_BYTES + bytes(3_000_000), "cut.pdf")

    # when: half the body is sent, then the connection is dropped
    sock = raw_post(server, tenant_a.host, token, whole[: len(whole) // 2], declared=len(whole))
    time.sleep(1.0)
    sock.close()
    time.sleep(1.0)

    # then: no row, no file, and the server still serves a whole upload
    def rows() -> int:
        with schema_context(tenant_a.schema):
            return Document.objects.filter(uploader_id=user_id).count()

    assert committed(rows) == 0
    assert files_under(media) == []
    answer = complete_post(server, tenant_a.host, token)
    assert answer.startswith(b"HTTP/1.1 201"), answer[:500]
    assert committed(rows) == 1
    assert len(files_under(media)) == 1


def complete_post(server: DaphneProcess, host: str, token: str) -> bytes:
    whole = form(PDF_BYTES, "whole.pdf")
    sock = raw_post(server, host, token, whole, declared=len(whole))
    try:
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        return received
    finally:
        sock.close()
