"""The brand studio in a real browser: acme's owner uploads a wordmark and an icon, is talked out
of an unreadable colour, watches the preview, publishes, finds the new brand on the sign-in page,
the favicon and an invitation e-mail, then restores the old look from the history. Globex's
sign-in page never changes."""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django_tenants.utils import schema_context
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, FrameLocator, Page, expect
from pytest_django import DjangoDbBlocker

from accounts.models import Invitation
from branding.models import Brand, BrandAsset, BrandVersion
from branding.theme import Theme, forget_theme, theme_for
from tests.support.browser import ARTIFACTS_DIR, VIEWPORT, LiveServer, recipients, save_screenshot
from tests.support.browser_invitations import rgb, sign_in
from tests.support.tenants import PASSWORD, TenantInfo

PALE_YELLOW = "#fde68a"  # fails contrast on white: the studio must say so and offer a colour
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class LoginLook:
    """What a visitor sees of the brand on a sign-in page."""

    title: str
    primary: str
    logo: str | None
    icon_link: str | None


def look_of(page: Page, url: str) -> LoginLook:
    page.goto(url)
    logo = page.locator("img.brand-logo")
    return LoginLook(
        title=page.title(),
        primary=css_variable(page, "--brand-primary"),
        logo=logo.first.get_attribute("src") if logo.count() else None,
        icon_link=page.locator('link[rel="icon"][sizes="any"]').get_attribute("href"),
    )


def css_variable(page: Page, name: str) -> str:
    value = page.evaluate(f"getComputedStyle(document.documentElement).getPropertyValue('{name}').trim()")
    return str(value).lower()


def fetched_digest(page: Page, path: str) -> str:
    """The SHA-256 of what the page's host answers at `path`, fetched by the page itself (Chromium
    resolves `*.localhost`; Playwright's own request client does not)."""
    script = """async (path) => {
      const answer = await fetch(path);
      if (!answer.ok) return `HTTP ${answer.status}`;
      const digest = await crypto.subtle.digest("SHA-256", await answer.arrayBuffer());
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    }"""
    return str(page.evaluate(script, path))


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def png_file(name: str, size: tuple[int, int], colour: str) -> dict[str, Any]:
    """A PNG made here: a coloured rounded block with a white bar, on transparency."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=min(size) // 5, fill=colour)
    draw.rectangle((width // 6, height // 2 - height // 10, width * 5 // 6, height // 2 + height // 10), fill="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return {"name": name, "mimeType": "image/png", "buffer": out.getvalue()}


def preview_frame(page: Page, surface: str) -> FrameLocator:
    return page.frame_locator(f"#panel-{surface} iframe")


@pytest.fixture
def acme_brand_kept(tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker) -> Iterator[Theme]:
    """Acme's brand as it was before the test (the database is kept between runs and other tests
    expect acme's default look): the draft's row, the versions and the images the test added
    are put back or removed afterwards, and the theme cache is cleared."""
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        forget_theme()
        theme = theme_for(tenant_a.client)
        draft = Brand.objects.get()
        saved = {field.attname: getattr(draft, field.attname) for field in Brand._meta.concrete_fields}
        last_version = BrandVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0
        last_asset = BrandAsset.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    yield theme
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        for name, value in saved.items():
            setattr(draft, name, value)
        draft.save()
        BrandVersion.objects.filter(number__gt=last_version).delete()
        added = list(BrandAsset.objects.filter(pk__gt=last_asset))
        names = {asset.file.name for asset in added}
        kept = set(BrandAsset.objects.filter(pk__lte=last_asset, file__in=names).values_list("file", flat=True))
        BrandAsset.objects.filter(pk__gt=last_asset, source__isnull=False).delete()
        BrandAsset.objects.filter(pk__gt=last_asset).delete()
        for name in names - kept:
            BrandAsset.file.field.storage.delete(name)
        forget_theme()


@pytest.fixture
def invitee(tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    email = f"brand-{uuid.uuid4().hex[:8]}@example.com"
    yield email
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        Invitation.objects.filter(email=email).delete()


def shoot(page: Page, name: str) -> None:
    """From the top: the studio's bar and preview are sticky, and a full-page picture taken
    scrolled down would draw them in the middle."""
    expect(page.locator(".preview-stage.is-loading")).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)  # a frame that just loaded is painted
    save_screenshot(page, name)


def open_studio(page: Page, live_server: LiveServer, tenant: TenantInfo) -> None:
    page.goto(live_server.url_for(tenant.host, "/settings/brand/"))
    expect(page.locator("#brand-studio")).to_have_attribute("data-state", "ready")


def test_owner_rebrands_acme_in_the_studio_publishes_and_restores_the_old_look(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    acme_brand_kept: Theme,
    invitee: str,
) -> None:
    before = acme_brand_kept
    acme_login = live_server.url_for(tenant_a.host, "/login/")
    globex_login = live_server.url_for(tenant_b.host, "/login/")
    globex_before = look_of(page, globex_login)
    acme_before = look_of(page, acme_login)
    favicon_before = fetched_digest(page, "/favicon.ico")

    # given: acme's owner in the brand studio
    sign_in(page, tenant_a.owner_email, PASSWORD)
    expect(page).to_have_url(live_server.url_for(tenant_a.host, "/"))
    open_studio(page, live_server, tenant_a)
    status = page.locator("#studio-status")
    expect(status).to_contain_text("All changes saved")
    expect(preview_frame(page, "login").locator("h1")).to_be_visible()
    shoot(page, "brand-studio-before")

    # when: they upload a wordmark and an icon
    page.set_input_files("#img-logo-file", png_file("wordmark.png", (480, 120), "#0f766e"))
    logo_card = page.locator('.image-card[data-kind="logo"]')
    expect(logo_card.locator("[data-thumb] img")).to_have_attribute(
        "src", re.compile(r"/brand/assets/[0-9a-f]{64}\.png$")
    )
    expect(logo_card).to_contain_text("480 \u00d7 120 px · PNG")
    logo_url = logo_card.locator("[data-thumb] img").get_attribute("src") or ""
    logo_path = "/brand/assets/" + logo_url.rsplit("/brand/assets/", 1)[1]
    page.set_input_files("#img-icon-file", png_file("icon.png", (256, 256), "#0f766e"))
    expect(page.locator('.image-card[data-kind="icon"] [data-thumb] img')).to_be_visible()

    # then: the sign-in preview shows the new wordmark at once
    expect(preview_frame(page, "login").locator("img.brand-logo")).to_have_attribute("src", logo_path)

    # when: they pick a pale yellow that people could not read
    primary = page.get_by_label("Primary colour", exact=True)
    primary.fill(PALE_YELLOW)
    expect(status).to_contain_text("Unsaved changes")
    problem = page.locator("#f-primary_colour-problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("contrast")
    expect(page.locator("#f-primary_colour-ratios")).to_contain_text("✗")
    use = problem.get_by_role("button", name=re.compile(r"^Use #[0-9a-f]{6}$"))
    suggestion = (use.text_content() or "").strip().removeprefix("Use ")
    assert suggestion != PALE_YELLOW
    shoot(page, "brand-studio-low-contrast")

    # and: take the suggestion
    use.click()
    expect(primary).to_have_value(suggestion)
    expect(problem).to_be_hidden()
    expect(page.locator("#f-primary_colour-ratios")).not_to_contain_text("✗")

    # then: the sign-in preview is drawn in the suggested colour
    expect(preview_frame(page, "login").locator(".btn-primary")).to_have_css("background-color", rgb(suggestion))

    # when: custom CSS with a forbidden @import is saved, the refusal lands at the field
    css = page.get_by_label("Stylesheet")
    css.fill('@import url("https://example.com/x.css");')
    page.get_by_role("button", name="Save draft").click()
    css_error = page.locator("#f-custom_css-error")
    expect(css_error).to_contain_text("Line 1, column 1")
    expect(css).to_have_attribute("aria-invalid", "true")
    css.fill(".auth-card { outline: 3px solid rgb(1, 2, 3); }")
    expect(css_error).to_be_hidden()

    # and: they save, then publish
    page.get_by_role("button", name="Save draft").click()
    expect(status).to_contain_text(f"Draft differs from the published version {before.version}")
    page.get_by_role("button", name="Publish").click()
    page.locator("#studio-confirm").get_by_role("button", name="Publish").click()
    new_version = before.version + 1
    expect(page.locator("#studio-note")).to_contain_text(f"Version {new_version} is live")
    expect(status).to_contain_text(f"Version {new_version} is live")
    live = page.locator("#version-list .version").first
    expect(live).to_contain_text(f"Version {new_version}")
    expect(live).to_contain_text("Live")
    expect(live).to_contain_text("primary colour")
    shoot(page, "brand-studio-after")

    # then: the studio itself is drawn without the custom CSS, and fits a phone without scrolling sideways
    page.reload()
    expect(page.locator("#brand-studio")).to_have_attribute("data-state", "ready")
    assert page.locator("style#brand-css").count() == 0
    page.set_viewport_size(PHONE)
    expect(page.locator("#studio-status")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "brand-studio-phone")
    page.set_viewport_size(VIEWPORT)

    # when: they sign out
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(acme_login)

    # then: the sign-in page, its icons and the favicon are in the new brand
    after = look_of(page, acme_login)
    assert after.primary == suggestion
    assert after.logo == logo_path
    assert after.icon_link and after.icon_link != acme_before.icon_link
    assert page.locator("style#brand-css").count() == 1
    expect(page.locator(".auth-card")).to_have_css("outline-color", "rgb(1, 2, 3)")
    favicon = fetched_digest(page, "/favicon.ico")
    assert not favicon.startswith("HTTP") and favicon != favicon_before
    assert favicon == fetched_digest(page, after.icon_link)
    save_screenshot(page, "brand-studio-login-after")

    # and: an invitation e-mail carries the new colour and wordmark
    sign_in(page, tenant_a.owner_email, PASSWORD)
    page.goto(live_server.url_for(tenant_a.host, "/people/"))
    page.get_by_label("E-mail").fill(invitee)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".messages")).to_contain_text(invitee)
    mail = wait_until(
        lambda: next((m for m in reversed(live_server.read_mails()) if invitee in recipients(m)), None),
        f"the invitation to {invitee}",
    )
    html = str(mail.get_body(preferencelist=("html",)).get_content())
    assert suggestion in html
    assert live_server.url_for(tenant_a.host, logo_path) in html

    # when: they restore the version from before the test in the history
    open_studio(page, live_server, tenant_a)
    page.get_by_role("button", name=f"Restore version {before.version}", exact=True).click()
    page.locator("#studio-confirm").get_by_role("button", name="Restore and publish").click()
    expect(page.locator("#studio-note")).to_contain_text(f"Version {new_version + 1} is live")
    newest = page.locator("#version-list .version").first
    expect(newest).to_contain_text(f"Restored from version {before.version}")
    expect(newest).to_contain_text("Live")
    expect(primary).to_have_value(before.primary_colour)
    expect(preview_frame(page, "login").locator(".btn-primary")).to_have_css(
        "background-color", rgb(before.primary_colour)
    )
    shoot(page, "brand-studio-restored")

    # then: a visitor finds the old look on the sign-in page
    visitor = browser.new_context(viewport=VIEWPORT).new_page()
    try:
        restored = look_of(visitor, acme_login)
        assert restored.primary == acme_before.primary
        assert restored.logo == acme_before.logo
        assert restored.icon_link == acme_before.icon_link
        # and: globex's sign-in page never changed
        assert look_of(visitor, globex_login) == globex_before
    finally:
        visitor.context.close()


def test_brand_studio_reads_well_in_dark_mode_on_desktop_and_phone(
    browser: Browser, live_server: LiveServer, tenant_a: TenantInfo
) -> None:
    # given: acme's owner, whose system asks for dark pages
    context = browser.new_context(viewport=VIEWPORT, color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(live_server.url_for(tenant_a.host, "/login/"))
        sign_in(page, tenant_a.owner_email, PASSWORD)
        expect(page).to_have_url(live_server.url_for(tenant_a.host, "/"))

        # when: they open the studio, on a desktop and on a phone
        open_studio(page, live_server, tenant_a)
        expect(preview_frame(page, "login").locator("h1")).to_be_visible()
        shoot(page, "brand-studio-dark")
        page.set_viewport_size(PHONE)

        # then: the page fits the phone's width, and the preview tabs work from the keyboard
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("tab", name="Sign-in page").focus()
        page.keyboard.press("ArrowRight")
        chat_tab = page.get_by_role("tab", name="Chat")
        expect(chat_tab).to_have_attribute("aria-selected", "true")
        expect(page.locator("#panel-chat")).to_be_visible()
        expect(page.locator("#panel-chat iframe")).to_have_attribute("sandbox", "allow-scripts allow-same-origin")
        expect(page.locator("#panel-chat iframe")).to_have_attribute("inert", "")
        expect(preview_frame(page, "chat").locator("#chat-app")).to_have_attribute("data-state", "ready")
        # and: the chat app, which focuses its composer when it starts, leaves the keyboard on the tabs
        page.wait_for_timeout(1000)
        expect(chat_tab).to_be_focused()
        page.keyboard.press("End")
        expect(page.get_by_role("tab", name="Invitation e-mail")).to_have_attribute("aria-selected", "true")
        expect(preview_frame(page, "email").get_by_text("Accept invitation")).to_be_visible()
        shoot(page, "brand-studio-dark-phone")
        # (a full-page picture leaves frames below the first screen unpainted: the preview on its own)
        page.locator("#studio-preview").screenshot(path=str(ARTIFACTS_DIR / "brand-studio-dark-phone-preview.png"))
    finally:
        context.close()


STATE_CHECKS = """async () => {
  const m = await import("/static/js/brand/state.js");
  const draft = {
    display_name: "Acme", primary_colour: "#4f46e5", accent_colour: "#0ea5e9", login_headline: "",
    login_text: "", email_sender_name: "", email_reply_to: "", email_footer: "", custom_css: "",
    legal_links: [{label: "Terms", url: "https://acme.test/terms"}], hide_powered_by: false,
  };
  const state = new m.DraftState(draft);
  const out = {clean: state.dirty, colours: [m.parseHex("#ABC"), m.parseHex("fde68a"), m.parseHex("#12")]};
  state.set("legal_links", [...draft.legal_links, {label: " ", url: ""}]);
  out.emptyRowDirty = state.dirty;
  state.set("primary_colour", "#4F46E5");
  out.sameColourDirty = state.dirty;
  state.set("display_name", "Acme Chat ");
  state.set("email_reply_to", "Help@Acme.test");
  out.changes = state.changes;
  const sent = state.changes;
  state.set("login_headline", "Typed while saving");
  out.redrawn = state.accept({...draft, display_name: "Acme Chat", email_reply_to: "help@acme.test"}, sent);
  out.after = state.changes;
  out.offset = m.offsetOf("a {}\\nb { color: red }", 2, 5);
  return out;
}"""


def test_studio_state_tracks_changes_and_adopts_the_servers_spelling(
    page: Page, live_server: LiveServer, tenant_a: TenantInfo
) -> None:
    # given: the studio's state module, run in the browser as the page runs it
    page.goto(live_server.url_for(tenant_a.host, "/login/"))

    # when: a draft is edited, saved while another field is typed, and answered
    result = page.evaluate(STATE_CHECKS)

    # then: only real changes count, sent in the API's spelling, and the edit made meanwhile stays
    assert result["clean"] is False
    assert result["colours"] == ["#aabbcc", "#fde68a", None]
    assert result["emptyRowDirty"] is False
    assert result["sameColourDirty"] is False
    assert result["changes"] == {"display_name": "Acme Chat ", "email_reply_to": "Help@Acme.test"}
    assert sorted(result["redrawn"]) == ["display_name", "email_reply_to"]
    assert result["after"] == {"login_headline": "Typed while saving"}
    assert result["offset"] == len("a {}\n") + 4
