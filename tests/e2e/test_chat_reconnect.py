"""The web server dies mid-conversation (SIGKILL) and comes back: the browsers say so, retry with
backoff, and once it is back every committed message reaches them, once; a message written
while the server was down is delivered once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, expect
from pytest_django import DjangoDbBlocker

from accounts.models import User
from chat.actions import do_send_message
from chat.models import Message, Room
from tests.support.browser import LiveServer, save_screenshot
from tests.support.browser_chat import OUTBOX_SIZE, ChatScene, contexts, message, open_chat, send
from tests.support.servers import DaphneProcess, free_port, server_env
from tests.support.tenants import TenantInfo, database_url_for_subprocess

pytestmark = pytest.mark.usefixtures("patient_expect")


@pytest.fixture
def own_server(
    live_server: LiveServer, tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker, tmp_path: Path
) -> Iterator[tuple[DaphneProcess, LiveServer]]:
    """A server of this test's own, which it may kill without disturbing the shared one.
    (`live_server` is asked for only so that pytest-django sets the test database up.)"""
    port = free_port()
    with django_db_blocker.unblock():
        env = server_env(port, tmp_path, database_url_for_subprocess())
    server = DaphneProcess(port, env, tmp_path / "daphne.log", name="chat-web")
    server.start()
    try:
        yield server, LiveServer(port=port, mail_dir=tmp_path, log_path=server.log_path)
    finally:
        server.stop()


def test_browsers_come_back_after_the_server_is_killed_and_miss_nothing(
    browser: Browser,
    own_server: tuple[DaphneProcess, LiveServer],
    tenant_a: TenantInfo,
    scene: ChatScene,
    django_db_blocker: DjangoDbBlocker,
) -> None:
    server, live = own_server
    with contexts(browser, 2) as (ann_context, bob_context):
        ann = open_chat(ann_context, live, tenant_a.host, scene.ann_email, scene.room_id)
        bob = open_chat(bob_context, live, tenant_a.host, scene.bob_email, scene.room_id)
        send(ann, "Before the crash")
        expect(message(bob, "Before the crash")).to_have_count(1)
        # ... and Ann's page has had the server's word on it too (Bob may hear of it first)
        expect(ann.locator("#message-list > li.pending")).to_have_count(0)

        # when: the server is killed
        server.kill()

        # then: both pages say the connection is lost and count down to the next attempt
        for page in (ann, bob):
            expect(page.locator("#conn-banner")).to_contain_text(re.compile(r"Connection lost\. Retrying in \d+s"))
        save_screenshot(bob, "chat-server-down")
        # ... Ann writes meanwhile; it waits in her outbox
        send(ann, "Written while the server was down")
        expect(ann.locator("#message-list > li.pending")).to_contain_text("sending…")
        # ... and another process commits a message in the room (as a second web process would)
        with django_db_blocker.unblock(), schema_context(tenant_a.schema):
            room = Room.objects.get(pk=scene.room_id)
            bob_user = User.objects.get(email=scene.bob_email)
            do_send_message(tenant=tenant_a.client, author=bob_user, room=room, body="Committed during the outage")

        # when: the server comes back on the same port
        server.start()

        # then: both reconnect by themselves (backoff tops out well under this timeout) ...
        for page in (ann, bob):
            expect(page.locator("#chat-app")).to_have_attribute("data-connection", "open", timeout=45_000)
        # ... and each has every message exactly once
        for page in (ann, bob):
            for text in ("Before the crash", "Written while the server was down", "Committed during the outage"):
                expect(message(page, text)).to_have_count(1)
            expect(page.locator("#message-list > li.pending")).to_have_count(0)
        assert ann.evaluate(OUTBOX_SIZE) == 0
        save_screenshot(bob, "chat-server-back")
        with django_db_blocker.unblock(), schema_context(tenant_a.schema):
            assert Message.objects.filter(room_id=scene.room_id, body="Written while the server was down").count() == 1
