"""One page of a document's text (`/api/documents/<id>/pages/<n>/`), the page numbers the text and
page endpoints refuse, and who is offered the delete control on the document pages. Two tenants
where crossing is possible.

Pages are written as extraction writes them (the test's transaction never commits, so no worker
runs)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.models import User
from documents.models import Document, DocumentPage
from tests.support.chat_api import Person, make_room, person
from tests.support.corpus import corpus_path
from tests.support.documents import upload
from tests.support.people import signed_in
from tests.support.people_api import assert_error
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


def uploaded(who: Person, **fields: str) -> dict[str, Any]:
    response = upload(who, corpus_path("simple1.pdf").read_bytes(), "report.pdf", **fields)
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def read_as(
    tenant: TenantInfo, document_id: int, texts: list[str], *, finished: bool = True, count: int | None = None
) -> None:
    """What extraction writes: one row per page; the document ready, or still reading `count` pages."""
    with schema_context(tenant.schema):
        DocumentPage.objects.bulk_create(
            [DocumentPage(document_id=document_id, number=n, text=text) for n, text in enumerate(texts, start=1)]
        )
        Document.objects.filter(pk=document_id).update(
            status=Document.Status.READY if finished else Document.Status.PROCESSING,
            page_count=count or len(texts),
            pages_done=len(texts),
        )


def test_a_page_answers_its_text_and_no_ocr_flag_when_the_page_has_none(tenant_a: TenantInfo) -> None:
    # given
    ann = person(tenant_a)
    document = uploaded(ann)
    read_as(tenant_a, document["id"], ["first page", "second page"])

    # when
    response = ann.get(f"/api/documents/{document['id']}/pages/2/")

    # then
    assert response.status_code == 200
    assert response.json() == {"number": 2, "text": "second page", "error": None, "ocr": False}


def test_a_page_read_by_ocr_says_so_on_both_endpoints(tenant_a: TenantInfo) -> None:
    # given: page 2 of 2 recognised in its image
    ann = person(tenant_a)
    document = uploaded(ann)
    read_as(tenant_a, document["id"], ["typed", "scanned"])
    with schema_context(tenant_a.schema):
        DocumentPage.objects.filter(document_id=document["id"], number=2).update(ocr=True)

    # then
    assert ann.get(f"/api/documents/{document['id']}/pages/2/").json()["ocr"] is True
    pages = ann.get(f"/api/documents/{document['id']}/text/").json()["pages"]
    assert [page["ocr"] for page in pages] == [False, True]


def test_a_page_past_the_end_is_not_found_in_words(tenant_a: TenantInfo) -> None:
    # given: a document of 3 pages
    ann = person(tenant_a)
    document = uploaded(ann)
    read_as(tenant_a, document["id"], ["a", "b", "c"])
    path = f"/api/documents/{document['id']}"

    # then: page 4 and page 9999, and the text from there
    for url in (f"{path}/pages/4/", f"{path}/pages/9999/", f"{path}/pages/{10**30}/"):
        body = assert_error(ann.get(url), 404, "page_not_found")
        assert "has 3 pages" in body["detail"]
    assert_error(ann.get(f"{path}/text/", {"from": 4}), 404, "page_not_found")
    # the last page itself is there
    assert ann.get(f"{path}/pages/3/").json()["text"] == "c"


def test_a_page_number_that_is_not_one_is_refused_in_words(tenant_a: TenantInfo) -> None:
    # given
    ann = person(tenant_a)
    document = uploaded(ann)
    read_as(tenant_a, document["id"], ["a"])
    path = f"/api/documents/{document['id']}"

    # then: 400 with a sentence, never a 500
    for raw in ("abc", "0", "-1", "1.5", "\u0661", "%20"):
        body = assert_error(ann.get(f"{path}/pages/{raw}/"), 400, "invalid")
        assert "page" in body["detail"].lower()
    assert_error(ann.get(f"{path}/text/", {"from": "abc"}), 400)
    # and the document id itself not a number: not found
    assert ann.get("/api/documents/abc/pages/1/").status_code == 404


def test_a_page_not_read_yet_says_so(tenant_a: TenantInfo) -> None:
    # given: 1 page of 5 read so far
    ann = person(tenant_a)
    document = uploaded(ann)
    read_as(tenant_a, document["id"], ["a"], finished=False, count=5)

    # then
    body = assert_error(ann.get(f"/api/documents/{document['id']}/pages/3/"), 404, "page_not_ready")
    assert "not been read yet" in body["detail"]
    assert_error(ann.get(f"/api/documents/{document['id']}/pages/6/"), 404, "page_not_found")


def test_pages_of_a_document_one_cannot_read_are_not_found_in_either_tenant(
    tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    # given: Ann's document, unshared
    ann, bob, carl = person(tenant_a), person(tenant_a), person(tenant_b)
    document = uploaded(ann)
    read_as(tenant_a, document["id"], ["secret words"])

    # then: Bob of the same workspace and Carl of another get 404, nothing of the page
    for who in (bob, carl):
        for number in ("1", "2", "abc"):
            response = who.get(f"/api/documents/{document['id']}/pages/{number}/")
            assert response.status_code == 404, (who.user.email, number, response.content)
            assert b"secret" not in response.content


# -- who is offered the delete control ------------------------------------------------------------


def page_config(browser: HttpClient, path: str) -> dict[str, Any]:
    response = browser.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<script id="documents-config" type="application/json">') + len(
        '<script id="documents-config" type="application/json">'
    )
    config: dict[str, Any] = json.loads(html[start : html.index("</script>", start)])
    return config


def test_the_viewer_offers_delete_to_the_uploader_and_admins_only(tenant_a: TenantInfo) -> None:
    # given: Ann's document shared in a room with Bob (a member) and Ada (an admin)
    ann, bob = person(tenant_a), person(tenant_a)
    ada = person(tenant_a, role=User.Role.ADMIN)
    room = make_room(tenant_a, ann, members=(bob, ada))
    document = uploaded(ann, room=str(room.pk))
    viewer = f"/documents/{document['id']}/"

    # then: the uploader and the admin see the control, Bob does not (and the API refuses him)
    for who, allowed in ((ann, True), (ada, True), (bob, False)):
        browser = signed_in(tenant_a, who.user.email)
        assert page_config(browser, viewer)["can_delete"] is allowed
        assert ('id="delete-btn"' in browser.get(viewer).content.decode()) is allowed
    assert_error(bob.delete(f"/api/documents/{document['id']}/"), 403)
    # and on the list, admins may delete anyone's, members their own
    assert page_config(signed_in(tenant_a, ada.user.email), "/documents/")["delete_any"] is True
    assert page_config(signed_in(tenant_a, bob.user.email), "/documents/")["delete_any"] is False


def test_the_viewer_of_a_pdf_carries_the_vendored_pdfjs_and_others_do_not(tenant_a: TenantInfo) -> None:
    # given
    ann = person(tenant_a)
    pdf = uploaded(ann)
    text = upload(ann, b"plain words\n", "notes.txt")
    assert text.status_code == 201, text.content
    browser = signed_in(tenant_a, ann.user.email)

    # then: a PDF's page names pdf.js, its worker, character maps and fonts from static files
    html = browser.get(f"/documents/{pdf['id']}/").content.decode()
    for asset in ("build/pdf.min.mjs", "build/pdf.worker.min.mjs", "cmaps/", "standard_fonts/"):
        assert f"/static/vendor/pdfjs-dist/{asset}" in html
    assert "cdn" not in html.lower()
    # and a text file's page shows its text only
    assert 'id="pdf-assets"' not in browser.get(f"/documents/{text.json()['id']}/").content.decode()
