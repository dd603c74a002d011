"""Mentions reach people, in real browsers: Bob mentions Ann while she is in another room, and
her tab's title counts it, a notification is shown (clicking it opens the message) and the chime
rings; Bob names Cem, who is not in the room, is offered to add him, and does; a direct message,
and a mention in a public room Ann never joined, notify her too. Her settings on the profile
page, and the digest's unsubscribe link opened signed out. Desktop and phone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django import DjangoDbBlocker

from accounts.models import User
from chat.actions import do_create_room, do_open_direct
from chat.models import Membership, Room
from tests.support.browser import VIEWPORT, LiveServer, save_screenshot
from tests.support.browser_chat import PHONE, ChatScene, contexts, message, open_chat, send
from tests.support.tenants import PASSWORD, TenantInfo

pytestmark = pytest.mark.usefixtures("patient_expect")

# Every `new Notification(...)` of the page is recorded (and still made), so the test can read
# what was shown and click it.
RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  window.__notes = [];
  function Recorded(title, options) {
    window.__notes.push({ title, body: (options || {}).body || "" });
    let note;
    try { note = new Real(title, options); } catch (error) { note = { close() {} }; }
    window.__lastNote = note;
    return note;
  }
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  window.Notification = Recorded;
})();
"""


@dataclass(frozen=True)
class Design:
    room_id: int
    name: str
    cem_id: int
    cem_name: str
    cem_handle: str
    direct_id: int
    # A public room of Bob's that Ann never joined.
    open_id: int
    open_name: str


@pytest.fixture
def design(tenant_a: TenantInfo, scene: ChatScene, django_db_blocker: DjangoDbBlocker) -> Iterator[Design]:
    """A second room of Ann and Bob, and Cem, who is in neither."""
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        ann = User.objects.get(email=scene.ann_email)
        bob = User.objects.get(email=scene.bob_email)
        cem = User.objects.create_user(f"cem-{tag}@acme.test", PASSWORD, name=f"Cem {tag}")
        room = do_create_room(tenant=None, name=f"design-{tag}", creator=bob, members=[ann])
        direct = do_open_direct(tenant=tenant_a.client, user=bob, others=[ann])
        open_room = do_create_room(tenant=None, name=f"open-{tag}", creator=bob, members=[])
    yield Design(
        room_id=room.pk,
        name=room.name,
        cem_id=cem.pk,
        cem_name=cem.name,
        cem_handle=f"cem-{tag}",
        direct_id=direct.pk,
        open_id=open_room.pk,
        open_name=open_room.name,
    )
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        Room.objects.filter(pk__in=[room.pk, open_room.pk]).delete()
        User.objects.filter(pk=cem.pk).delete()


@pytest.mark.parametrize("viewport", [VIEWPORT, PHONE], ids=["desktop", "phone"])
def test_mention_notifies_and_a_non_member_can_be_added(
    browser: Browser,
    live_server: LiveServer,
    tenant_a: TenantInfo,
    scene: ChatScene,
    design: Design,
    django_db_blocker: DjangoDbBlocker,
    viewport: ViewportSize,
) -> None:
    size = "desktop" if viewport == VIEWPORT else "phone"
    ann_handle = scene.ann_email.split("@")[0]
    with contexts(browser, 2, viewport=viewport) as (ann_context, bob_context):
        # given: Ann allowed notifications and is in the launch room; Bob is in design
        ann_context.grant_permissions(["notifications"])
        ann_context.add_init_script(RECORD_NOTIFICATIONS)
        ann = open_chat(ann_context, live_server, tenant_a.host, scene.ann_email, scene.room_id)
        bob = open_chat(bob_context, live_server, tenant_a.host, scene.bob_email, design.room_id)
        expect(ann.locator("#room-name")).to_contain_text(scene.room_name)
        # Permission already granted: Ann is not asked; Bob (never asked) sees the small prompt
        expect(ann.locator("#notify-prompt")).to_have_count(0)
        expect(bob.locator("#notify-prompt")).to_be_visible()

        # when: Bob mentions Ann in design
        send(bob, f"@{ann_handle} can you check the mockups?")

        # then: Ann's tab counts it, a notification names Bob and the room, and the chime rang
        expect(ann).to_have_title(re.compile(rf"^\(1\) #{design.name} · "))
        notes = _notes(ann)
        assert notes == [
            {"title": f"Bob {scene.bob_email[4:10]} mentioned you in #{design.name}", "body": notes[0]["body"]}
        ]
        assert "can you check the mockups?" in notes[0]["body"]
        assert ann.evaluate("() => window.chatApp.notify.chime.rung") == 1
        save_screenshot(ann, f"mentions-ann-title-{size}")

        # when: Ann clicks the notification
        ann.evaluate("() => window.__lastNote.onclick()")
        # then: the design room opens on the message, and the title loses the alert
        expect(ann.locator("#room-name")).to_contain_text(design.name)
        expect(message(ann, "can you check the mockups?")).to_have_count(1)
        expect(ann).not_to_have_title(re.compile(r"^\(\d+\) "))

        # when: Bob names Cem, who is not in design
        save_screenshot(bob, f"mentions-bob-prompt-{size}")
        bob.get_by_role("button", name="Not now").click()
        expect(bob.locator("#notify-prompt")).to_have_count(0)
        send(bob, f"@{design.cem_handle} please review")
        # then: he is told, and offered to add Cem
        notice = bob.locator("#mention-notice")
        expect(notice).to_contain_text(f"{design.cem_name} isn't in #{design.name}. Add them?")
        expect(notice.get_by_role("button", name="Dismiss")).to_be_visible()
        save_screenshot(bob, f"mentions-bob-not-in-room-{size}")
        notice.get_by_role("button", name="Add").click()
        expect(notice).to_contain_text(f"Added {design.cem_name} to #{design.name}.")
        save_screenshot(bob, f"mentions-bob-added-{size}")
        with django_db_blocker.unblock(), schema_context(tenant_a.schema):
            assert Membership.objects.filter(room_id=design.room_id, user_id=design.cem_id).exists()

        # and a handle that names nobody warns nobody
        send(bob, "@nobody-by-that-name hello")
        expect(message(bob, "hello")).to_have_count(1)
        expect(notice).not_to_contain_text("nobody")

        # when: Bob writes to Ann directly, without naming her, while she reads design
        bob.goto(live_server.url_for(tenant_a.host, f"/#room-{design.direct_id}"))
        expect(bob.locator("#chat-app")).to_have_attribute("data-connection", "open")
        send(bob, "psst, a word in private")
        # then: a direct message counts as a mention
        expect(ann).to_have_title(re.compile(r"^\(1\) "))
        ann.wait_for_function("() => window.__notes.length === 2")
        assert _notes(ann)[1]["title"] == f"Bob {scene.bob_email[4:10]} (direct message)"

        # when: Bob mentions Ann in a public room she never joined (no message.new reaches her)
        bob.goto(live_server.url_for(tenant_a.host, f"/#room-{design.open_id}"))
        expect(bob.locator("#room-name")).to_contain_text(design.open_name)
        send(bob, f"@{ann_handle} see the open plan")
        # then: Bob is told she is not in the room; Ann is notified all the same
        expect(bob.locator("#mention-notice")).to_contain_text(f"isn't in #{design.open_name}. Add them?")
        ann.wait_for_function("() => window.__notes.length === 3")
        assert _notes(ann)[2]["title"] == f"Bob {scene.bob_email[4:10]} mentioned you in #{design.open_name}"


def _notes(page: Page) -> list[dict[str, str]]:
    page.wait_for_function("() => window.__notes && window.__notes.length > 0")
    notes: list[dict[str, str]] = page.evaluate("() => window.__notes")
    return notes


@pytest.mark.parametrize("viewport", [VIEWPORT, PHONE], ids=["desktop", "phone"])
def test_notification_settings_on_the_profile_page_and_the_unsubscribe_link(
    browser: Browser,
    live_server: LiveServer,
    tenant_a: TenantInfo,
    scene: ChatScene,
    django_db_blocker: DjangoDbBlocker,
    viewport: ViewportSize,
) -> None:
    size = "desktop" if viewport == VIEWPORT else "phone"
    with contexts(browser, 2, viewport=viewport) as (ann_context, stranger_context):
        # given: Ann on her profile page
        ann = open_chat(ann_context, live_server, tenant_a.host, scene.ann_email, scene.room_id)
        ann.goto(live_server.url_for(tenant_a.host, "/settings/profile/"))
        section = ann.locator("#notifications")
        expect(section.get_by_label("E-mail me what I missed")).to_have_value("60")

        # when: she turns the sound off and asks for the e-mail after 10 minutes
        section.get_by_label("Play a sound").uncheck()
        section.get_by_label("E-mail me what I missed").select_option("10")
        section.get_by_role("button", name="Save notifications").click()

        # then: saved, and the chat page plays no sound
        expect(ann.get_by_text("Your notification settings were saved.")).to_be_visible()
        expect(ann.locator("#notifications").get_by_label("Play a sound")).not_to_be_checked()
        save_screenshot(ann, f"mentions-settings-{size}")
        ann.goto(live_server.url_for(tenant_a.host, "/"))
        expect(ann.locator("#chat-app")).to_have_attribute("data-state", "ready")
        assert ann.evaluate("() => window.chatApp.notify.settings") == {"desktop": True, "sound": False}

        # when: the digest's unsubscribe link is opened by someone not signed in
        with django_db_blocker.unblock(), schema_context(tenant_a.schema):
            from accounts.notifications import unsubscribe_token

            token = unsubscribe_token(tenant=tenant_a.client, user=User.objects.get(email=scene.ann_email))
        stranger = stranger_context.new_page()
        stranger.goto(live_server.url_for(tenant_a.host, f"/unsubscribe/{token}/"))
        expect(stranger.get_by_role("heading", level=1)).to_have_text("Stop the e-mails of missed messages?")
        save_screenshot(stranger, f"mentions-unsubscribe-ask-{size}")
        stranger.get_by_role("button", name="Unsubscribe").click()
        # then: it is confirmed, and her setting says Never
        expect(stranger.get_by_role("heading", level=1)).to_have_text("You will get no more e-mails of missed messages")
        save_screenshot(stranger, f"mentions-unsubscribed-{size}")
        ann.goto(live_server.url_for(tenant_a.host, "/settings/profile/"))
        expect(ann.locator("#notifications").get_by_label("E-mail me what I missed")).to_have_value("off")
