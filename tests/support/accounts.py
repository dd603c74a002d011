"""Accounts made through the actions and signed in through the pages or the token endpoint."""

from __future__ import annotations

import uuid
from typing import Any

from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.actions import do_create_user
from accounts.models import User
from tests.support.tenants import PASSWORD, TenantInfo, host_client, login


def unique_email(tenant: TenantInfo, prefix: str = "person") -> str:
    # Mail actions rate-limit per address in Redis, which outlives the rolled-back test.
    return f"{prefix}-{uuid.uuid4().hex[:12]}@{tenant.client.slug}.test"


def create_user(tenant: TenantInfo, email: str | None = None, **fields: Any) -> User:
    with schema_context(tenant.schema):
        return do_create_user(email=email or unique_email(tenant), password=PASSWORD, **fields)


def anonymous(tenant: TenantInfo) -> HttpClient:
    """A browser from an address of its own: the reset form is rate-limited per address."""
    octets = uuid.uuid4().bytes
    return HttpClient(HTTP_HOST=tenant.host, REMOTE_ADDR=f"10.{octets[0]}.{octets[1]}.{octets[2]}")


def signed_in(tenant: TenantInfo, email: str, password: str = PASSWORD) -> HttpClient:
    browser = host_client(tenant.host)
    login(browser, email, password)
    return browser


def api_token(tenant: TenantInfo, email: str, password: str = PASSWORD) -> str:
    response = host_client(tenant.host).post(
        "/api/auth/token/", {"email": email, "password": password}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return str(response.json()["access"])
