"""The chat app in real browsers against daphne, two people in one room: they chat, type, react,
edit and delete; one of them loses the network and comes back to everything that was said
meanwhile, once, and what he wrote offline outlives a closed tab; a direct message with presence,
and a room joined, renamed, left and archived."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, WebSocket, expect
from pytest_django import DjangoDbBlocker

from accounts.models import User
from chat.actions import do_create_room
from chat.models import Message
from tests.support.browser import LiveServer, save_screenshot
from tests.support.browser_chat import OUTBOX_SIZE, ChatScene, contexts, message, open_chat, send
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.usefixtures("patient_expect")


@pytest.fixture
def duo(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, scene: ChatScene
) -> Iterator[tuple[Page, Page]]:
    """Ann and Bob signed in, each in a browser of their own, with the room open."""
    with contexts(browser, 2) as (ann_context, bob_context):
        ann = open_chat(ann_context, live_server, tenant_a.host, scene.ann_email, scene.room_id)
        bob = open_chat(bob_context, live_server, tenant_a.host, scene.bob_email, scene.room_id)
        yield ann, bob


def test_two_people_chat_react_edit_and_catch_up_after_going_offline(
    tenant_a: TenantInfo,
    scene: ChatScene,
    duo: tuple[Page, Page],
    django_db_blocker: DjangoDbBlocker,
) -> None:
    # given: Ann and Bob both have the room open
    ann, bob = duo
    expect(ann.locator("#room-name")).to_contain_text(scene.room_name)
    expect(bob.locator("#room-name")).to_contain_text(scene.room_name)

    # when: Ann types, then sends
    ann.locator("#composer-input").press_sequentially("Hello Bob", delay=20)
    # then: Bob sees her typing
    expect(bob.locator("#typing")).to_have_text(re.compile(r"^Ann \w+ is typing…$"))
    ann.locator("#composer-input").press("Enter")
    expect(message(bob, "Hello Bob")).to_have_count(1)
    expect(bob.locator("#typing")).to_have_text("")
    expect(message(ann, "Hello Bob")).to_have_count(1)
    expect(ann.locator("#message-list .pending")).to_have_count(0)

    # when: Bob answers and reacts to Ann's message
    send(bob, "Hi Ann, **welcome**")
    expect(message(ann, "Hi Ann, welcome").locator("strong")).to_have_text("welcome")
    hello_on_bob = message(bob, "Hello Bob")
    hello_on_bob.hover()
    hello_on_bob.get_by_role("button", name="Add a reaction").click()
    bob.get_by_role("dialog", name="Choose a reaction").get_by_role("option", name="party popper").first.click()
    # then: Ann sees the reaction, counted once
    reaction_on_ann = message(ann, "Hello Bob").locator(".reaction", has_text="🎉")
    expect(reaction_on_ann).to_contain_text("1")
    expect(message(bob, "Hello Bob").locator(".reaction.mine", has_text="🎉")).to_be_visible()
    save_screenshot(ann, "chat-ann-reaction")

    # when: Ann edits her last message with the Up arrow in the empty composer
    ann.locator("#composer-input").click()
    ann.locator("#composer-input").press("ArrowUp")
    editor = ann.get_by_role("textbox", name="Edit message")
    expect(editor).to_have_value("Hello Bob")
    editor.fill("Hello Bob, the launch is on Friday")
    editor.press("Enter")
    # then: Bob sees the new text, marked as edited, in place of the old one
    edited = message(bob, "the launch is on Friday")
    expect(edited).to_have_count(1)
    expect(edited.locator(".msg-edited")).to_have_text("(edited)")
    expect(message(bob, "Hello Bob")).to_have_count(1)
    save_screenshot(bob, "chat-bob-sees-edit")

    # when: Bob loses the network
    bob.context.set_offline(True)
    expect(bob.locator("#chat-app")).to_have_attribute("data-connection", "offline")
    expect(bob.locator("#conn-banner")).to_contain_text("offline")
    # ... Ann keeps talking meanwhile
    missed = [f"While you were away {n}" for n in range(1, 4)]
    for text in missed:
        send(ann, text)
        expect(message(ann, text)).to_have_count(1)
    # ... and changes her first message
    first = message(ann, "the launch is on Friday")
    first.hover()
    first.get_by_role("button", name="Edit message").click()
    editor = ann.get_by_role("textbox", name="Edit message")
    editor.fill("Hello Bob, the launch moved to Monday")
    editor.press("Enter")
    expect(message(ann, "moved to Monday")).to_have_count(1)
    # ... and Bob writes a message while offline: it waits, marked as sending
    send(bob, "Written offline")
    pending = bob.locator("#message-list > li.pending").filter(has_text="Written offline")
    expect(pending).to_contain_text("sending…")
    save_screenshot(bob, "chat-bob-offline")
    for text in missed:
        expect(message(bob, text)).to_have_count(0)

    # when: the network comes back
    new_sockets: list[WebSocket] = []
    bob.on("websocket", lambda socket: new_sockets.append(socket))
    bob.context.set_offline(False)

    # then: Bob reconnects and finds every missed message, each once, in order
    expect(bob.locator("#chat-app")).to_have_attribute("data-connection", "open")
    # ... on a new socket: the old one was dropped when the network went
    assert [socket.url.endswith("/ws/chat/") for socket in new_sockets] == [True]
    for text in missed:
        expect(message(bob, text)).to_have_count(1)
    bodies = bob.locator("#message-list > li.msg:not(.pending) .msg-body").all_inner_texts()
    positions = [next(i for i, body in enumerate(bodies) if text in body) for text in missed]
    assert positions == sorted(positions), bodies
    # ... and the edit made meanwhile
    expect(message(bob, "moved to Monday")).to_have_count(1)
    expect(message(bob, "on Friday")).to_have_count(0)
    # ... and his offline message is delivered once, to both of them
    expect(message(bob, "Written offline")).to_have_count(1)
    expect(bob.locator("#message-list > li.pending")).to_have_count(0)
    expect(message(ann, "Written offline")).to_have_count(1)
    expect(message(bob, "Hello Bob")).to_have_count(1)
    save_screenshot(bob, "chat-bob-reconnected")
    save_screenshot(ann, "chat-ann-after-reconnect")
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        assert Message.objects.filter(room_id=scene.room_id, body="Written offline").count() == 1
        assert Message.objects.filter(room_id=scene.room_id).count() == 6

    # and nothing is left waiting in Bob's outbox
    assert bob.evaluate(OUTBOX_SIZE) == 0


def test_deleting_a_message_shows_it_as_deleted_to_everyone(
    tenant_a: TenantInfo,
    scene: ChatScene,
    duo: tuple[Page, Page],
) -> None:
    ann, bob = duo
    send(ann, "A message to take back")
    expect(message(bob, "A message to take back")).to_have_count(1)

    # when: Ann deletes it, confirming
    own = message(ann, "A message to take back")
    own.hover()
    own.get_by_role("button", name="Delete message").click()
    ann.get_by_role("button", name="Delete", exact=True).click()

    # then: both see a tombstone instead of the text
    expect(message(bob, "A message to take back")).to_have_count(0)
    expect(bob.locator("#message-list .msg.deleted")).to_contain_text("message deleted")
    expect(ann.locator("#message-list .msg.deleted")).to_contain_text("message deleted")
    save_screenshot(bob, "chat-deleted")

    # when: the server refuses a message (a NUL character; an over-long one the composer holds
    # back itself, tests/e2e/test_composer_length.py)
    ann.locator("#composer-input").fill("refused \x00 here")
    ann.locator("#composer-input").press("Enter")
    # then: it stays, says why, and offers to retry or discard it
    failed = ann.locator("#message-list > li.failed")
    expect(failed).to_contain_text("NUL")
    expect(failed.get_by_role("button", name="Retry")).to_be_visible()
    save_screenshot(ann, "chat-send-refused")
    failed.get_by_role("button", name="Discard").click()
    expect(failed).to_have_count(0)
    assert ann.evaluate(OUTBOX_SIZE) == 0


def test_direct_message_with_presence_and_joining_a_public_room(
    tenant_a: TenantInfo,
    scene: ChatScene,
    duo: tuple[Page, Page],
    django_db_blocker: DjangoDbBlocker,
) -> None:
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        ann_user = User.objects.get(email=scene.ann_email)
        open_room = do_create_room(tenant=None, name=f"{scene.room_name}-open", creator=ann_user, topic="Anyone")
    ann, bob = duo

    # when: Ann starts a direct message with Bob
    ann.get_by_role("button", name="Start a direct message").click()
    dialog = ann.get_by_role("dialog", name="Direct message")
    dialog.get_by_role("searchbox").fill(scene.bob_handle)
    dialog.get_by_role("option").filter(has_text=scene.bob_handle).click()
    expect(dialog.locator("#dm-chosen")).to_contain_text("Bob")
    dialog.get_by_role("button", name="Start conversation").click()

    # then: it opens, named after Bob, with his presence shown as online
    expect(ann.locator("#room-name")).to_contain_text("Bob")
    dm_link = ann.locator("#dm-list a").filter(has_text="Bob")
    expect(dm_link.locator(".presence-dot")).to_have_attribute("data-presence", "online")
    send(ann, "Psst, a private word")

    # and Bob gets the conversation in his sidebar, unread
    bob_dm = bob.locator("#dm-list a").filter(has_text="Ann")
    expect(bob_dm.locator(".badge")).to_have_text("1")
    save_screenshot(ann, "chat-direct-message")

    # when: Bob goes away (his page says idle), Ann sees it on the dot
    bob.evaluate("() => chatApp.setMyStatus('idle')")
    expect(dm_link.locator(".presence-dot")).to_have_attribute("data-presence", "idle")
    bob_dm.click()
    expect(message(bob, "Psst, a private word")).to_have_count(1)
    expect(dm_link.locator(".presence-dot")).to_have_attribute("data-presence", "online")

    # when: Bob browses the public channels and joins Ann's open one
    bob.get_by_role("button", name="Browse channels").click()
    browse = bob.get_by_role("dialog", name="Browse channels")
    browse.get_by_role("searchbox").fill("-open")
    row = browse.locator("li.pick").filter(has_text=f"#{open_room.name}")
    expect(row).to_contain_text("Anyone")
    save_screenshot(bob, "chat-browse")
    row.get_by_role("button", name="Join").click()

    # then: it is in his sidebar and open, and he can post in it
    expect(bob.locator("#room-name")).to_contain_text(open_room.name)
    expect(bob.locator("#room-list")).to_contain_text(open_room.name)
    send(bob, "Thanks for having me")
    expect(message(bob, "Thanks for having me")).to_have_count(1)
    expect(bob.locator("#message-list .pending")).to_have_count(0)


def test_owner_renames_and_archives_a_room_and_a_member_leaves(
    tenant_a: TenantInfo,
    scene: ChatScene,
    duo: tuple[Page, Page],
) -> None:
    ann, bob = duo

    # when: Ann, the room's owner, renames it and changes its topic
    ann.get_by_role("button", name="Channel actions").click()
    ann.get_by_role("menuitem", name="Rename or set topic…").click()
    details = ann.get_by_role("dialog", name="Channel details")
    details.get_by_label("Name").fill(f"{scene.room_name}-renamed")
    details.get_by_label("Topic").fill("Ship it")
    details.get_by_role("button", name="Save").click()

    # then: both see the new name and topic
    for page in (ann, bob):
        expect(page.locator("#room-name")).to_contain_text(f"{scene.room_name}-renamed")
        expect(page.locator("#room-topic")).to_have_text("Ship it")
        expect(page.locator("#room-list")).to_contain_text(f"{scene.room_name}-renamed")

    # when: Bob, a member, leaves it
    bob.get_by_role("button", name="Channel actions").click()
    expect(bob.get_by_role("menuitem", name="Archive channel…")).to_be_hidden()
    bob.get_by_role("menuitem", name="Leave channel").click()
    bob.get_by_role("dialog").get_by_role("button", name="Leave").click()

    # then: it leaves his sidebar, and he is shown where to go next
    expect(bob.locator("#room-list")).not_to_contain_text(scene.room_name)
    expect(bob.locator("#empty-room")).to_contain_text("not in any channel")
    save_screenshot(bob, "chat-no-rooms")

    # when: Ann archives it
    ann.get_by_role("button", name="Channel actions").click()
    ann.get_by_role("menuitem", name="Archive channel…").click()
    ann.get_by_role("dialog").get_by_role("button", name="Archive").click()

    # then: its history stays, but nobody can post
    expect(ann.locator("#room-name")).to_contain_text("archived")
    expect(ann.locator("#composer-readonly")).to_contain_text("archived")
    expect(ann.locator("#composer-input")).to_be_hidden()
    save_screenshot(ann, "chat-archived")


def test_a_message_written_offline_survives_closing_the_tab(
    live_server: LiveServer,
    tenant_a: TenantInfo,
    scene: ChatScene,
    duo: tuple[Page, Page],
    django_db_blocker: DjangoDbBlocker,
) -> None:
    ann, bob = duo
    # given: Bob writes while offline, and closes the tab before the network is back
    bob.context.set_offline(True)
    expect(bob.locator("#chat-app")).to_have_attribute("data-connection", "offline")
    send(bob, "Kept through a closed tab")
    expect(bob.locator("#message-list > li.pending")).to_contain_text("sending…")
    context = bob.context
    bob.close()
    context.set_offline(False)

    # when: he opens the app again
    again = context.new_page()
    again.goto(live_server.url_for(tenant_a.host, f"/#room-{scene.room_id}"))

    # then: the message goes out from where it was kept, once
    expect(message(again, "Kept through a closed tab")).to_have_count(1)
    expect(message(ann, "Kept through a closed tab")).to_have_count(1)
    expect(again.locator("#message-list > li.pending")).to_have_count(0)
    assert again.evaluate(OUTBOX_SIZE) == 0
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        assert Message.objects.filter(room_id=scene.room_id, body="Kept through a closed tab").count() == 1
