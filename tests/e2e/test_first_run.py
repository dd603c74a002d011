"""A new customer's first minutes, in Chromium against daphne: sign up on the platform host,
follow the e-mailed link, land signed in on the new workspace with its checklist; find a
workspace by e-mail; the page of an unknown workspace address; the time zone picker; and
suspending a client from the admin with a reason."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django import DjangoDbBlocker

from accounts.models import User
from tenants.actions import do_provision_workspace
from tenants.models import Client
from tests.support.browser import VIEWPORT, LiveServer, save_screenshot
from tests.support.browser_chat import PHONE
from tests.support.browser_invitations import sign_in
from tests.support.first_run import remove_workspace
from tests.support.tenants import PASSWORD, TenantInfo

SIZES: dict[str, ViewportSize] = {"desktop": {"width": VIEWPORT["width"], "height": VIEWPORT["height"]}, "phone": PHONE}
SIGNUP_PASSWORD = "first-minutes-2026"


@pytest.fixture
def slug(django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """A fresh workspace address; whatever the test creates under it is removed afterwards."""
    value = f"fr-{uuid.uuid4().hex[:8]}"
    yield value
    with django_db_blocker.unblock():
        remove_workspace(value)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_sign_up_confirm_and_land_signed_in_with_the_checklist(
    browser: Browser, live_server: LiveServer, slug: str, size: str, django_db_blocker: DjangoDbBlocker
) -> None:
    context = browser.new_context(viewport=SIZES[size])
    context.set_default_timeout(15_000)
    page = context.new_page()
    email = f"owner@{slug}.test"

    # given: the sign-up form on the platform host
    page.goto(live_server.url_for("localhost", "/signup/"))
    page.get_by_label("Workspace name").fill(f"First Run {slug[-4:]}")
    page.get_by_label("Workspace address").fill(slug)
    page.get_by_label("Your name").fill("Fran Runner")
    page.get_by_label("Your e-mail").fill(email)
    page.get_by_label("Password").fill(SIGNUP_PASSWORD)
    page.get_by_role("button", name="Create workspace").click()

    # then: nothing exists yet but a mail
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    expect(page.locator("main")).to_contain_text(email)
    save_screenshot(page, f"first-run-sent-{size}")
    with django_db_blocker.unblock():
        assert not Client.objects.filter(slug=slug).exists()

    # when: the link is followed and confirmed
    link = live_server.latest_link(email, "/signup/confirm/")
    page.goto(link)
    expect(page.get_by_role("heading", name="Your address is confirmed")).to_be_visible()
    save_screenshot(page, f"first-run-confirm-{size}")
    page.get_by_role("button", name="Create my workspace").click()

    # then: signed in on the new workspace's own host (its chat page), the checklist showing
    expect(page).to_have_url(live_server.url_for(f"{slug}.localhost", "/"))
    expect(page.locator("#chat-app")).to_be_attached()
    card = page.locator("#first-run")
    expect(card).to_be_visible()
    expect(card).to_contain_text("0 of 3 done")
    expect(card.get_by_role("link", name="Invite your team")).to_be_visible()
    expect(card.get_by_role("button", name="Create a channel")).to_be_visible()
    save_screenshot(page, f"first-run-checklist-{size}")

    # when: the same link is opened again
    again = context.new_page()
    again.goto(link)
    expect(again.get_by_role("heading", name="This link was already used. Sign in.")).to_be_visible()
    expect(again.get_by_role("link", name="Sign in to your workspace")).to_have_attribute(
        "href", live_server.url_for(f"{slug}.localhost", "/login/")
    )
    save_screenshot(again, f"first-run-link-used-{size}")
    with django_db_blocker.unblock():
        assert Client.objects.filter(slug=slug).count() == 1

    # when: the checklist is dismissed, it stays dismissed for this person
    card.get_by_role("button", name="Dismiss the checklist").click()
    expect(card).to_be_hidden()
    page.reload()
    expect(page.locator("#chat-app")).to_be_attached()
    expect(page.locator("#first-run")).to_be_hidden()


def test_create_a_channel_from_the_checklist_ticks_it(
    page: Page, live_server: LiveServer, slug: str, django_db_blocker: DjangoDbBlocker
) -> None:
    # given: a workspace just created and its owner on the chat page
    with django_db_blocker.unblock():
        do_provision_workspace(slug=slug, name="Tickco", owner_email=f"o@{slug}.test", owner_password=PASSWORD)
    page.goto(live_server.url_for(f"{slug}.localhost", "/login/"))
    sign_in(page, f"o@{slug}.test", PASSWORD)
    expect(page.locator("#chat-app")).to_have_attribute("data-state", "ready")

    # when: the checklist's "Create a channel" opens the chat page's dialog
    page.locator("#first-run").get_by_role("button", name="Create a channel").click()
    dialog = page.locator("#dialog-create")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Name").fill("launch")
    dialog.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator("#room-name")).to_contain_text("launch")

    # then: on the next visit the item is ticked
    page.reload()
    expect(page.locator('#first-run [data-item="channel"]')).to_have_class("first-run-item is-done")
    expect(page.locator("#first-run")).to_contain_text("1 of 3 done")
    save_screenshot(page, "first-run-checklist-ticked")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_find_your_workspace_and_the_unknown_address_page(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, size: str
) -> None:
    page = browser.new_context(viewport=SIZES[size]).new_page()

    # an unknown workspace address: the product's 404, with the way out
    response = page.goto(live_server.url_for("no-such-team.localhost", "/"))
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="There's no workspace here")).to_be_visible()
    save_screenshot(page, f"first-run-unknown-host-{size}")
    page.get_by_role("link", name="Find your workspace").click()

    # find: the owner's address in, the same answer as for anyone
    expect(page.get_by_role("heading", name="Find your workspace")).to_be_visible()
    save_screenshot(page, f"first-run-find-{size}")
    page.get_by_label("Your e-mail").fill(tenant_a.owner_email)
    page.get_by_role("button", name="Send me my workspaces").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    save_screenshot(page, f"first-run-find-sent-{size}")
    link = live_server.latest_link(tenant_a.owner_email, "/login/")
    assert link == live_server.url_for(tenant_a.host, "/login/")


@pytest.mark.parametrize(("size", "path"), [("desktop", "/settings/profile/"), ("phone", "/settings/workspace/")])
def test_time_zone_picker_filters_as_you_type(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo, size: str, path: str
) -> None:
    page = browser.new_context(viewport=SIZES[size]).new_page()
    page.goto(live_server.url_for(tenant_a.host, "/login/"))
    sign_in(page, tenant_a.owner_email, PASSWORD)
    page.goto(live_server.url_for(tenant_a.host, path))

    # when
    page.get_by_label("Filter time zones").fill("berl")

    # then: only Europe/Berlin is left, selected, in its group
    shown = page.locator("[data-tz-picker] select option:not([hidden])")
    expect(shown).to_have_count(1)
    expect(shown).to_have_attribute("value", "Europe/Berlin")
    expect(page.locator("[data-tz-picker] select")).to_have_value("Europe/Berlin")
    expect(page.locator("[data-tz-note]")).to_have_text("1 time zone matches.")
    save_screenshot(page, f"first-run-tz-filter-{size}")


def test_admin_suspends_a_client_with_a_reason(
    page: Page, live_server: LiveServer, slug: str, django_db_blocker: DjangoDbBlocker
) -> None:
    # given: a workspace, and a staff member (kept between runs: deleting a person in the public
    # schema would cascade to tenant tables that do not exist there)
    staff_email = "e2e-staff@platform.test"
    with django_db_blocker.unblock():
        client = do_provision_workspace(
            slug=slug, name=f"Suspendco {slug[-4:]}", owner_email=f"o@{slug}.test", owner_password=None
        ).client
        with schema_context("public"):
            if not User.objects.filter(email=staff_email).exists():
                User.objects.create_superuser(staff_email, PASSWORD, name="Staff")
    page.goto(live_server.url_for("localhost", "/admin/login/?next=/admin/tenants/client/"))
    page.get_by_label("Email").fill(staff_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # when: the action is chosen for the workspace
    page.locator(f'input[name="_selected_action"][value="{client.pk}"]').check()
    page.locator('select[name="action"]').select_option("suspend")
    page.get_by_role("button", name="Go").click()

    # then: a confirmation that asks why; without a reason the browser keeps the page
    expect(page.get_by_role("heading", name="Suspend workspaces")).to_be_visible()
    page.get_by_role("button", name="Yes, suspend").click()
    expect(page.locator("textarea[name=reason]:invalid")).to_be_attached()
    expect(page.get_by_role("heading", name="Suspend workspaces")).to_be_visible()
    page.get_by_label("Reason").fill("Payment failed three times")
    save_screenshot(page, "first-run-admin-suspend-confirm")
    page.get_by_role("button", name="Yes, suspend").click()
    expect(page.locator(".messagelist")).to_contain_text("Suspended 1 workspace")
    expect(page.locator("#result_list")).to_contain_text("Payment failed three times")
    save_screenshot(page, "first-run-admin-suspended-list")
    with django_db_blocker.unblock():
        assert Client.objects.get(pk=client.pk).suspension_reason == "Payment failed three times"
