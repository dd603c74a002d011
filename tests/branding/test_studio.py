"""The brand studio's page and its preview pages, through a signed-in browser session. What the
page does in a browser is in tests/e2e/test_brand_studio.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client as HttpClient

from accounts.models import User
from tests.support.chat_api import Person
from tests.support.people import make_user, signed_in
from tests.support.tenants import TenantInfo, host_client

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[object]]
CSS = ".auth-card { outline: 3px solid rgb(1, 2, 3); }"


def embedded_state(html: str) -> Any:
    match = re.search(r'<script id="studio-state" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the studio page embeds its state"
    return json.loads(match.group(1))


def preview_urls(browser: HttpClient, values: dict[str, Any]) -> dict[str, str]:
    answer = browser.post("/settings/brand/preview/", json.dumps(values), content_type="application/json")
    assert answer.status_code == 200, answer.content
    urls: dict[str, str] = answer.json()["urls"]
    return urls


def test_studio_embeds_the_draft_and_history_and_is_drawn_without_the_custom_css(
    owner_a: Person, tenant_a: TenantInfo, django_capture_on_commit_callbacks: Capture
) -> None:
    # given: a published brand with custom CSS
    assert owner_a.patch("/api/brand/draft/", {"custom_css": CSS}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        published = owner_a.post("/api/brand/publish/").json()

    # when: its owner opens the studio
    page = signed_in(tenant_a, owner_a.user.email).get("/settings/brand/")

    # then: the draft, the history and the URLs are embedded, and the page has no custom CSS
    assert page.status_code == 200
    html = page.content.decode()
    state = embedded_state(html)
    assert state["draft"]["custom_css"] == CSS and state["draft"]["published_version"] == published["version"]
    assert state["versions"][0]["version"] == published["version"]
    assert state["urls"] == {"api": "/api/brand/", "preview": "/settings/brand/preview/"}
    assert '<style id="brand-css">' not in html
    # and: every other page carries it
    assert '<style id="brand-css">' in host_client(tenant_a.host).get("/login/").content.decode()


def test_preview_draws_unsaved_values_on_the_real_pages_for_its_author_only(
    owner_a: Person, tenant_a: TenantInfo
) -> None:
    # given: the owner's studio posts values that are not saved
    browser = signed_in(tenant_a, owner_a.user.email)
    urls = preview_urls(browser, {"display_name": "Preview Co", "primary_colour": "#0f766e", "login_headline": "Hi"})

    # when: the preview pages are drawn
    login = browser.get(urls["login"])
    email = browser.get(urls["email"])

    # then: with the unsaved values, in a frame of the same origin only
    assert login.status_code == 200 and login["X-Frame-Options"] == "SAMEORIGIN"
    assert "Hi" in login.content.decode() and "#0f766e" in login.content.decode()
    assert email.status_code == 200 and "Join Preview Co" in email.content.decode()
    # and: nothing was saved
    assert owner_a.get("/api/brand/draft/").json()["display_name"] == "Acme"
    # and: another admin of the workspace cannot open this preview
    admin = make_user(tenant_a, User.Role.ADMIN, name="Ada Admin")
    assert signed_in(tenant_a, admin.email).get(urls["login"]).status_code == 404


def test_members_cannot_open_the_studio_or_draw_a_preview(member_a: Person, tenant_a: TenantInfo) -> None:
    browser = signed_in(tenant_a, member_a.user.email)
    assert browser.get("/settings/brand/").status_code == 403
    assert browser.post("/settings/brand/preview/", "{}", content_type="application/json").status_code == 403
