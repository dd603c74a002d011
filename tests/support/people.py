"""People of a tenant made through the actions, and the owner's and others' clients."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlsplit

from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.http import HttpResponse
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.actions import do_create_user
from accounts.models import Invitation, User
from tests.support.tenants import PASSWORD, TenantInfo, host_client, login

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def unique_email(tenant: TenantInfo, prefix: str = "person") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@{tenant.client.slug}.test"


def make_user(tenant: TenantInfo, role: str = User.Role.MEMBER, *, name: str = "", email: str | None = None) -> User:
    with schema_context(tenant.schema):
        return do_create_user(email=email or unique_email(tenant, role), password=PASSWORD, name=name, role=role)


def signed_in(tenant: TenantInfo, email: str) -> HttpClient:
    browser = host_client(tenant.host)
    login(browser, email)
    return browser


def owner_client(tenant: TenantInfo) -> HttpClient:
    return signed_in(tenant, tenant.owner_email)


def fetch(tenant: TenantInfo, model: type[User] | type[Invitation], **lookup: Any) -> Any:
    with schema_context(tenant.schema):
        return model.objects.filter(**lookup).first()


def messages_of(response: HttpResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def invite_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^\s/]+/invite/[^\s/]+/", str(message.body))
    assert match, message.body
    return match.group(0)


def path_of(url: str) -> str:
    return urlsplit(url).path


def invite(
    browser: HttpClient, capture: CaptureOnCommit, *, email: str, role: str = User.Role.MEMBER
) -> tuple[HttpResponse, str | None]:
    """Invite through the page; the link from the e-mail it sent, if one was sent."""
    before = len(mail.outbox)
    with capture(execute=True):
        response = browser.post("/people/invite/", {"email": email, "role": role})
    sent = mail.outbox[before:]
    return response, invite_link(sent[-1]) if sent else None


def _align_user_ids(*schemas: str) -> None:
    """Make the next user id the same in every schema (sequences ignore rollbacks, so the
    tenants' counters drift apart over runs)."""
    seq = "pg_get_serial_sequence('accounts_user', 'id')"
    nexts = []
    for schema in schemas:
        with schema_context(schema), connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval({seq})")  # fixed SQL
            nexts.append(cursor.fetchone()[0])
    target = max(nexts) + 1
    for schema in schemas:
        with schema_context(schema), connection.cursor() as cursor:
            cursor.execute(f"SELECT setval({seq}, %s, false)", [target])  # fixed SQL


def twin_users(tenant_a: TenantInfo, tenant_b: TenantInfo, role: str = User.Role.MEMBER) -> tuple[User, User]:
    """A person in each tenant, both with the same id."""
    _align_user_ids(tenant_a.schema, tenant_b.schema)
    a, b = make_user(tenant_a, role, name="Twin of Acme"), make_user(tenant_b, role, name="Twin of Globex")
    assert a.pk == b.pk
    return a, b
