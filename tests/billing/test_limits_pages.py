"""The pages turn a control off before its limit is hit, with the reason and a link to billing:
the people page's invite form, the invitation and sign-up pages, the documents upload, the
domains page's add form, and the chat's composer in a read-only workspace."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.actions.seats import active_people, promised_seats
from tenants.models import Client
from tests.support.chat_api import unique
from tests.support.limits import invitation_token, on_plan, read_only, usage
from tests.support.people import owner_client
from tests.support.tenants import TenantInfo, host_client

MB = 1024 * 1024
BILLING = 'href="/settings/billing/"'


def invite_form_disabled(html: str) -> bool:
    form = html[html.index('class="invite-form"') :]
    return bool(re.search(r'<fieldset class="plan-fieldset" disabled>', form[: form.index("</form>")]))


def config_of(html: str, element_id: str) -> dict[str, Any]:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, element_id
    return dict(json.loads(found.group(1)))


def test_invite_form_turns_off_when_the_seats_are_promised(tenant_a: TenantInfo, db: None) -> None:
    browser = owner_client(tenant_a)
    with schema_context(tenant_a.schema):
        promised = promised_seats()
    # one under: the form works
    with on_plan(tenant_a.client, "team", max_users=promised + 1):
        open_page = browser.get("/people/").content.decode()
    # at the limit: off, with the reason and the billing link
    with on_plan(tenant_a.client, "team", max_users=promised):
        full_page = browser.get("/people/").content.decode()
        # and a posted invite (an old tab) comes back with the plan's sentence
        posted = browser.post("/people/invite/", {"email": f"{unique('p')}@acme.test", "role": "member"}, follow=True)
    assert not invite_form_disabled(open_page)
    assert invite_form_disabled(full_page)
    assert "seats and all are taken" in full_page and BILLING in full_page
    assert "seats and all are taken" in posted.content.decode()


def test_invitation_page_says_the_workspace_is_full(tenant_a: TenantInfo, db: None) -> None:
    token = invitation_token(tenant_a.schema, f"{unique('full')}@acme.test")
    browser = host_client(tenant_a.host)
    with schema_context(tenant_a.schema):
        active = active_people()
    with on_plan(tenant_a.client, "team", max_users=active), usage(tenant_a.client, seats=active):
        page = browser.get(f"/invite/{token}/")
        posted = browser.post(
            f"/invite/{token}/", {"name": "Late", "password": "x-Pass-9876!", "password_confirmation": "x-Pass-9876!"}
        )
    assert page.status_code == 200
    assert "seats and all are taken" in page.content.decode()
    assert 'name="password"' not in page.content.decode()
    assert posted.status_code == 402
    assert "seats and all are taken" in posted.content.decode()
    # one seat free: the form is back
    with on_plan(tenant_a.client, "team", max_users=active + 1):
        assert 'name="password"' in browser.get(f"/invite/{token}/").content.decode()


def test_signup_page_says_the_workspace_is_full_or_read_only(tenant_a: TenantInfo, db: None) -> None:
    Client.objects.filter(pk=tenant_a.client.pk).update(open_signup=True)
    browser = host_client(tenant_a.host)
    with schema_context(tenant_a.schema):
        active = active_people()
    with on_plan(tenant_a.client, "team", max_users=active):
        full = browser.get("/signup/").content.decode()
        posted = browser.post("/signup/", {"email": f"{unique('s')}@acme.test"})
    with read_only(tenant_a.client):
        closed = browser.get("/signup/").content.decode()
    with on_plan(tenant_a.client, "team", max_users=active + 1):
        fits = browser.get("/signup/").content.decode()
    assert "seats and all are taken" in full and 'name="email"' not in full
    assert posted.status_code == 402
    assert "read-only" in closed
    assert 'name="email"' in fits


def test_documents_page_shows_the_plans_upload_size_and_turns_off_when_storage_is_full(
    tenant_a: TenantInfo, db: None, media: Path
) -> None:
    browser = owner_client(tenant_a)
    # Free: files of 10 MB
    page = browser.get("/documents/").content.decode()
    assert config_of(page, "documents-config")["max_upload_bytes"] == 10 * MB
    assert "up to 10.0\xa0MB" in page or "up to 10.0 MB" in page
    assert config_of(page, "documents-config")["upload_refused"] is None
    # storage full: the button is off, with the reason
    with on_plan(tenant_a.client, "team", max_storage_mb=0):
        full = browser.get("/documents/").content.decode()
    assert config_of(full, "documents-config")["upload_refused"]
    assert re.search(r'id="upload-btn" disabled', full)
    assert BILLING in full


def test_chat_composer_and_uploads_are_off_in_a_read_only_workspace(
    tenant_a: TenantInfo, tenant_b: TenantInfo, db: None
) -> None:
    browser_a, browser_b = owner_client(tenant_a), owner_client(tenant_b)
    with read_only(tenant_a.client):
        config_a = config_of(browser_a.get("/").content.decode(), "chat-config")
        config_b = config_of(browser_b.get("/").content.decode(), "chat-config")
    assert "read-only" in config_a["read_only"]
    assert "read-only" in config_a["upload_refused"]
    assert config_a["max_upload_bytes"] == 10 * MB
    # globex, on its own entitlement, writes as ever
    assert config_b["read_only"] is None and config_b["upload_refused"] is None


def test_domains_page_add_form_is_off_at_the_plans_limit(tenant_a: TenantInfo, db: None) -> None:
    browser: HttpClient = owner_client(tenant_a)
    free = browser.get("/settings/domains/").content.decode()
    with on_plan(tenant_a.client, "business"):
        business = browser.get("/settings/domains/").content.decode()
    assert '<fieldset class="plan-fieldset" disabled>' in free
    assert "custom domain" in free and BILLING in free
    assert '<fieldset class="plan-fieldset" disabled>' not in business
