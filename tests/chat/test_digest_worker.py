"""The e-mail of missed mentions goes out from a real Celery worker, in the tenant's brand, once,
to the mentioned person of that tenant only."""

from __future__ import annotations

import time
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from subprocess import Popen
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import NotificationSettings
from branding.theme import theme_for
from chat.actions import do_send_message
from chat.models import Message
from chat.tasks import send_digests
from tests.support.sockets import MakeMember, MakeRoom
from tests.support.tenants import TenantInfo


def mails_in(folder: Path, to: str) -> list[EmailMessage]:
    found = []
    for path in folder.glob("*.log"):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if f"To: {to}".encode() in raw:
                found.append(message_from_bytes(raw, policy=policy.default))
    return found


def wait_for_mail(folder: Path, to: str, timeout: float = 30) -> EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := mails_in(folder, to):
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} within {timeout} s")


def test_worker_mails_a_branded_digest_once_and_only_in_its_tenant(
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    make_member: MakeMember,
    make_room: MakeRoom,
    celery_worker: Popen[bytes],
    worker_mail_dir: Path,
    django_db_blocker: Any,
) -> None:
    # given: Bob mentioned Ann 90 minutes ago; Ann has been away for two hours (committed, so
    # the worker sees it); Carol of the other tenant has the same handle-less nothing waiting
    ann, bob = make_member(tenant_a, name="Ann Away"), make_member(tenant_a, name="Bob Busy")
    carol = make_member(tenant_b, name="Carol Globex")
    room = make_room(tenant_a, members=[bob, ann], name="design-digest")
    handle = ann.user.email.split("@")[0]
    long_ago = timezone.now() - timedelta(minutes=90)
    with django_db_blocker.unblock():
        with schema_context(tenant_a.schema):
            sent = do_send_message(tenant=tenant_a.client, author=bob.user, room=room, body=f"@{handle} ship it?")
            Message.objects.filter(pk=sent.message.pk).update(created_at=long_ago)
            NotificationSettings.objects.create(user=ann.user, away_since=timezone.now() - timedelta(hours=2))
        with schema_context(tenant_b.schema):
            NotificationSettings.objects.create(user=carol.user, away_since=timezone.now() - timedelta(hours=2))

        # when: each tenant's digest runs on the worker, A's twice
        with schema_context(tenant_a.schema):
            first = send_digests.delay().get(timeout=60)
            second = send_digests.delay().get(timeout=60)
        with schema_context(tenant_b.schema):
            other = send_digests.delay().get(timeout=60)

    # then: one branded mail to Ann, with a working unsubscribe link on A's host
    message = wait_for_mail(worker_mail_dir, ann.user.email)
    brand = theme_for(tenant_a.client).display_name
    assert first >= 1 and second == 0 and other == 0
    assert message["From"].startswith(f"{brand} <")
    assert message["Subject"] == f"1 unread message for you in {brand}"
    assert message["List-Unsubscribe"].strip().startswith(f"<http://{tenant_a.host}/unsubscribe/")
    parts = {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}
    assert "ship it?" in parts["text/plain"] and "#design-digest" in parts["text/plain"]
    assert theme_for(tenant_a.client).primary_colour in parts["text/html"]
    assert len(mails_in(worker_mail_dir, ann.user.email)) == 1
    # and nobody of the other tenant was mailed
    assert mails_in(worker_mail_dir, carol.user.email) == []
