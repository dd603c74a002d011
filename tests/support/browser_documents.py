"""The document pages in a browser: a scene of two people of acme sharing a room and one of
globex, documents uploaded as the API does it (and read by the test worker), and the page's own
fetch for what Playwright's client cannot reach (`*.localhost`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django import DjangoDbBlocker

from accounts.models import User
from chat.actions import do_create_room
from chat.models import Room
from documents.actions.uploads import do_delete_document, do_upload_document
from documents.models import Document
from tests.support.browser import LiveServer
from tests.support.corpus import corpus_path
from tests.support.tenants import PASSWORD, TenantInfo

# The page fetches (Playwright's own client cannot resolve `*.localhost`; Chromium can).
FETCH = """async ([method, path]) => {
    const token = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
    const answer = await fetch(path, {method, credentials: "same-origin", headers: {"X-CSRFToken": token}});
    return {status: answer.status, size: (await answer.arrayBuffer()).byteLength};
}"""


def fetch(page: Page, path: str, method: str = "GET") -> dict[str, int]:
    result: dict[str, int] = page.evaluate(FETCH, [method, path])
    return result


@dataclass(frozen=True)
class ViewerScene:
    tag: str
    room_id: int
    ann_email: str
    bob_email: str
    gus_email: str


@contextmanager
def viewer_scene_made(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_db_blocker: DjangoDbBlocker
) -> Iterator[ViewerScene]:
    """Ann and Bob (members both) in a fresh private room of acme, Gus of globex; removed afterwards
    with what they made (the server commits it)."""
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        with schema_context(tenant_a.schema):
            ann = User.objects.create_user(f"ann-{tag}@acme.test", PASSWORD, name=f"Ann {tag}")
            bob = User.objects.create_user(f"bob-{tag}@acme.test", PASSWORD, name=f"Bob {tag}")
            room = do_create_room(
                tenant=None, name=f"viewer-{tag}", creator=ann, members=[bob], topic="", kind=Room.Kind.PRIVATE
            )
        with schema_context(tenant_b.schema):
            gus = User.objects.create_user(f"gus-{tag}@globex.test", PASSWORD, name=f"Gus {tag}")
    try:
        yield ViewerScene(tag=tag, room_id=room.pk, ann_email=ann.email, bob_email=bob.email, gus_email=gus.email)
    finally:
        remove_people(django_db_blocker, (tenant_a, [ann.pk, bob.pk]), (tenant_b, [gus.pk]))


def remove_people(django_db_blocker: DjangoDbBlocker, *people_of: tuple[TenantInfo, list[int]]) -> None:
    """Remove a scene's people of each tenant with the rooms, messages and documents they made."""
    with django_db_blocker.unblock():
        for tenant, people in people_of:
            with schema_context(tenant.schema):
                # Rooms first: their messages go with them, and a document no message carries can go.
                Room.objects.filter(memberships__user__in=people).exclude(is_default=True).distinct().delete()
                for document in Document.objects.filter(uploader__in=people):
                    do_delete_document(tenant=tenant.client, document=document)
                User.objects.filter(pk__in=people).delete()


def upload_as(
    django_db_blocker: DjangoDbBlocker, tenant: TenantInfo, email: str, name: str, room_id: int | None = None
) -> int:
    """Uploaded as the API does it; committed, so the worker reads it."""
    with django_db_blocker.unblock(), schema_context(tenant.schema):
        upload = SimpleUploadedFile(name, corpus_path(name).read_bytes(), "application/pdf")
        room = Room.objects.get(pk=room_id) if room_id else None
        uploader = User.objects.get(email=email)
        return int(do_upload_document(tenant=tenant.client, uploader=uploader, upload=upload, room=room).pk)


def sign_in(context: BrowserContext, live_server: LiveServer, host: str, email: str) -> Page:
    page = context.new_page()
    page.goto(live_server.url_for(host, "/login/"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    return page
