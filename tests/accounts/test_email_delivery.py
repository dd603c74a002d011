"""Account e-mail leaves through a real Celery worker after the commit, in the tenant's name."""

from __future__ import annotations

import time
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from subprocess import Popen

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.actions import do_create_user
from branding.theme import theme_for
from tests.support.tenants import PASSWORD, TenantInfo

pytestmark = pytest.mark.django_db


def wait_for_mail(folder: Path, to: str, timeout: float = 30) -> EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in folder.glob("*.log"):
            raw = path.read_bytes()
            if f"To: {to}".encode() in raw:
                return message_from_bytes(raw.split(b"\n" + b"-" * 79 + b"\n")[0], policy=policy.default)
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} within {timeout} s")


def test_reset_mail_is_delivered_by_the_worker_in_the_tenants_name(
    client_a: HttpClient,
    tenant_a: TenantInfo,
    celery_worker: Popen[bytes],
    worker_mail_dir: Path,
    settings: object,
    mailoutbox: list[object],
    django_capture_on_commit_callbacks: object,
) -> None:
    # given: mail goes through Celery, as in production
    settings.EMAIL_ASYNC = True  # type: ignore[attr-defined]
    email = f"mail-{uuid.uuid4().hex[:8]}@example.test"
    with schema_context(tenant_a.schema):
        do_create_user(email=email, password=PASSWORD, name="Mia Mail")

    # when
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client_a.post("/api/auth/password/reset/", {"email": email}, content_type="application/json")

    # then: nothing was sent from the web process; the worker sent a branded mail
    assert response.status_code == 202
    assert mailoutbox == []
    message = wait_for_mail(worker_mail_dir, email)
    brand = theme_for(tenant_a.client).display_name
    assert message["From"].startswith(f"{brand} <")
    assert brand in message["Subject"]
    parts = {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}
    assert "http://acme.localhost/password/reset/" in parts["text/plain"]
    assert theme_for(tenant_a.client).primary_colour in parts["text/html"]
