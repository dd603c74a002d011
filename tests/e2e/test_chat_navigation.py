"""The chat app in real browsers against daphne, finding one's way: a long history opened at the
read position, search, threads, mentions and the keyboard shortcuts; a phone screen works through
the drawer; another workspace finds none of it."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, expect
from pytest_django import DjangoDbBlocker

from accounts.models import User
from chat.actions import do_create_room, do_mark_read, do_send_message
from chat.models import Room
from tests.support.browser import LiveServer, save_screenshot
from tests.support.browser_chat import PHONE, ChatScene, contexts, message, open_chat, send
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.usefixtures("patient_expect")


def test_phone_screen_opens_the_drawer_and_sends(
    browser: Browser,
    live_server: LiveServer,
    tenant_a: TenantInfo,
    scene: ChatScene,
) -> None:
    with contexts(browser, 1, viewport=PHONE, is_mobile=True, has_touch=True, reduced_motion="reduce") as (context,):
        page = open_chat(context, live_server, tenant_a.host, scene.bob_email, None)
        sidebar = page.locator("#sidebar")
        # given: on a phone the room list is tucked away
        expect(sidebar).not_to_be_visible()
        open_drawer = page.get_by_role("button", name="Open conversations")
        expect(open_drawer).to_be_visible()

        # when: the drawer opens and a room is picked
        open_drawer.click()
        expect(sidebar).to_be_visible()
        save_screenshot(page, "chat-phone-drawer")
        sidebar.get_by_role("link", name=re.compile(scene.room_name)).click()

        # then: the drawer closes on the room, and a message goes out
        expect(sidebar).not_to_be_visible()
        expect(page.locator("#room-name")).to_contain_text(scene.room_name)
        send(page, "Sent from a phone")
        expect(message(page, "Sent from a phone")).to_have_count(1)
        expect(page.locator("#message-list .pending")).to_have_count(0)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
        save_screenshot(page, "chat-phone-sent")


def test_another_workspace_sees_nothing_of_the_conversation(
    browser: Browser,
    live_server: LiveServer,
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    scene: ChatScene,
) -> None:
    with contexts(browser, 2) as (acme_context, globex_context):
        # given: a message in acme
        ann = open_chat(acme_context, live_server, tenant_a.host, scene.ann_email, scene.room_id)
        send(ann, "Acme secret roadmap")
        expect(message(ann, "Acme secret roadmap")).to_have_count(1)

        # when: globex's owner opens their own chat, and even asks for acme's room by id
        globex = open_chat(globex_context, live_server, tenant_b.host, tenant_b.owner_email, None)
        expect(globex.locator("#room-list")).not_to_contain_text(scene.room_name)
        globex.goto(live_server.url_for(tenant_b.host, f"/#room-{scene.room_id}"))
        expect(globex.locator("#chat-app")).to_have_attribute("data-state", "ready")
        status = globex.evaluate(f"() => fetch('/api/rooms/{scene.room_id}/messages/').then(r => r.status)")
        search = globex.evaluate("() => fetch('/api/search/?q=roadmap').then(r => r.json())")

        # then: nothing of acme shows, by page, API or search
        assert status == 404
        assert "Acme secret roadmap" not in str(search)
        expect(globex.locator("body")).not_to_contain_text("Acme secret roadmap")
        expect(globex.locator("body")).not_to_contain_text(scene.room_name)
        save_screenshot(globex, "chat-globex-isolated")


def test_history_search_thread_mentions_and_shortcuts(
    browser: Browser,
    live_server: LiveServer,
    tenant_a: TenantInfo,
    scene: ChatScene,
    django_db_blocker: DjangoDbBlocker,
) -> None:
    # given: a long history, with one message about the quarterly numbers far up
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        room = Room.objects.get(pk=scene.room_id)
        bob_user = User.objects.get(email=scene.bob_email)
        do_send_message(tenant=tenant_a.client, author=bob_user, room=room, body="Kick-off: the first message")
        do_send_message(tenant=tenant_a.client, author=bob_user, room=room, body="Quarterly numbers are ready")
        sent = [
            do_send_message(tenant=tenant_a.client, author=bob_user, room=room, body=f"Filler {n}").message
            for n in range(1, 61)
        ]
        # Ann has read up to Filler 30
        ann_user = User.objects.get(email=scene.ann_email)
        do_mark_read(tenant=tenant_a.client, user=ann_user, room=room, message_id=sent[29].pk)
        lounge = do_create_room(tenant=None, name=f"{scene.room_name}-lounge", creator=bob_user)
    with contexts(browser, 2) as (ann_context, bob_context):
        ann = open_chat(ann_context, live_server, tenant_a.host, scene.ann_email, scene.room_id)
        # then: the room opens at the read position, marked by the "new messages" divider
        expect(ann.locator("#new-divider")).to_be_in_viewport()
        expect(ann.locator("#new-divider + li.msg")).to_contain_text("Filler 31")
        expect(message(ann, "Kick-off")).to_have_count(0)

        # when: Ann scrolls to the top, older pages load until the beginning
        ann.wait_for_function(
            """() => {
                document.getElementById("timeline").scrollTo(0, 0);
                return document.getElementById("message-list").textContent.includes("Kick-off");
            }""",
            polling=250,
        )
        expect(message(ann, "Kick-off")).to_have_count(1)
        expect(ann.locator("#history-status")).to_contain_text("very beginning")
        expect(ann.locator("#message-list > li.msg")).to_have_count(62)

        # when: she searches; the result is highlighted and opens the room at the message
        ann.get_by_role("searchbox", name="Search messages").fill("quarterly")
        ann.get_by_role("searchbox", name="Search messages").press("Enter")
        result = ann.locator(".search-results .result").first
        expect(result.locator("mark")).to_have_text(re.compile("quarterly", re.I))
        save_screenshot(ann, "chat-search")
        result.click()
        found = message(ann, "Quarterly numbers are ready")
        expect(found).to_be_in_viewport()

        # when: she replies in its thread
        found.hover()
        found.get_by_role("button", name="Reply in thread").click()
        thread_box = ann.get_by_role("textbox", name="Reply in thread")
        thread_box.fill("Great, sharing them with the board")
        thread_box.press("Enter")
        panel = ann.locator("#side-panel")
        expect(panel.locator("li.msg:not(.pending)").filter(has_text="sharing them with the board")).to_have_count(1)
        expect(found.locator(".thread-link")).to_have_text(re.compile(r"^1 reply"))
        save_screenshot(ann, "chat-thread")
        ann.keyboard.press("Escape")
        expect(panel).to_be_hidden()

        # when: she mentions Bob through the suggestions, with a look at the preview first
        ann.locator("#composer-input").press_sequentially(f"@{scene.bob_handle[:5]}", delay=20)
        suggestion = ann.get_by_role("option").filter(has_text=scene.bob_handle)
        expect(suggestion).to_be_visible()
        ann.locator("#composer-input").press("Enter")
        expect(ann.locator("#composer-input")).to_have_value(f"@{scene.bob_handle} ")
        ann.locator("#composer-input").press_sequentially("the **deck** please", delay=5)
        ann.get_by_role("button", name="Preview").click()
        expect(ann.locator("#composer-preview strong")).to_have_text("deck")
        ann.get_by_role("button", name="Write").click()
        ann.locator("#composer-input").press("Enter")
        expect(message(ann, "the deck please").locator(".mention")).to_have_text(re.compile(r"^@Bob "))

        # then: Bob, in another room, gets an unread and a mention badge on this one
        ann.get_by_role("button", name="Create a channel").click()
        create = ann.get_by_role("dialog", name="Create a channel")
        create.get_by_label("Name").fill(f"{scene.room_name}-side")
        create.get_by_role("button", name="Create", exact=True).click()
        expect(ann.locator("#room-name")).to_contain_text(f"{scene.room_name}-side")
        bob = open_chat(bob_context, live_server, tenant_a.host, scene.bob_email, lounge.pk)
        expect(bob.locator("#room-list")).to_contain_text(scene.room_name)
        ann.keyboard.press("Alt+ArrowUp")
        expect(ann.locator("#room-name")).not_to_contain_text("-side")
        send(ann, f"@{scene.bob_handle} one more thing")
        link = bob.locator(f'#room-list a[data-room="{scene.room_id}"]')
        expect(link.locator(".badge-mention")).to_be_visible()
        save_screenshot(bob, "chat-mention-badge")
        link.click()
        expect(link.locator(".badge")).to_have_count(0)
        expect(message(bob, "one more thing")).to_have_class(re.compile(r"\bmentions-me\b"))
        save_screenshot(bob, "chat-mentioned")

        # and the shortcuts: Ctrl+K switches, ? lists them, Esc closes
        ann.keyboard.press("Control+k")
        switcher = ann.get_by_role("combobox", name="Jump to a conversation")
        expect(switcher).to_be_focused()
        switcher.fill("-side")
        switcher.press("Enter")
        expect(ann.locator("#room-name")).to_contain_text(f"{scene.room_name}-side")
        ann.locator("#timeline").focus()
        ann.keyboard.press("?")
        help_dialog = ann.get_by_role("dialog", name="Keyboard shortcuts")
        expect(help_dialog).to_be_visible()
        save_screenshot(ann, "chat-shortcuts")
        ann.keyboard.press("Escape")
        expect(help_dialog).to_be_hidden()

        # and Ctrl+K finds people too: choosing Bob opens a direct message with him
        ann.keyboard.press("Control+k")
        switcher.fill(scene.bob_handle)
        expect(ann.get_by_role("option").filter(has_text="new message")).to_be_visible()
        switcher.press("Enter")
        expect(ann.locator("#room-name")).to_contain_text("Bob")
        expect(ann.locator("#dm-list")).to_contain_text("Bob")
