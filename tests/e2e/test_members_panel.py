"""The members panel of a private channel, in two browsers (the owner's and a member's): adding by
search (keyboard), the channel appearing live for the person added, the count on both pages,
removing with confirmation, and the removed person's page saying so; on a desktop and a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from pytest_django import DjangoDbBlocker

from tests.support.browser import LiveServer, save_screenshot
from tests.support.browser_chat import PHONE, contexts, open_chat
from tests.support.browser_members import Crew, member_row, open_members, private_channel, sidebar_room
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.usefixtures("patient_expect")


@pytest.fixture
def crew(tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker) -> Iterator[Crew]:
    with private_channel(tenant_a, django_db_blocker) as made:
        yield made


def test_owner_adds_by_search_and_removes_and_both_pages_follow(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, crew: Crew
) -> None:
    with contexts(browser, 2) as (ann_context, cid_context):
        ann = open_chat(ann_context, live_server, tenant_a.host, crew.owner_email, crew.room_id)
        cid = open_chat(cid_context, live_server, tenant_a.host, crew.newcomer_email, None)
        expect(sidebar_room(cid, crew.room_name)).to_have_count(0)
        expect(ann.locator("#members-count")).to_have_text("2")

        # when: Ann opens the panel and searches for the tag all three names share
        panel = open_members(ann)
        expect(panel.locator("#members-summary")).to_have_text("2 members")
        expect(member_row(panel, crew.owner_name)).to_contain_text("Owner")
        expect(member_row(panel, crew.owner_name)).to_contain_text("(you)")
        search = panel.get_by_label("Add people")
        expect(search).to_be_focused()
        search.press_sequentially(crew.tag, delay=30)

        # then: Bob is marked as in the channel already and Cid is the one the keyboard lands on
        results = panel.locator("#members-results")
        expect(results.locator(".add-person", has_text=crew.member_name)).to_contain_text("In channel")
        expect(results.locator('[aria-selected="true"]')).to_contain_text(crew.newcomer_name)
        save_screenshot(ann, "members-panel-search-desktop")
        search.press("ArrowDown")  # wraps past the people already in, back to Cid
        expect(results.locator('[aria-selected="true"]')).to_contain_text(crew.newcomer_name)
        search.press("Enter")

        # then: Cid is listed, the counts follow on Ann's page, and Cid's page gets the channel
        expect(panel.locator("#members-status")).to_have_text(f"{crew.newcomer_name} was added.")
        expect(member_row(panel, crew.newcomer_name)).to_be_visible()
        expect(panel.locator("#members-summary")).to_have_text("3 members")
        expect(ann.locator("#members-count")).to_have_text("3")
        expect(sidebar_room(cid, crew.room_name)).to_be_visible()
        expect(cid.locator("#toasts")).to_contain_text(f"{crew.owner_name} added you to #{crew.room_name}.")
        sidebar_room(cid, crew.room_name).click()
        expect(cid.locator("#members-count")).to_have_text("3")
        cid_panel = open_members(cid)
        # a plain member sees everyone, and neither the search nor any Remove button
        expect(cid_panel.locator("#members-add")).to_be_hidden()
        expect(cid_panel.locator(".member-remove")).to_have_count(0)
        expect(cid_panel.locator("#members-list .member")).to_have_count(3)
        save_screenshot(cid, "members-panel-member-desktop")
        cid.keyboard.press("Escape")
        expect(cid_panel).to_be_hidden()
        save_screenshot(ann, "members-panel-added-desktop")

        # when: Ann removes Cid, confirming first
        member_row(panel, crew.newcomer_name).get_by_role("button", name=f"Remove {crew.newcomer_name}").click()
        confirm = ann.locator("#dialog-confirm")
        expect(confirm).to_contain_text(f"Remove {crew.newcomer_name} from #{crew.room_name}?")
        confirm.get_by_role("button", name="Remove").click()

        # then: both counts drop, and Cid's open timeline says he was removed, and by whom
        expect(member_row(panel, crew.newcomer_name)).to_have_count(0)
        expect(panel.locator("#members-summary")).to_have_text("2 members")
        expect(ann.locator("#members-count")).to_have_text("2")
        expect(cid.locator("#empty-room")).to_contain_text(f"You were removed from #{crew.room_name}")
        expect(cid.locator("#empty-room")).to_contain_text(f"{crew.owner_name} removed you.")
        expect(sidebar_room(cid, crew.room_name)).to_have_count(0)
        expect(cid.locator("#composer")).to_be_hidden()
        expect(cid.locator("#message-list > li")).to_have_count(0)
        save_screenshot(cid, "members-removed-desktop")


def test_last_owner_cannot_be_removed_and_a_refusal_is_shown_in_words(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, crew: Crew
) -> None:
    with contexts(browser, 1) as (context,):
        ann = open_chat(context, live_server, tenant_a.host, crew.owner_email, crew.room_id)
        panel = open_members(ann)

        # then: the only owner is offered no Remove button for herself, Bob is
        expect(member_row(panel, crew.owner_name).locator(".member-remove")).to_have_count(0)
        expect(member_row(panel, crew.member_name).locator(".member-remove")).to_have_count(1)
        # and a search with nobody to find says so
        panel.get_by_label("Add people").fill("zz-nobody-has-this-name")
        expect(panel.locator("#members-results")).to_contain_text("Nobody found.")
        panel.get_by_label("Add people").press("Escape")
        expect(panel.locator("#members-results")).to_be_hidden()
        expect(panel).to_be_visible()  # the first Esc closes only the results


def test_members_panel_is_a_full_screen_sheet_on_a_phone(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, crew: Crew
) -> None:
    # (in the dark scheme: the panel's colours come from the brand's variables, light and dark)
    phone: dict[str, Any] = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "reduced_motion": "reduce"}
    with contexts(browser, 2, color_scheme="dark", **phone) as (ann_context, cid_context):
        ann = open_chat(ann_context, live_server, tenant_a.host, crew.owner_email, crew.room_id)
        cid = open_chat(cid_context, live_server, tenant_a.host, crew.newcomer_email, None)

        # when: Ann opens the panel on a 375 px screen and adds Cid by tapping the result
        panel = open_members(ann)
        box = panel.bounding_box()
        assert box is not None
        assert (box["x"], box["width"]) == (0, PHONE["width"]) and box["height"] >= PHONE["height"] - 1
        panel.get_by_label("Add people").press_sequentially(crew.tag, delay=30)
        expect(panel.locator("#members-results")).to_contain_text(crew.newcomer_name)
        save_screenshot(ann, "members-panel-search-phone")
        panel.locator("#members-results .add-person", has_text=crew.newcomer_name).click()

        # then: the list and both counts follow, and Cid's drawer holds the channel
        expect(member_row(panel, crew.newcomer_name)).to_be_visible()
        expect(ann.locator("#members-count")).to_have_text("3")
        width = ann.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the panel scrolls sideways: {width}px"
        save_screenshot(ann, "members-panel-phone")
        cid.locator(".room-header [data-action='open-drawer']").click()
        expect(sidebar_room(cid, crew.room_name)).to_be_visible()
        sidebar_room(cid, crew.room_name).click()
        expect(cid.locator("#chat-app")).not_to_have_class(re.compile("drawer-open"))
        expect(cid.locator("#members-count")).to_have_text("3")
        expect(cid.locator("#room-name")).to_contain_text(crew.room_name)
        expect(cid.locator("#empty-room")).to_be_visible()
        save_screenshot(cid, "members-added-phone")
