"""A code block in a message reads as code: highlighted in the browser, light and dark, on a
desktop and a phone, and what the author typed stays text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser import LiveServer, save_screenshot
from tests.support.browser_chat import PHONE, ChatScene, contexts, open_chat, send
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.usefixtures("patient_expect")

CODE = "```python\ndef greet(name):\n    # say hello\n    return '<b>hi</b> ' + name * 2\n```"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_code_block_is_highlighted(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, scene: ChatScene, scheme: str
) -> None:
    for size, options in (("desktop", {}), ("phone", {"viewport": PHONE, "is_mobile": True, "has_touch": True})):
        with contexts(browser, 1, color_scheme=scheme, reduced_motion="reduce", **options) as (context,):
            page = open_chat(context, live_server, tenant_a.host, scene.ann_email, scene.room_id)
            send(page, CODE)
            block = page.locator("#message-list .msg-body pre code").last
            expect(block.locator(".hl-k").first).to_have_text("def")
            expect(block).to_contain_text("'<b>hi</b> '")  # the author's markup is text
            keyword = block.locator(".hl-k").first.evaluate("e => getComputedStyle(e).color")
            plain = block.evaluate("e => getComputedStyle(e).color")
            assert keyword != plain, "keywords look like the rest of the code"
            save_screenshot(page, f"chat-code-{scheme}-{size}")
