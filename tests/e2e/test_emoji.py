"""Emoji in the chat, in Chromium at desktop and phone sizes, two people in one room: the picker
(loaded only when first opened) searched and used with the keyboard, `:shortcode:` completion and
conversion, shortcodes rendered by the server, and a reaction chosen from the whole set that the
other person sees live."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, expect
from pytest_django import DjangoDbBlocker

from chat.models import Message
from tests.support.browser import VIEWPORT, LiveServer, save_screenshot
from tests.support.browser_chat import PHONE, ChatScene, contexts, message, open_chat, send
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.usefixtures("patient_expect")

SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": VIEWPORT},
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
}


def index_fetches(page: Page) -> int:
    """How often the page fetched the emoji index (the browser's resource timing: a request
    listener on the context trips over the event loop other tests leave behind)."""
    return int(
        page.evaluate(
            "() => performance.getEntriesByType('resource').filter((e) => e.name.includes('picker.json')).length"
        )
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_emoji_picker_shortcodes_and_reactions(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, scene: ChatScene, size: str
) -> None:
    with contexts(browser, 2, reduced_motion="reduce", **SIZES[size]) as (ann_context, bob_context):
        ann = open_chat(ann_context, live_server, tenant_a.host, scene.ann_email, scene.room_id)
        bob = open_chat(bob_context, live_server, tenant_a.host, scene.bob_email, scene.room_id)
        # given: the page is up and written in, and has not fetched the emoji
        ann.locator("#composer-input").press_sequentially("no colon yet", delay=10)
        assert index_fetches(ann) == 0

        pick_with_the_keyboard(ann, bob, size)
        assert index_fetches(ann) == 1  # fetched when first needed, once
        complete_shortcodes(ann, bob, size)
        react_from_the_picker(ann, bob, size)


def pick_with_the_keyboard(ann: Page, bob: Page, size: str) -> None:
    box, button = ann.locator("#composer-input"), ann.locator("#emoji-btn")
    box.fill("Launch ")
    # when: Ann opens the picker and searches
    button.click()
    picker = ann.get_by_role("dialog", name="Insert an emoji")
    search = picker.get_by_role("combobox", name="Search emoji")
    expect(search).to_be_focused()
    recent = picker.get_by_role("group", name="Recently used").get_by_role("option")
    expect(recent.first).to_have_attribute("aria-selected", "true")
    # the arrows move through the grid while the search box keeps the focus
    search.press("ArrowRight")
    search.press("ArrowDown")
    expect(picker.get_by_role("group", name="Smileys & emotion").get_by_role("option").nth(1)).to_have_attribute(
        "aria-selected", "true"
    )
    search.press("ArrowUp")
    expect(recent.nth(1)).to_have_attribute("aria-selected", "true")
    save_screenshot(ann, f"emoji-picker-categories-{size}")
    search.press_sequentially("tada", delay=20)
    results = picker.get_by_role("group", name="Search results").get_by_role("option")
    expect(results.first).to_have_text("🎉")
    expect(results.first).to_have_attribute("aria-selected", "true")
    expect(picker.locator(".emoji-preview")).to_contain_text(":tada:")
    save_screenshot(ann, f"emoji-picker-search-{size}")
    # and picks it with Enter
    search.press("Enter")
    # then: the emoji is in the box at the caret, and the picker is gone
    expect(picker).to_have_count(0)
    expect(box).to_have_value("Launch 🎉")
    box.press("End")
    box.press_sequentially(" today", delay=10)
    box.press("Enter")
    expect(message(bob, "Launch 🎉 today")).to_have_count(1)

    # when: the picker opens again, the emoji just used comes first, and Escape closes it
    button.click()
    expect(recent.first).to_have_text("🎉")
    ann.keyboard.press("Escape")
    expect(picker).to_have_count(0)
    expect(button).to_be_focused()


def complete_shortcodes(ann: Page, bob: Page, size: str) -> None:
    box = ann.locator("#composer-input")
    suggestions = ann.locator("#composer .emoji-suggest")
    box.click()
    # when: Ann types the start of a shortcode
    box.press_sequentially("Agreed :thumbsu", delay=20)
    # then: the matches show above the box, the best first
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("option").first).to_contain_text(":thumbsup:")
    save_screenshot(ann, f"emoji-shortcode-suggestions-{size}")
    # when: Tab picks it, and a whole shortcode is typed after it
    box.press("Tab")
    expect(suggestions).to_be_hidden()
    expect(box).to_have_value("Agreed 👍")
    box.press_sequentially(" and :rocket: go", delay=20)
    expect(box).to_have_value("Agreed 👍 and 🚀 go")
    # and Escape closes a list without touching the text
    box.press_sequentially(" :smi", delay=20)
    expect(suggestions).to_be_visible()
    box.press("Escape")
    expect(suggestions).to_be_hidden()
    expect(box).to_have_value("Agreed 👍 and 🚀 go :smi")
    box.fill("Agreed 👍 and 🚀 go")
    box.press("Enter")
    expect(message(bob, "Agreed 👍 and 🚀 go")).to_have_count(1)

    # when: a shortcode arrives whole (pasted: no typing to convert it), the server renders it
    send(ann, "pasted :sparkles: and :no_such_code: and `:tada:`")
    sent = message(bob, "pasted")
    expect(sent).to_contain_text("pasted ✨ and :no_such_code: and")
    expect(sent.locator("code")).to_have_text(":tada:")


def react_from_the_picker(ann: Page, bob: Page, size: str) -> None:
    target = message(bob, "Agreed 👍")
    # when: Bob opens the message's reaction control (a tap on a phone shows it) and searches
    if size == "phone":
        target.locator(".msg-body").tap()
    else:
        target.hover()
    target.get_by_role("button", name="Add a reaction").click()
    picker = bob.get_by_role("dialog", name="Choose a reaction")
    search = picker.get_by_role("combobox", name="Search emoji")
    expect(search).to_be_focused()
    search.press_sequentially("unicorn", delay=20)
    expect(picker.get_by_role("option").first).to_have_text("🦄")
    save_screenshot(bob, f"emoji-reaction-picker-{size}")
    search.press("Enter")
    # then: Ann sees the reaction live, and Bob's is marked as his
    expect(picker).to_have_count(0)
    on_ann = message(ann, "Agreed 👍").locator(".reaction", has_text="🦄")
    expect(on_ann).to_contain_text("1")
    expect(target.locator(".reaction.mine", has_text="🦄")).to_be_visible()
    save_screenshot(ann, f"emoji-reaction-seen-{size}")


def test_emoji_in_a_thread_reply_in_the_dark(
    browser: Browser,
    live_server: LiveServer,
    tenant_a: TenantInfo,
    scene: ChatScene,
    django_db_blocker: DjangoDbBlocker,
) -> None:
    with contexts(browser, 1, color_scheme="dark", reduced_motion="reduce") as (context,):
        ann = open_chat(context, live_server, tenant_a.host, scene.ann_email, scene.room_id)
        send(ann, "Thread starter")
        starter = message(ann, "Thread starter")
        expect(starter).to_have_count(1)
        # when: Ann opens the thread and uses its composer's emoji button and shortcodes
        starter.hover()
        starter.get_by_role("button", name="Reply in thread").click()
        thread = ann.locator("#thread-composer")
        box = thread.locator("#thread-input")
        expect(box).to_be_focused()  # the thread is loaded
        thread.get_by_role("button", name="Insert an emoji").click()
        picker = ann.get_by_role("dialog", name="Insert an emoji")
        search = picker.get_by_role("combobox", name="Search emoji")
        # a skin tone chosen shows on the emoji that have one
        picker.get_by_role("button", name="Skin tone: Default. Change it").click()
        expect(picker.get_by_role("button", name="Skin tone: Light. Change it")).to_be_visible()
        search.fill("thumbs up")
        expect(picker.get_by_role("option").first).to_have_text("👍🏻")
        search.fill("")
        search.press_sequentially("rocket", delay=20)
        expect(picker.get_by_role("option").first).to_have_text("🚀")
        save_screenshot(ann, "emoji-picker-thread-dark")
        ann.keyboard.press("Enter")
        expect(box).to_have_value("🚀")
        box.press_sequentially(" :wav", delay=20)
        expect(thread.locator(".emoji-suggest")).to_be_visible()
        save_screenshot(ann, "emoji-shortcode-thread-dark")
        box.press("Enter")
        expect(box).to_have_value("🚀 👋")
        box.press("Enter")
        # then: the reply is in the thread, with its emoji
        reply = ann.locator("#panel-body .msg:not(.pending)").filter(has_text="🚀 👋")
        expect(reply).to_have_count(1)
    # The scene removes its room afterwards; replies go first (they point at their thread's start).
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        Message.objects.filter(room_id=scene.room_id, thread__isnull=False).delete()
