"""Documents in real browsers against daphne and a real Celery worker: a person uploads a PDF into
a room, watches it being read, and shares it; the other person sees the card, finds a phrase of
page 3 through search and lands on that page in the viewer. Another workspace, and a person of
the same workspace outside the room, get 404 for the viewer's address."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize, expect
from pytest_django import DjangoDbBlocker

from accounts.models import User
from chat.actions import do_create_room
from chat.models import Room
from documents.actions.uploads import do_upload_document
from tests.support.browser import VIEWPORT, LiveServer, save_screenshot
from tests.support.browser_chat import PHONE, contexts, message, open_chat
from tests.support.browser_documents import remove_people
from tests.support.corpus import corpus_path
from tests.support.tenants import PASSWORD, TenantInfo

# 31 slides; "Strzalkowski" appears on page 3 and nowhere else.
SLIDES = "nonfree_nlp2004slides.pdf"
SLIDES_PAGES = 31
PAGE_3_WORD = "Strzalkowski"
ONE_PAGE = "simple1.pdf"
DESKTOP = ViewportSize(width=VIEWPORT["width"], height=VIEWPORT["height"])


@pytest.fixture(autouse=True)
def patient_expect() -> Iterator[None]:
    """A busy machine: 15 s for the page (Playwright's default is 5 s)."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


# The page fetches (Playwright's own client cannot resolve `*.localhost`; Chromium can).
FETCH = """async ([path, name]) => {
    const answer = await fetch(path, {credentials: "same-origin"});
    const disposition = answer.headers.get("content-disposition") || "";
    return {
        status: answer.status,
        attachment: disposition.startsWith("attachment"),
        named: disposition.includes(name),
        size: (await answer.arrayBuffer()).byteLength,
    };
}"""


def fetch(page: Page, path: str, name: str = SLIDES) -> dict[str, object]:
    result: dict[str, object] = page.evaluate(FETCH, [path, name])
    return result


@dataclass(frozen=True)
class DocScene:
    tag: str
    room_id: int
    room_name: str
    ann_email: str
    bob_email: str
    outsider_email: str
    globex_email: str


@pytest.fixture
def doc_scene(tenant_a: TenantInfo, tenant_b: TenantInfo, django_db_blocker: DjangoDbBlocker) -> Iterator[DocScene]:
    """Ann and Bob in a fresh private room of acme, Olga of acme outside it, Gus of globex; removed
    afterwards with the rooms, messages and documents they made (the server commits them)."""
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        with schema_context(tenant_a.schema):
            ann = User.objects.create_user(f"ann-{tag}@acme.test", PASSWORD, name=f"Ann {tag}")
            bob = User.objects.create_user(f"bob-{tag}@acme.test", PASSWORD, name=f"Bob {tag}")
            olga = User.objects.create_user(f"olga-{tag}@acme.test", PASSWORD, name=f"Olga {tag}")
            room = do_create_room(
                tenant=None, name=f"papers-{tag}", creator=ann, members=[bob], topic="Reading", kind=Room.Kind.PRIVATE
            )
        with schema_context(tenant_b.schema):
            gus = User.objects.create_user(f"gus-{tag}@globex.test", PASSWORD, name=f"Gus {tag}")
    yield DocScene(
        tag=tag,
        room_id=room.pk,
        room_name=room.name,
        ann_email=ann.email,
        bob_email=bob.email,
        outsider_email=olga.email,
        globex_email=gus.email,
    )
    remove_people(django_db_blocker, (tenant_a, [ann.pk, bob.pk, olga.pk]), (tenant_b, [gus.pk]))


def test_pdf_uploaded_into_a_room_is_read_shared_found_on_its_page_and_opened_in_the_viewer(
    browser: Browser,
    live_server: LiveServer,
    celery_worker: subprocess.Popen[bytes],
    tenant_a: TenantInfo,
    doc_scene: DocScene,
) -> None:
    with contexts(browser, 2) as (ann_context, bob_context):
        ann = open_chat(ann_context, live_server, tenant_a.host, doc_scene.ann_email, doc_scene.room_id)
        bob = open_chat(bob_context, live_server, tenant_a.host, doc_scene.bob_email, doc_scene.room_id)

        # when: Ann first picks a file of a kind that is not taken
        ann.locator("#attach-input").set_input_files(
            FilePayload(name="tool.bin", mimeType="application/octet-stream", buffer=bytes(range(256)) * 4)
        )
        # then: the tray says why, in the server's words, and the error can be dismissed
        refused = ann.locator("#upload-tray .upload-item.failed")
        expect(refused).to_contain_text("tool.bin")
        expect(refused.locator(".upload-error")).to_contain_text("are accepted")
        refused.get_by_role("button", name="Dismiss the error about tool.bin").click()
        expect(ann.locator("#upload-tray")).to_be_hidden()

        # when: Ann picks the PDF with the paperclip's file chooser
        ann.locator("#attach-input").set_input_files(corpus_path(SLIDES))

        # then: its card waits in the tray above the composer while the worker reads it
        card = ann.locator("#upload-tray .doc-card")
        expect(card).to_have_count(1)
        expect(card.locator(".doc-name")).to_have_text(SLIDES)
        expect(card).to_have_attribute("data-status", re.compile(r"^(pending|processing)$"))
        save_screenshot(ann, "documents-card-processing")
        # ...and becomes ready, with its pages counted, without reloading
        expect(card).to_have_attribute("data-status", "ready", timeout=90_000)
        expect(card.locator(".doc-badge")).to_have_text(f"Ready · {SLIDES_PAGES} pages")
        expect(card.locator(".doc-meta")).to_contain_text(f"PDF · 794 KB · {SLIDES_PAGES} pages")
        save_screenshot(ann, "documents-card-ready")
        ann.set_viewport_size(PHONE)
        expect(ann.locator("#sidebar")).to_be_hidden()  # folded into its drawer
        expect(card.locator(".doc-badge")).to_be_in_viewport()
        save_screenshot(ann, "documents-card-ready-phone")
        ann.set_viewport_size(DESKTOP)

        # when: Ann sends it with a few words
        box = ann.locator("#composer-input")
        box.fill("The slides from Thursday")
        box.press("Enter")

        # then: the tray empties, and both see the message carrying the card
        expect(ann.locator("#upload-tray .doc-card")).to_have_count(0)
        expect(ann.locator("#upload-tray")).to_be_hidden()
        for page in (ann, bob):
            shared = message(page, "The slides from Thursday").locator(".doc-card")
            expect(shared).to_have_count(1)
            expect(shared).to_have_attribute("data-status", "ready")
            expect(shared.locator(".doc-name")).to_have_text(SLIDES)
            expect(shared.locator(".doc-badge")).to_have_text(f"Ready · {SLIDES_PAGES} pages")
        viewer_path = message(bob, "The slides from Thursday").locator(".doc-name").get_attribute("href")
        assert viewer_path and re.fullmatch(r"/documents/\d+/", viewer_path), viewer_path

        # when: Bob searches a word that only page 3 holds
        search = bob.get_by_role("searchbox", name="Search messages")
        search.fill(PAGE_3_WORD)
        search.press("Enter")

        # then: the document is a hit on page 3, the word marked in the snippet
        hit = bob.locator(".search-results .result-document")
        expect(hit).to_have_count(1)
        expect(hit.locator(".result-doc-name")).to_have_text(SLIDES)
        expect(hit.locator(".result-page")).to_have_text("page 3")
        expect(hit.locator(".result-snippet mark").first).to_have_text(re.compile(PAGE_3_WORD, re.IGNORECASE))
        save_screenshot(bob, "documents-search-hit")

        # when: Bob opens the hit
        hit.click()

        # then: the viewer shows page 3 on screen, with the word marked
        expect(bob).to_have_url(re.compile(rf"{re.escape(viewer_path)}\?page=3"))
        expect(bob.locator("#viewer-title")).to_contain_text(re.compile(r"\S"))
        page_3 = bob.locator("#page-3")
        expect(page_3.locator("mark").first).to_have_text(PAGE_3_WORD)
        expect(page_3).to_have_class(re.compile(r"\btarget\b"))
        expect(page_3.locator("mark").first).to_be_in_viewport()
        expect(bob.locator("#page-2 mark")).to_have_count(0)
        # pages before and after it are there too, each with its number
        expect(bob.locator("#page-1 .doc-page-head")).to_contain_text("Page 1")
        expect(bob.locator("#page-4 .doc-page-head")).to_contain_text("Page 4")
        save_screenshot(bob, "documents-viewer")

        # on a phone the viewer fits the width: nothing to scroll sideways
        bob.set_viewport_size(PHONE)
        expect(page_3.locator("mark").first).to_be_visible()
        assert bob.locator("#scroller").evaluate("(el) => el.scrollWidth <= el.clientWidth")
        save_screenshot(bob, "documents-viewer-phone")
        bob.set_viewport_size(DESKTOP)

        # and the original comes down under its own name
        download_path = bob.locator("#download-btn").get_attribute("href")
        assert download_path
        assert fetch(bob, download_path) == {
            "status": 200,
            "attachment": True,
            "named": True,
            "size": corpus_path(SLIDES).stat().st_size,
        }

        # and the document is in Bob's list of documents, shared with him through the room
        bob.goto(live_server.url_for(tenant_a.host, "/documents/"))
        listed = bob.locator("#doc-list .doc-card")
        expect(listed).to_have_count(1)
        expect(listed.locator(".doc-name")).to_have_text(SLIDES)
        expect(listed.locator(".doc-badge")).to_have_text(f"Ready · {SLIDES_PAGES} pages")
        expect(bob.locator("#doc-list .doc-row-meta")).to_contain_text(f"Uploaded by Ann {doc_scene.tag}")
        save_screenshot(bob, "documents-list")

        # when: Bob uploads a PDF of his own from that page
        bob.locator("#upload-input").set_input_files(corpus_path(ONE_PAGE))
        # then: it joins the top of the list and is read there, live
        newest = bob.locator("#doc-list .doc-card").first
        expect(newest.locator(".doc-name")).to_have_text(ONE_PAGE)
        expect(newest).to_have_attribute("data-status", "ready", timeout=60_000)
        expect(newest.locator(".doc-badge")).to_have_text("Ready · 1 page")
        expect(bob.locator("#doc-list .doc-card")).to_have_count(2)
        expect(bob.locator("#upload-tray")).to_be_hidden()


def test_document_viewer_is_not_found_outside_the_room_and_in_another_workspace(
    browser: Browser,
    live_server: LiveServer,
    celery_worker: subprocess.Popen[bytes],
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    doc_scene: DocScene,
    django_db_blocker: DjangoDbBlocker,
) -> None:
    # given: a PDF Ann shared in her room with Bob
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        ann = User.objects.get(email=doc_scene.ann_email)
        upload = SimpleUploadedFile(ONE_PAGE, corpus_path(ONE_PAGE).read_bytes(), "application/pdf")
        room = Room.objects.get(pk=doc_scene.room_id)
        document = do_upload_document(tenant=tenant_a.client, uploader=ann, upload=upload, room=room)
    viewer_path = f"/documents/{document.pk}/"

    with contexts(browser, 3) as (bob_context, olga_context, gus_context):
        # then: Bob, in the room, opens it
        bob = open_chat(bob_context, live_server, tenant_a.host, doc_scene.bob_email, None)
        bob.goto(live_server.url_for(tenant_a.host, viewer_path))
        expect(bob.locator("#viewer-title")).to_have_text(re.compile(r"\S"))
        expect(bob.locator("#download-btn")).to_be_visible()
        expect(bob.locator("#page-1 :is(.textLayer, .doc-page-text)")).to_contain_text(re.compile(r"\S"))
        save_screenshot(bob, "documents-viewer-top")

        # but Olga, of the same workspace and outside the room, gets "not found"
        olga = open_chat(olga_context, live_server, tenant_a.host, doc_scene.outsider_email, None)
        answer = olga.goto(live_server.url_for(tenant_a.host, viewer_path))
        assert answer is not None and answer.status == 404
        expect(olga.get_by_role("heading", name="We can't find that page")).to_be_visible()
        assert fetch(olga, f"/api/documents/{document.pk}/download/")["status"] == 404
        # nor is it in her list of documents, which has none to show
        olga.goto(live_server.url_for(tenant_a.host, "/documents/"))
        expect(olga.get_by_role("heading", name="No documents yet")).to_be_visible()
        expect(olga.locator("#doc-list .doc-card")).to_have_count(0)
        save_screenshot(olga, "documents-list-empty")

        # and so does Gus of globex, at the same address on his workspace's host
        gus = open_chat(gus_context, live_server, tenant_b.host, doc_scene.globex_email, None)
        answer = gus.goto(live_server.url_for(tenant_b.host, viewer_path))
        assert answer is not None and answer.status == 404
        expect(gus.get_by_role("heading", name="We can't find that page")).to_be_visible()
        expect(gus.locator("body")).not_to_contain_text(ONE_PAGE)
        # his signed-in browser on Acme's host is a stranger there: sent to sign in, shown nothing
        gus.goto(live_server.url_for(tenant_a.host, viewer_path))
        expect(gus).to_have_url(re.compile(r"/login/"))
        expect(gus.locator("body")).not_to_contain_text(ONE_PAGE)


# Drops files on an element the way a browser does: dragenter, dragover, drop, one DataTransfer.
DRAG_FILE = """async ([selector, name, bytes, stage]) => {
    const target = document.querySelector(selector);
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], name, {type: "application/pdf"}));
    const types = stage === "hover" ? ["dragenter", "dragover"] : ["drop"];
    for (const type of types) {
        target.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
    }
}"""


def test_a_file_dropped_on_the_conversation_waits_in_the_tray_until_removed(
    browser: Browser,
    live_server: LiveServer,
    celery_worker: subprocess.Popen[bytes],
    tenant_a: TenantInfo,
    doc_scene: DocScene,
) -> None:
    with contexts(browser, 1) as (ann_context,):
        ann = open_chat(ann_context, live_server, tenant_a.host, doc_scene.ann_email, doc_scene.room_id)
        pdf = list(corpus_path(ONE_PAGE).read_bytes())

        # when: Ann drags a PDF over the conversation
        ann.evaluate(DRAG_FILE, ["#main", ONE_PAGE, pdf, "hover"])
        # then: the conversation says it will take it
        expect(ann.locator("#drop-overlay")).to_be_visible()
        expect(ann.locator("#drop-overlay")).to_contain_text("Drop files to share them here")

        # when: she drops it
        ann.evaluate(DRAG_FILE, ["#main", ONE_PAGE, pdf, "drop"])
        # then: it is uploaded into the tray and read there, and the overlay is gone
        expect(ann.locator("#drop-overlay")).to_be_hidden()
        card = ann.locator("#upload-tray .doc-card")
        expect(card.locator(".doc-name")).to_have_text(ONE_PAGE)
        expect(card).to_have_attribute("data-status", "ready", timeout=60_000)

        # when: she changes her mind and removes it from the message
        ann.get_by_role("button", name=f"Remove {ONE_PAGE}").click()
        # then: the tray is empty, Enter on the empty composer sends nothing, and focus is back in it
        expect(ann.locator("#upload-tray")).to_be_hidden()
        expect(ann.locator("#composer-input")).to_be_focused()
        ann.locator("#composer-input").press("Enter")
        expect(ann.locator("#message-list > li.msg")).to_have_count(0)
