"""The document API: upload, read, download, list, share in messages, search and delete, and who
may do each. Two tenants everywhere crossing is possible.

Extraction itself runs on Celery (tests/documents/test_pipeline.py); here the tasks are not sent
(the test's transaction never commits) and pages are written as extraction would write them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.test.client import encode_multipart
from django_tenants.utils import schema_context

from chat.models import Room
from documents.models import Document, DocumentPage, MessageAttachment
from tests.support.chat_api import Person, make_room, person, unique
from tests.support.corpus import corpus_path
from tests.support.people_api import assert_error
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db

BOUNDARY = "documents-test-boundary"


def upload(who: Person, content: bytes, name: str, **fields: Any) -> Any:
    """POST /api/documents/ as multipart, the way a browser sends a file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream"), **fields}
    return who.api.http.post(
        "/api/documents/",
        encode_multipart(BOUNDARY, data),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **who.api.headers,
    )


def pdf_bytes() -> bytes:
    return corpus_path("simple1.pdf").read_bytes()


def uploaded(who: Person, name: str = "report.pdf", **fields: Any) -> dict[str, Any]:
    response = upload(who, pdf_bytes(), name, **fields)
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def write_pages(tenant: TenantInfo, document_id: int, texts: list[str]) -> None:
    """What extraction writes: one row per page, then the document ready."""
    with schema_context(tenant.schema):
        DocumentPage.objects.bulk_create(
            [DocumentPage(document_id=document_id, number=n, text=text) for n, text in enumerate(texts, start=1)]
        )
        Document.objects.filter(pk=document_id).update(
            status=Document.Status.READY, page_count=len(texts), pages_done=len(texts)
        )


def send(who: Person, room: Room, body: str = "", attachments: list[int] | None = None) -> Any:
    return who.post(f"/api/rooms/{room.pk}/messages/", {"body": body, "attachments": attachments or []})


def word() -> str:
    return "zq" + unique("")[1:].replace("-", "") + "x"


# -- upload and reading ----------------------------------------------------------------------


def test_upload_answers_the_document_stored_under_the_tenant_prefix(tenant_a: TenantInfo) -> None:
    # given
    ann = person(tenant_a)

    # when
    document = uploaded(ann, "Quarterly report — Ünïcödé 報告.pdf")

    # then
    assert document["status"] == "pending"
    assert document["name"] == "Quarterly report — Ünïcödé 報告.pdf"
    assert document["content_type"] == "application/pdf"
    assert document["size"] == len(pdf_bytes())
    assert document["uploader"] == {"id": ann.id, "name": ann.user.get_full_name()}
    assert document["error"] is None and document["pages"] is None
    assert document["url"] == f"/documents/{document['id']}/"
    assert document["download_url"] == f"/api/documents/{document['id']}/download/"
    with schema_context(tenant_a.schema):
        stored = Document.objects.get(pk=document["id"]).file.name
    assert stored.startswith(f"tenants/{tenant_a.schema}/documents/")
    assert ".." not in stored
    assert ann.get(f"/api/documents/{document['id']}/").json() == document


def test_download_gives_the_original_as_an_attachment_for_this_viewer_only(tenant_a: TenantInfo) -> None:
    # given
    ann = person(tenant_a)
    document = uploaded(ann, "naïve plan.pdf")

    # when
    response = ann.get(document["download_url"])

    # then
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('naïve plan.pdf')}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    assert "sandbox" in response["Content-Security-Policy"]


def test_text_comes_page_by_page(tenant_a: TenantInfo) -> None:
    # given
    ann = person(tenant_a)
    document = uploaded(ann)
    write_pages(tenant_a, document["id"], [f"text of page {n}" for n in range(1, 6)])

    # when
    first = ann.get(f"/api/documents/{document['id']}/text/", {"limit": 2}).json()
    rest = ann.get(f"/api/documents/{document['id']}/text/", {"from": first["next_from"], "limit": 10}).json()

    # then
    assert [p["number"] for p in first["pages"]] == [1, 2]
    assert first["pages"][0] == {"number": 1, "text": "text of page 1", "error": None, "ocr": False}
    assert first["next_from"] == 3 and first["status"] == "ready"
    assert [p["number"] for p in rest["pages"]] == [3, 4, 5] and rest["next_from"] is None
    assert_error(ann.get(f"/api/documents/{document['id']}/text/", {"from": 0}), 400)


def test_list_pages_newest_first_and_keeps_to_a_room(tenant_a: TenantInfo) -> None:
    # given
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    mine = [uploaded(ann)["id"] for _ in range(3)]
    in_room = uploaded(ann, room=room.pk)["id"]

    # when
    first = ann.get("/api/documents/", {"limit": 2}).json()
    second = ann.get("/api/documents/", {"limit": 10, "before": first["next_before"]}).json()
    only_room = ann.get("/api/documents/", {"room": room.pk}).json()

    # then
    listed = [d["id"] for d in first["results"] + second["results"]]
    assert listed == [in_room, *reversed(mine)]
    assert second["next_before"] is None
    assert [d["id"] for d in only_room["results"]] == [in_room]


# -- who may read ---------------------------------------------------------------------------


def test_a_document_is_private_to_its_uploader_until_shared(tenant_a: TenantInfo) -> None:
    # given
    ann, bob = person(tenant_a), person(tenant_a)
    document = uploaded(ann)
    path = f"/api/documents/{document['id']}/"

    # then: a colleague sees nothing of it
    for url in (path, f"{path}text/", f"{path}download/"):
        assert_error(bob.get(url), 404, "not_found")
    assert document["id"] not in [d["id"] for d in bob.get("/api/documents/").json()["results"]]


def test_sharing_in_a_room_lets_its_readers_read_until_the_message_is_deleted(tenant_a: TenantInfo) -> None:
    # given
    ann, bob, outsider = person(tenant_a), person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE, members=(bob,))
    document = uploaded(ann)

    # when: a message carries it
    sent = send(ann, room, "the plan", [document["id"]])

    # then: the room's members read it; others still do not
    assert sent.status_code == 201, sent.content
    assert [d["id"] for d in sent.json()["attachments"]] == [document["id"]]
    assert sent.json()["attachments"][0]["name"] == "report.pdf"
    assert bob.get(f"/api/documents/{document['id']}/").status_code == 200
    assert bob.get(f"/api/documents/{document['id']}/download/").status_code == 200
    history = bob.get(f"/api/rooms/{room.pk}/messages/").json()["results"]
    assert history[0]["attachments"][0]["id"] == document["id"]
    assert_error(outsider.get(f"/api/documents/{document['id']}/"), 404)

    # when: the message is deleted
    deleted = ann.delete(f"/api/messages/{sent.json()['id']}/")

    # then: the document stays, its uploader's, and the room's readers lose it
    assert deleted.status_code == 200 and deleted.json()["attachments"] == []
    assert ann.get(f"/api/documents/{document['id']}/").status_code == 200
    assert_error(bob.get(f"/api/documents/{document['id']}/"), 404)


def test_deleting_one_message_keeps_the_document_that_another_still_carries(tenant_a: TenantInfo) -> None:
    # given: the same document in two rooms
    ann, bob = person(tenant_a), person(tenant_a)
    first, second = make_room(tenant_a, ann, members=(bob,)), make_room(tenant_a, ann, members=(bob,))
    document = uploaded(ann)
    one = send(ann, first, "", [document["id"]]).json()
    bobs = send(bob, second, "forwarding", [document["id"]]).json()

    # when
    ann.delete(f"/api/messages/{one['id']}/")

    # then
    assert bob.get(f"/api/documents/{document['id']}/").status_code == 200
    assert bob.get(f"/api/messages/{bobs['id']}/").json()["attachments"][0]["id"] == document["id"]
    assert_error(ann.delete(f"/api/documents/{document['id']}/"), 409, "in_use")


def test_a_message_may_carry_only_documents_its_author_can_read(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob,))
    bobs_private = uploaded(bob)
    carl = person(tenant_b)
    carls = uploaded(carl)

    # then: a colleague's unshared document, another tenant's, and nonsense are refused; nothing is sent
    for attachments in ([bobs_private["id"]], [carls["id"]], [10**12]):
        assert_error(send(ann, room, "look", attachments), 404)
    assert_error(send(ann, room, "", []), 400)
    too_many = [uploaded(ann)["id"] for _ in range(11)]
    assert_error(send(ann, room, "", too_many), 400)
    assert ann.get(f"/api/rooms/{room.pk}/messages/").json()["results"] == []


def test_another_tenant_cannot_reach_a_document_by_id_path_list_search_or_message(
    tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    # given: Acme's document, shared in Acme's public room, with searchable text
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    document = uploaded(ann)
    send(ann, room, "", [document["id"]])
    w = word()
    write_pages(tenant_a, document["id"], [f"secret {w} plans"])
    with schema_context(tenant_a.schema):
        stored = Document.objects.get(pk=document["id"]).file.name

    # when: Globex's people try everything with Acme's ids (Globex has its own document with the same id too)
    carl = person(tenant_b)
    own = uploaded(carl)
    path = f"/api/documents/{document['id']}/"

    # then
    if own["id"] != document["id"]:
        for url in (path, f"{path}text/", f"{path}download/"):
            assert_error(carl.get(url), 404)
    assert carl.get("/api/search/", {"q": w}).json()["results"] == []
    assert [d["id"] for d in carl.get("/api/documents/").json()["results"]] == [own["id"]]
    assert carl.get(f"/media/{stored}").status_code == 404
    assert carl.get(f"/{stored}").status_code == 404
    assert_error(carl.get("/api/documents/", {"room": room.pk}), 404)
    assert ann.get("/api/search/", {"q": w}).json()["results"][0]["document"]["id"] == document["id"]


# -- search ------------------------------------------------------------------------------------


def test_search_finds_document_pages_with_their_number_and_a_safe_snippet(tenant_a: TenantInfo) -> None:
    # given
    ann = person(tenant_a)
    document = uploaded(ann)
    w = word()
    write_pages(tenant_a, document["id"], ["cover", "nothing here", f"the {w} clause <script>x</script> & more"])

    # when
    response = ann.get("/api/search/", {"q": w})

    # then
    assert response.status_code == 200
    (hit,) = response.json()["results"]
    assert hit["type"] == "document" and hit["page"] == 3
    assert hit["document"]["id"] == document["id"] and hit["rank"] > 0
    assert f"<mark>{w}</mark>" in hit["snippet"]
    # ts_headline drops tags; what is left is escaped.
    assert "<script" not in hit["snippet"] and "&amp; more" in hit["snippet"]


def test_search_merges_messages_and_pages_and_pages_through_both(tenant_a: TenantInfo) -> None:
    # given: 5 messages and 5 pages with the word
    ann = person(tenant_a)
    room = make_room(tenant_a, ann)
    w = word()
    for n in range(5):
        send(ann, room, f"message {n} about {w}")
    document = uploaded(ann)
    write_pages(tenant_a, document["id"], [f"page {n} about {w}" for n in range(5)])

    # when: pages of 3
    seen: list[tuple[str, int]] = []
    cursor = ""
    for _ in range(10):
        body = ann.get("/api/search/", {"q": w, "limit": 3, "cursor": cursor}).json()
        seen += [
            ("message", r["message"]["id"]) if r["type"] == "message" else ("page", r["page"]) for r in body["results"]
        ]
        ranks = [r["rank"] for r in body["results"]]
        assert ranks == sorted(ranks, reverse=True)
        if body["next"] is None:
            break
        cursor = body["next"]

    # then: every hit once
    assert len(seen) == 10 and len(set(seen)) == 10
    assert {kind for kind, _ in seen} == {"message", "page"}
    only = ann.get("/api/search/", {"q": w, "type": "documents", "limit": 50}).json()["results"]
    assert sorted(r["page"] for r in only) == [1, 2, 3, 4, 5]
    assert_error(ann.get("/api/search/", {"q": w, "cursor": "bm90LWEtY3Vyc29y"}), 400)
    assert_error(ann.get("/api/search/", {"q": w, "type": "files"}), 400)


def test_search_keeps_to_documents_shared_in_the_room_asked_for(tenant_a: TenantInfo) -> None:
    # given
    ann = person(tenant_a)
    here, there = make_room(tenant_a, ann), make_room(tenant_a, ann)
    w = word()
    shared_here, shared_there = uploaded(ann), uploaded(ann)
    send(ann, here, "", [shared_here["id"]])
    send(ann, there, "", [shared_there["id"]])
    write_pages(tenant_a, shared_here["id"], [f"{w} here"])
    write_pages(tenant_a, shared_there["id"], [f"{w} there"])

    # when
    results = ann.get("/api/search/", {"q": w, "room": here.pk}).json()["results"]

    # then
    assert [r["document"]["id"] for r in results] == [shared_here["id"]]


# -- delete ------------------------------------------------------------------------------------


def test_the_uploader_deletes_a_document_no_message_carries(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, ann, members=(bob,))
    document = uploaded(ann, room=room.pk)
    with schema_context(tenant_a.schema):
        stored = Document.objects.get(pk=document["id"]).file.name
    assert default_storage.exists(stored)

    # then: not by a colleague who can read it
    assert_error(bob.delete(f"/api/documents/{document['id']}/"), 403)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = ann.delete(f"/api/documents/{document['id']}/")

    # then
    assert response.status_code == 204
    assert_error(ann.get(f"/api/documents/{document['id']}/"), 404)
    with schema_context(tenant_a.schema):
        assert not DocumentPage.objects.filter(document_id=document["id"]).exists()
        assert not MessageAttachment.objects.filter(document_id=document["id"]).exists()


def test_uploading_to_a_room_needs_the_right_to_post_there(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given
    ann, bob = person(tenant_a), person(tenant_a)
    private = make_room(tenant_a, ann, kind=Room.Kind.PRIVATE)
    public = make_room(tenant_a, ann)
    carl = person(tenant_b)

    # then
    assert_error(upload(bob, pdf_bytes(), "x.pdf", room=private.pk), 404)
    assert_error(upload(bob, pdf_bytes(), "x.pdf", room=public.pk), 403, "not_a_member")
    assert_error(upload(carl, pdf_bytes(), "x.pdf", room=public.pk), 404)
    with schema_context(tenant_a.schema):
        assert not Document.objects.filter(uploader=bob.user).exists()
