"""Deleting a document in real Chromium against daphne and a real Celery worker: from the viewer
and from the list, with the confirmation dialog, the list following without a reload; refused
(409) while a message carries it, the dialog saying why; no control for a member who did not
upload it, and 403 from the API; and another workspace gets "not found" for the viewer, the
page and the file."""

from __future__ import annotations

import re
import subprocess

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, expect
from pytest_django import DjangoDbBlocker

from accounts.models import User
from chat.actions.sending import do_send_message
from chat.models import Room
from documents.models import Document
from tests.support.browser import LiveServer, save_screenshot
from tests.support.browser_chat import PHONE, contexts
from tests.support.browser_documents import ViewerScene, fetch, sign_in, upload_as
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.usefixtures("patient_expect")


ONE_PAGE = "simple1.pdf"


def test_delete_from_the_viewer_and_the_list_for_those_allowed(
    browser: Browser,
    live_server: LiveServer,
    celery_worker: subprocess.Popen[bytes],
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    viewer_scene: ViewerScene,
    django_db_blocker: DjangoDbBlocker,
) -> None:
    # given: two one-page PDFs Ann shared in the room with Bob, and a third a message of hers carries
    first = upload_as(django_db_blocker, tenant_a, viewer_scene.ann_email, ONE_PAGE, viewer_scene.room_id)
    second = upload_as(django_db_blocker, tenant_a, viewer_scene.ann_email, ONE_PAGE, viewer_scene.room_id)
    carried = upload_as(django_db_blocker, tenant_a, viewer_scene.ann_email, ONE_PAGE)
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        do_send_message(
            tenant=tenant_a.client,
            author=User.objects.get(email=viewer_scene.ann_email),
            room=Room.objects.get(pk=viewer_scene.room_id),
            body="The one-pager",
            attachments=[Document.objects.get(pk=carried)],
        )

    with contexts(browser, 3) as (ann_context, bob_context, gus_context):
        # then: Bob, a member who did not upload them, sees them drawn but no delete control...
        bob = sign_in(bob_context, live_server, tenant_a.host, viewer_scene.bob_email)
        bob.goto(live_server.url_for(tenant_a.host, f"/documents/{first}/"))
        expect(bob.locator("#page-1 canvas.pdf-canvas")).to_have_count(1)
        expect(bob.locator("#delete-btn")).to_have_count(0)
        bob.goto(live_server.url_for(tenant_a.host, "/documents/"))
        expect(bob.locator("#doc-list .doc-card")).to_have_count(3)
        expect(bob.locator(".doc-row-delete")).to_have_count(0)
        # ...and the API refuses him
        assert fetch(bob, f"/api/documents/{first}/", "DELETE")["status"] == 403

        # and Gus of globex finds neither the viewer nor the file at the same addresses on his host
        gus = sign_in(gus_context, live_server, tenant_b.host, viewer_scene.gus_email)
        answer = gus.goto(live_server.url_for(tenant_b.host, f"/documents/{first}/"))
        assert answer is not None and answer.status == 404
        expect(gus.locator("body")).not_to_contain_text(ONE_PAGE)
        assert fetch(gus, f"/api/documents/{first}/download/")["status"] == 404
        assert fetch(gus, f"/api/documents/{first}/pages/1/")["status"] == 404

        # when: Ann opens the first in the viewer and asks to delete it, then cancels
        ann = sign_in(ann_context, live_server, tenant_a.host, viewer_scene.ann_email)
        ann.goto(live_server.url_for(tenant_a.host, f"/documents/{first}/"))
        expect(ann.locator("#page-1 canvas.pdf-canvas")).to_have_count(1)
        ann.locator("#delete-btn").click()
        dialog = ann.locator("#doc-confirm")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(f"Delete “{ONE_PAGE}”?")
        save_screenshot(ann, "viewer-delete-confirm")
        dialog.get_by_role("button", name="Cancel").click()
        # then: nothing happened
        expect(dialog).to_be_hidden()
        assert fetch(ann, f"/api/documents/{first}/")["status"] == 200

        # when: she deletes it for real
        ann.locator("#delete-btn").click()
        dialog.get_by_role("button", name="Delete").click()
        # then: she lands on her list, which says so and holds only the other one
        expect(ann).to_have_url(re.compile(r"/documents/$"))
        expect(ann.locator("#docs-notice")).to_have_text(f"“{ONE_PAGE}” was deleted.")
        expect(ann.locator("#doc-list .doc-card")).to_have_count(2)
        expect(ann.locator(f"#document-{second}")).to_be_visible()
        assert fetch(ann, f"/api/documents/{first}/")["status"] == 404

        # when: she tries to delete the one a message carries
        ann.locator(f"#document-{carried}").get_by_role("button", name=f"Delete {ONE_PAGE}").click()
        dialog.get_by_role("button", name="Delete").click()
        # then: the dialog stays open and says why; cancelled, the document is still listed and there
        expect(dialog.locator("#doc-confirm-error")).to_have_text(
            "Messages still share this document. Delete those messages first."
        )
        expect(dialog.get_by_role("button", name="Delete")).to_be_enabled()
        save_screenshot(ann, "documents-list-delete-in-use")
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_be_hidden()
        expect(ann.locator(f"#document-{carried}")).to_be_visible()
        assert fetch(ann, f"/api/documents/{carried}/")["status"] == 200

        # when: the room and its message are gone, and she tries again, without reloading
        with django_db_blocker.unblock(), schema_context(tenant_a.schema):
            Room.objects.filter(pk=viewer_scene.room_id).delete()
        ann.evaluate("() => { window.notReloaded = true; }")
        ann.locator(f"#document-{carried}").get_by_role("button", name=f"Delete {ONE_PAGE}").click()
        dialog.get_by_role("button", name="Delete").click()
        # then: it leaves the list
        expect(dialog).to_be_hidden()
        expect(ann.locator(f"#document-{carried}")).to_have_count(0)
        expect(ann.locator("#doc-list .doc-card")).to_have_count(1)

        save_screenshot(ann, "documents-list-with-delete")
        ann.set_viewport_size(PHONE)
        save_screenshot(ann, "documents-list-with-delete-phone")

        # when: she deletes the second from the list
        ann.locator(f"#document-{second}").get_by_role("button", name=f"Delete {ONE_PAGE}").click()
        save_screenshot(ann, "documents-list-delete-confirm-phone")
        dialog.get_by_role("button", name="Delete").click()
        # then: it leaves the list without a reload, and the list says it is empty
        expect(ann.locator(f"#document-{second}")).to_have_count(0)
        expect(ann.get_by_role("heading", name="No documents yet")).to_be_visible()
        assert ann.evaluate("() => window.notReloaded === true")
        assert fetch(ann, f"/api/documents/{second}/")["status"] == 404
        save_screenshot(ann, "documents-list-after-delete-phone")
