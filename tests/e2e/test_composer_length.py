"""The composer counts down near the limit on a message's length, and an over-long message is
not sent: the box says by how much it is over, instead of the server's refusal afterwards."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from chat.markdown import MAX_BODY_LENGTH
from tests.support.browser import LiveServer, save_screenshot
from tests.support.browser_chat import PHONE, ChatScene, contexts, message, open_chat, send
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.usefixtures("patient_expect")


def test_the_composer_counts_down_and_holds_back_what_is_too_long(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, scene: ChatScene
) -> None:
    with contexts(browser, 1, viewport=PHONE, is_mobile=True, has_touch=True, reduced_motion="reduce") as (context,):
        page = open_chat(context, live_server, tenant_a.host, scene.ann_email, scene.room_id)
        box, count = page.locator("#composer-input"), page.locator("#composer-count")
        # given: a short message shows no count
        box.fill("short")
        expect(count).to_be_hidden()

        # when: the text nears the limit, the count shows what is left
        box.fill("a" * (MAX_BODY_LENGTH - 120))
        expect(count).to_have_text("120 characters left")

        # when: it goes past the limit and Enter is pressed
        long_text = "b" * (MAX_BODY_LENGTH + 35)
        box.fill(long_text)
        expect(count).to_have_text("35 characters over the limit")
        box.press("Enter")
        save_screenshot(page, "chat-composer-over-limit")

        # then: nothing was sent, the text is still there to shorten, and once short it goes
        expect(box).to_have_value(long_text)
        expect(box).to_have_attribute("aria-invalid", "")
        expect(page.locator("#message-list .msg")).to_have_count(0)
        send(page, "short enough")
        expect(message(page, "short enough")).to_have_count(1)
        expect(count).to_be_hidden()
