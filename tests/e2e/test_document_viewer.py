"""The document viewer draws the PDF itself, in real Chromium against daphne and a real Celery
worker: pages on canvases as they come into view with pdf.js's text layer over them, the words of
a search marked on the right page, OCR pages marked, zoom, the page box, find, download, at
desktop and phone sizes; and a PDF that cannot be drawn says why and falls back to its text.
Deleting, and another workspace, are in test_document_delete.py."""

from __future__ import annotations

import re
import subprocess

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, Route, expect
from pytest_django import DjangoDbBlocker

from documents.models import Document, DocumentPage
from tests.support.browser import LiveServer, save_screenshot
from tests.support.browser_chat import PHONE, contexts
from tests.support.browser_documents import ViewerScene, fetch, sign_in, upload_as
from tests.support.corpus import corpus_path
from tests.support.tenants import TenantInfo
from tests.support.waiting import wait_for

pytestmark = pytest.mark.usefixtures("patient_expect")


# 31 slides; "Strzalkowski" appears on page 3 and nowhere else.
SLIDES = "nonfree_nlp2004slides.pdf"
SLIDES_PAGES = 31
PAGE_3_WORD = "Strzalkowski"
PROTECTED = "encryption_aes-256.pdf"


def wait_for_size(page: Page, selector: str, size: str, compare: str, value: float) -> None:
    """Until `size` (a JS expression of `el`) of the element compares so with `value`."""
    page.wait_for_function(
        f"([selector, value]) => {{ const el = document.querySelector(selector);"
        f" return !!el && ({size}) {compare} value; }}",
        arg=[selector, value],
    )


def sheet_width(page: Page, number: int) -> float:
    box = page.locator(f"#page-{number} .pdf-sheet").bounding_box()
    assert box is not None
    return box["width"]


def test_pdf_is_drawn_lazily_with_its_text_the_search_marked_zoom_and_page_jump(
    browser: Browser,
    live_server: LiveServer,
    celery_worker: subprocess.Popen[bytes],
    tenant_a: TenantInfo,
    viewer_scene: ViewerScene,
    django_db_blocker: DjangoDbBlocker,
) -> None:
    # given: the slides, shared by Ann in the room, read by the worker
    document_id = upload_as(django_db_blocker, tenant_a, viewer_scene.ann_email, SLIDES, viewer_scene.room_id)
    viewer = f"/documents/{document_id}/"
    # and say its page 3 had been read by OCR (the slides have a text layer; a scan's pages would)
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        status = wait_for(lambda: Document.objects.get(pk=document_id).status, Document.Status.READY, timeout=120)
        assert status == Document.Status.READY
        DocumentPage.objects.filter(document_id=document_id, number=3).update(ocr=True)

    with contexts(browser, 1) as (bob_context,):
        bob = sign_in(bob_context, live_server, tenant_a.host, viewer_scene.bob_email)

        # when: Bob opens the viewer from a search hit on page 3
        bob.goto(live_server.url_for(tenant_a.host, f"{viewer}?q={PAGE_3_WORD}&page=3"))

        # then: the toolbar says where he is, page 3 is drawn with its text over it and the word marked
        expect(bob.locator("#viewer-toolbar")).to_be_visible()
        expect(bob.locator("#page-total")).to_have_text(f"of {SLIDES_PAGES}")
        expect(bob.locator("#pdf-loading")).to_be_hidden()
        page_3 = bob.locator("#page-3")
        expect(page_3.locator("canvas.pdf-canvas")).to_have_count(1)
        expect(page_3.locator(".textLayer")).to_contain_text(PAGE_3_WORD)
        hit = page_3.locator(".textLayer mark.hit").first
        expect(hit).to_have_text(re.compile(PAGE_3_WORD, re.IGNORECASE))
        expect(page_3.locator("mark.current")).to_be_in_viewport()
        expect(bob.locator("#find-count")).to_have_text(re.compile(r"^1 of \d+$"))
        expect(bob.locator("#page-input")).to_have_value("3")
        expect(bob.locator("#page-2 mark.hit")).to_have_count(0)
        # page 3 says its text came from OCR, its neighbours do not
        expect(page_3.locator(".pdf-page-head .ocr-marker")).to_have_text("OCR text")
        expect(bob.locator("#page-2 .ocr-marker, #page-4 .ocr-marker")).to_have_count(0)
        page_3.locator(".pdf-page-head").evaluate("(head) => head.scrollIntoView({block: 'center'})")
        save_screenshot(bob, "viewer-pdf-ocr-marker")
        # only the pages near the screen hold a canvas, not all 31
        drawn = bob.locator("canvas.pdf-canvas").count()
        assert 1 <= drawn < 12, drawn
        # the text layer's text can be selected
        selected = page_3.locator(".textLayer").evaluate(
            """(layer) => { const range = document.createRange(); range.selectNodeContents(layer);
                getSelection().removeAllRanges(); getSelection().addRange(range); return getSelection().toString(); }"""
        )
        assert PAGE_3_WORD in selected
        bob.evaluate("() => getSelection().removeAllRanges()")
        save_screenshot(bob, "viewer-pdf-search-hit")

        # when: he zooms in with the button, then out twice with the keyboard
        fitted = sheet_width(bob, 3)
        fitted_canvas = int(page_3.locator("canvas").get_attribute("width") or 0)
        bob.locator("#zoom-in").click()
        # then: the page grows, and is drawn again at its new size
        expect(bob.locator("#zoom-fit")).to_have_attribute("aria-pressed", "false")
        wait_for_size(bob, "#page-3 .pdf-sheet", "el.getBoundingClientRect().width", ">", fitted)
        wait_for_size(bob, "#page-3 canvas", "el.width", ">", fitted_canvas)
        bob.locator("body").press("-")
        bob.locator("body").press("-")
        wait_for_size(bob, "#page-3 .pdf-sheet", "el.getBoundingClientRect().width", "<", fitted)
        save_screenshot(bob, "viewer-pdf-zoomed-out")
        # and Fit width brings it back to the width of the column
        bob.locator("#zoom-fit").click()
        wait_for_size(bob, "#page-3 .pdf-sheet", f"Math.abs(el.getBoundingClientRect().width - {fitted})", "<", 1.5)

        # when: he asks for page 9999
        scrolled = bob.locator("#scroller").evaluate("(el) => el.scrollTop")
        bob.locator("#page-input").fill("9999")
        bob.locator("#page-input").press("Enter")
        # then: a clear message beside the box, and the document stays where it was
        expect(bob.locator("#page-message")).to_have_text(
            f"There is no page 9999: this document has {SLIDES_PAGES} pages."
        )
        expect(bob.locator("#page-input")).to_have_attribute("aria-invalid", "true")
        assert bob.locator("#scroller").evaluate("(el) => el.scrollTop") == scrolled
        save_screenshot(bob, "viewer-pdf-page-refused")
        # and a word is refused the same way
        bob.locator("#page-input").fill("ten")
        bob.locator("#page-input").press("Enter")
        expect(bob.locator("#page-message")).to_have_text("“ten” is not a page number.")

        # when: he asks for page 20
        bob.locator("#page-input").fill("20")
        bob.locator("#page-input").press("Enter")
        # then: page 20 is on screen and drawn, the message gone
        expect(bob.locator("#page-message")).to_be_hidden()
        expect(bob.locator("#page-20 canvas.pdf-canvas")).to_have_count(1)
        expect(bob.locator("#page-20 .pdf-sheet")).to_be_in_viewport()
        assert bob.locator("canvas.pdf-canvas").count() < 16

        # when: back on page 1, he looks for another word in the toolbar's box, and steps through its hits
        bob.locator("#page-input").fill("1")
        bob.locator("#page-input").press("Enter")
        expect(bob.locator("#page-1 .pdf-sheet")).to_be_in_viewport()
        find = bob.locator("#find-input")
        find.fill("location")
        find.press("Enter")
        count = bob.locator("#find-count")
        expect(count).to_have_text(re.compile(r"^1 of (\d+)$"))
        total = int(re.fullmatch(r"1 of (\d+)", count.inner_text() or "")[1])  # type: ignore[index]
        assert total >= 2
        bob.locator("#find-next").click()
        expect(count).to_have_text(f"2 of {total}")
        expect(bob.locator("mark.hit.current")).to_be_in_viewport()
        bob.locator("#find-prev").click()
        bob.locator("#find-prev").click()
        expect(count).to_have_text(f"{total} of {total}")
        expect(bob.locator("mark.hit.current")).to_have_count(1)
        expect(bob.locator("mark.hit.current")).to_have_text(re.compile("location", re.IGNORECASE))
        save_screenshot(bob, "viewer-pdf-find")

        # and the download link answers the original file
        href = bob.locator("#download-btn").get_attribute("href")
        assert href
        assert fetch(bob, href) == {"status": 200, "size": corpus_path(SLIDES).stat().st_size}

        # on a phone: the toolbar wraps, the page fits the width, nothing scrolls sideways
        bob.set_viewport_size(PHONE)
        bob.goto(live_server.url_for(tenant_a.host, f"{viewer}?q={PAGE_3_WORD}&page=3"))
        expect(bob.locator("#page-3 .textLayer mark.current")).to_be_in_viewport()
        expect(bob.locator("#viewer-toolbar")).to_be_visible()
        assert sheet_width(bob, 3) <= PHONE["width"]
        assert bob.locator("#scroller").evaluate("(el) => el.scrollWidth <= el.clientWidth")
        for control in ("#page-input", "#zoom-in", "#zoom-fit", "#find-input", "#find-next"):
            box = bob.locator(control).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], control
        save_screenshot(bob, "viewer-pdf-phone")
        bob.locator("#viewer-toolbar").evaluate("(el) => el.scrollIntoView()")
        bob.locator("#scroller").evaluate("(el) => el.scrollTo(0, 0)")
        save_screenshot(bob, "viewer-pdf-phone-top")
        # and in the dark theme the toolbar follows the brand's dark colours, the paper stays white
        bob.emulate_media(color_scheme="dark")
        bob.set_viewport_size({"width": 1280, "height": 800})
        save_screenshot(bob, "viewer-pdf-dark")


def test_a_protected_pdf_says_so_and_shows_what_was_read(
    browser: Browser,
    live_server: LiveServer,
    celery_worker: subprocess.Popen[bytes],
    tenant_a: TenantInfo,
    viewer_scene: ViewerScene,
    django_db_blocker: DjangoDbBlocker,
) -> None:
    # given: a PDF protected by a password, which the worker cannot read either
    document_id = upload_as(django_db_blocker, tenant_a, viewer_scene.ann_email, PROTECTED)

    with contexts(browser, 1) as (ann_context,):
        ann = sign_in(ann_context, live_server, tenant_a.host, viewer_scene.ann_email)

        # when: she opens it, the file held back on its way for a moment
        held: list[Route] = []
        ann.route("**/download/", lambda route: held.append(route))
        ann.goto(live_server.url_for(tenant_a.host, f"/documents/{document_id}/"))

        # then: while the file comes, the viewer says it is loading
        expect(ann.locator("#pdf-loading")).to_contain_text("Loading the PDF")
        expect(ann.locator("#pdf-loading progress")).to_be_visible()
        save_screenshot(ann, "viewer-pdf-loading")
        for _ in range(100):  # lets the held request reach the handler (slower on a busy machine)
            if held:
                break
            ann.wait_for_timeout(100)
        assert held, "the viewer did not ask for the file"
        held[0].continue_()

        # and once it has come: why the pages cannot be shown; nothing drawn; the text's status instead
        expect(ann.locator("#pdf-error")).to_contain_text("protected by a password")
        expect(ann.locator("#viewer-toolbar")).to_be_hidden()
        expect(ann.locator("canvas")).to_have_count(0)
        expect(ann.locator("#viewer-status")).to_contain_text("protected by a password", timeout=60_000)
        expect(ann.locator("#download-btn")).to_be_visible()
        save_screenshot(ann, "viewer-pdf-protected")
