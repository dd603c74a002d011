"""The chat page in a browser: two people of a room, their contexts, and what they type."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect

from tests.support.browser import VIEWPORT, LiveServer
from tests.support.tenants import PASSWORD

PHONE: ViewportSize = {"width": 375, "height": 740}

# How many messages wait in the page's outbox (localStorage), all rooms together.
OUTBOX_SIZE = """() => Object.keys(localStorage)
    .filter((key) => key.startsWith("chat.outbox."))
    .reduce((n, key) => n + JSON.parse(localStorage.getItem(key)).length, 0)"""


@dataclass(frozen=True)
class ChatScene:
    room_id: int
    room_name: str
    ann_email: str
    bob_email: str
    bob_handle: str


@contextmanager
def contexts(browser: Browser, count: int, **options: Any) -> Iterator[list[BrowserContext]]:
    """Browser contexts of their own (separate cookies and storage: separate people)."""
    options.setdefault("viewport", VIEWPORT)
    made = [browser.new_context(**options) for _ in range(count)]
    for context in made:
        context.set_default_timeout(15_000)
    yield made  # they close with the test's browser, which cannot hang the run


def open_chat(context: BrowserContext, live_server: LiveServer, host: str, email: str, room_id: int | None) -> Page:
    page = context.new_page()
    page.goto(live_server.url_for(host, "/login/"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#chat-app")).to_have_attribute("data-state", "ready")
    if room_id is not None:
        page.goto(live_server.url_for(host, f"/#room-{room_id}"))
    expect(page.locator("#chat-app")).to_have_attribute("data-connection", "open")
    return page


def send(page: Page, text: str) -> None:
    box = page.locator("#composer-input")
    box.fill(text)
    box.press("Enter")


def message(page: Page, text: str) -> Locator:
    """The delivered (not pending) messages of the main timeline whose text contains `text`."""
    return page.locator("#message-list > li.msg:not(.pending)").filter(has_text=text)
