"""Live state stays true on every open page at once: a rename (sidebar, header, the tab's title),
archiving (the composer gives way to who archived it and when) and un-archiving, and a person's
own presence while their socket is cut (offline, never a stale "online"); desktop and phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django import DjangoDbBlocker

from tests.support.browser import VIEWPORT, LiveServer, save_screenshot
from tests.support.browser_chat import PHONE, contexts, open_chat
from tests.support.browser_members import Crew, member_row, open_members, private_channel, sidebar_room
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.usefixtures("patient_expect")


@pytest.fixture
def crew(tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker) -> Iterator[Crew]:
    with private_channel(tenant_a, django_db_blocker) as made:
        yield made


def room_menu(page: Page, item: str) -> None:
    page.get_by_role("button", name="Channel actions").click()
    page.get_by_role("menuitem", name=item).click()


def test_rename_and_archive_reach_the_other_page_at_once(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, crew: Crew
) -> None:
    with contexts(browser, 2) as (ann_context, bob_context):
        ann = open_chat(ann_context, live_server, tenant_a.host, crew.owner_email, crew.room_id)
        bob = open_chat(bob_context, live_server, tenant_a.host, crew.member_email, crew.room_id)
        expect(bob).to_have_title(re.compile(rf"^#{re.escape(crew.room_name)} · "))

        # when: Ann renames the channel
        new_name = f"renamed-{crew.tag}"
        room_menu(ann, "Rename or set topic…")
        ann.locator("#rename-name").fill(new_name)
        ann.get_by_role("button", name="Save").click()

        # then: Bob's sidebar, header and tab title follow without a reload
        expect(sidebar_room(bob, new_name)).to_be_visible()
        expect(sidebar_room(bob, crew.room_name)).to_have_count(0)
        expect(bob.locator("#room-name")).to_contain_text(new_name)
        expect(bob).to_have_title(re.compile(rf"^#{re.escape(new_name)} · "))

        # when: Ann archives it
        room_menu(ann, "Archive channel…")
        ann.locator("#dialog-confirm").get_by_role("button", name="Archive").click()

        # then: Bob's composer gives way to the archived notice, naming Ann and the moment
        notice = bob.locator("#composer-readonly")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("This channel is archived")
        expect(notice).to_contain_text(f"Archived by {crew.owner_name} on ")
        expect(bob.locator("#composer .composer-box")).to_be_hidden()
        expect(bob.locator("#room-name")).to_contain_text("archived")
        expect(bob.get_by_role("button", name="Unarchive channel")).to_have_count(0)  # not his to undo
        save_screenshot(bob, "live-state-archived-desktop")

        # when: Ann brings it back from where her composer was
        ann.get_by_role("button", name="Unarchive channel").click()

        # then: both can write again
        for page in (ann, bob):
            expect(page.locator("#composer .composer-box")).to_be_visible()
            expect(page.locator("#composer-readonly")).to_be_hidden()
        expect(sidebar_room(bob, new_name)).to_be_visible()
        save_screenshot(bob, "live-state-unarchived-desktop")


def test_archived_notice_after_a_reload_says_who_and_when(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, crew: Crew
) -> None:
    with contexts(browser, 1, viewport=PHONE, is_mobile=True, has_touch=True, reduced_motion="reduce") as (context,):
        ann = open_chat(context, live_server, tenant_a.host, crew.owner_email, crew.room_id)
        room_menu(ann, "Archive channel…")
        ann.locator("#dialog-confirm").get_by_role("button", name="Archive").click()
        expect(ann.locator("#composer-readonly")).to_contain_text(f"Archived by {crew.owner_name}")

        # when: the page is loaded again
        ann.reload()
        expect(ann.locator("#chat-app")).to_have_attribute("data-state", "ready")

        # then: the notice still says who and when, and the owner can bring the channel back
        expect(ann.locator("#composer-readonly")).to_contain_text(f"Archived by {crew.owner_name} on ")
        expect(ann.get_by_role("button", name="Unarchive channel")).to_be_visible()
        expect(ann.locator("#empty-room")).to_contain_text("Nothing was written here before it was archived.")
        save_screenshot(ann, "live-state-archived-phone")
        width = ann.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_own_presence_shows_offline_while_the_socket_is_cut(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, crew: Crew, size: str
) -> None:
    options: dict[str, Any] = (
        {"viewport": VIEWPORT}
        if size == "desktop"
        else {"viewport": PHONE, "is_mobile": True, "has_touch": True, "reduced_motion": "reduce"}
    )
    with contexts(browser, 1, **options) as (bob_context,):
        bob = open_chat(bob_context, live_server, tenant_a.host, crew.member_email, crew.room_id)
        dot, label = bob.locator("#my-presence"), bob.locator("#my-presence-label")
        expect(dot).to_have_attribute("data-presence", "online")
        expect(label).to_have_text("Active")
        panel = open_members(bob)
        expect(member_row(panel, crew.member_name)).to_contain_text("Online")

        # when: the network goes away
        bob_context.set_offline(True)

        # then: his own status says so at once, in the sidebar and in the members panel
        expect(dot).to_have_attribute("data-presence", "offline")
        expect(label).to_have_text("Offline")
        expect(member_row(panel, crew.member_name)).to_contain_text("Offline")
        expect(member_row(panel, crew.member_name).locator(".presence-dot")).to_have_attribute(
            "data-presence", "offline"
        )
        save_screenshot(bob, f"live-state-offline-panel-{size}")
        bob.keyboard.press("Escape")
        if size == "phone":
            bob.locator(".room-header [data-action='open-drawer']").click()
            expect(dot).to_be_visible()
        expect(bob.locator("#conn-banner")).to_contain_text("You are offline")
        save_screenshot(bob, f"live-state-offline-{size}")

        # when: the network is back
        bob_context.set_offline(False)

        # then: the socket reopens and he is active again
        expect(bob.locator("#chat-app")).to_have_attribute("data-connection", "open")
        expect(dot).to_have_attribute("data-presence", "online")
        expect(label).to_have_text("Active")
