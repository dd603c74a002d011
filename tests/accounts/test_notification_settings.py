"""A person's notification settings on their profile page, given to the chat page, and the
digest's unsubscribe link that works without signing in, on its own tenant only."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.models import NotificationSettings, User
from accounts.notifications import unsubscribe_token
from tests.support.people import make_user, signed_in, twin_users
from tests.support.tenants import TenantInfo, host_client

pytestmark = pytest.mark.django_db


def stored(tenant: TenantInfo, user: User) -> NotificationSettings | None:
    with schema_context(tenant.schema):
        return NotificationSettings.objects.filter(user=user).first()


def chat_config(client: HttpClient) -> dict[str, object]:
    page = client.get("/").content.decode()
    found = re.search(r'<script id="chat-config" type="application/json">(.*?)</script>', page, re.S)
    assert found, "the chat page has its config"
    config: dict[str, object] = json.loads(found.group(1))
    return config


def test_settings_are_saved_on_the_profile_page_and_reach_the_chat_page(tenant_a: TenantInfo) -> None:
    # given: someone who never changed anything has the defaults
    user = make_user(tenant_a)
    client = signed_in(tenant_a, user.email)
    page = client.get("/settings/profile/")
    assert page.status_code == 200
    assert b"Notifications" in page.content and b'value="60" selected="selected"' in page.content
    assert chat_config(client)["notifications"] == {"desktop": True, "sound": True}

    # when: sound off, digest after 10 minutes, desktop left on
    response = client.post(
        "/settings/profile/",
        {"form": "notifications", "notifications-desktop": "on", "notifications-digest": "10"},
    )

    # then
    assert response.status_code == 302
    saved = stored(tenant_a, user)
    assert saved is not None and (saved.desktop, saved.sound, saved.digest_delay) == (True, False, 10)
    assert chat_config(client)["notifications"] == {"desktop": True, "sound": False}
    assert b'value="10" selected="selected"' in client.get("/settings/profile/").content


def test_settings_refuse_an_unknown_delay_and_save_nothing(tenant_a: TenantInfo) -> None:
    user = make_user(tenant_a)
    client = signed_in(tenant_a, user.email)

    response = client.post("/settings/profile/", {"form": "notifications", "notifications-digest": "7"})

    assert response.status_code == 400
    assert b"Choose when the e-mail goes out, or Never." in response.content
    assert stored(tenant_a, user) is None


def test_unsubscribe_link_works_signed_out_and_twice(tenant_a: TenantInfo) -> None:
    # given: a person with the default digest, and the link of their e-mail
    user = make_user(tenant_a)
    token = unsubscribe_token(tenant=tenant_a.client, user=user)
    anonymous = host_client(tenant_a.host)

    # when: opened without signing in (as a mail scanner would), nothing changes yet
    asked = anonymous.get(f"/unsubscribe/{token}/")
    assert asked.status_code == 200
    assert b"Stop the e-mails of missed messages?" in asked.content
    assert stored(tenant_a, user) is None

    # when: the page's button is pressed, then again
    first = anonymous.post(f"/unsubscribe/{token}/")
    again = anonymous.post(f"/unsubscribe/{token}/")

    # then: a confirmation each time, and the digest is off
    assert first.status_code == again.status_code == 200
    assert b"You will get no more e-mails of missed messages" in first.content
    saved = stored(tenant_a, user)
    assert saved is not None and saved.digest_delay is None


def test_unsubscribe_one_click_post_from_a_mail_client(tenant_a: TenantInfo) -> None:
    user = make_user(tenant_a)
    token = unsubscribe_token(tenant=tenant_a.client, user=user)
    mail_client = HttpClient(HTTP_HOST=tenant_a.host, enforce_csrf_checks=True)

    response = mail_client.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    saved = stored(tenant_a, user)
    assert saved is not None and saved.digest_delay is None


def test_unsubscribe_with_a_tampered_token_is_400_and_changes_nothing(tenant_a: TenantInfo) -> None:
    user = make_user(tenant_a)
    token = unsubscribe_token(tenant=tenant_a.client, user=user)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    response = host_client(tenant_a.host).get(f"/unsubscribe/{tampered}/")

    assert response.status_code == 400
    assert b"This unsubscribe link is broken" in response.content
    assert stored(tenant_a, user) is None


def test_unsubscribe_with_another_tenants_token_is_404_and_changes_nothing(
    tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    # given: two people with the same id, one per tenant; the link of B's
    in_a, in_b = twin_users(tenant_a, tenant_b)
    token_b = unsubscribe_token(tenant=tenant_b.client, user=in_b)

    # when: it is opened on A's host
    response = host_client(tenant_a.host).get(f"/unsubscribe/{token_b}/")

    # then: not found, and neither twin changed
    assert response.status_code == 404
    assert b"not for" in response.content
    assert stored(tenant_a, in_a) is None
    assert stored(tenant_b, in_b) is None
