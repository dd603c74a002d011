"""Passwords as a person uses them: a new one to choose, the reset request and the link its
e-mail carries, and whether a session, an API token or a password still works."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core import mail
from django.test import Client as HttpClient

from tests.support.tenants import TenantInfo, host_client

NEW_PASSWORD = "a-brand-new-pass-77"
Capture = Callable[..., Any]


def api_status(tenant: TenantInfo, access: str) -> int:
    return host_client(tenant.host).get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {access}").status_code


def is_signed_in(browser: HttpClient) -> bool:
    return browser.get("/settings/password/").status_code == 200


def can_sign_in(tenant: TenantInfo, email: str, password: str) -> bool:
    response = host_client(tenant.host).post("/login/", {"username": email, "password": password})
    return response.status_code == 302


def request_reset(browser: HttpClient, email: str, capture: Capture) -> Any:
    with capture(execute=True):
        return browser.post("/password/reset/", {"email": email})


def link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+/password/reset/[^/\s]+/[^/\s]+/", str(message.body))
    assert found, message.body
    return found.group(0)
