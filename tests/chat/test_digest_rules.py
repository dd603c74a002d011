"""When the e-mail of missed mentions and direct messages goes out, and what it holds (run in
this process; tests/chat/test_digest_worker.py has a real worker send it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import NotificationSettings
from chat import digest
from chat.actions import do_mark_read
from chat.models import Message, Room
from tests.support.chat_api import Person, make_room, person, post_messages
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


def handle(who: Person) -> str:
    return who.user.email.split("@")[0]


def away(tenant: TenantInfo, who: Person, *, minutes: int, delay: int | None = 60) -> None:
    with schema_context(tenant.schema):
        NotificationSettings.objects.update_or_create(
            user=who.user, defaults={"away_since": timezone.now() - timedelta(minutes=minutes), "digest_delay": delay}
        )


def age(tenant: TenantInfo, messages: list[Message], *, minutes: int) -> None:
    with schema_context(tenant.schema):
        Message.objects.filter(pk__in=[m.pk for m in messages]).update(
            created_at=timezone.now() - timedelta(minutes=minutes)
        )


def run(tenant: TenantInfo, capture: Any) -> list[Any]:
    with capture(execute=True), schema_context(tenant.schema):
        digest.send_digests(tenant=tenant.client, now=timezone.now())
    return list(mail.outbox)


def mails_to(outbox: list[Any], who: Person) -> list[Any]:
    return [m for m in outbox if who.user.email in m.to]


def test_digest_holds_unread_mentions_and_direct_messages_once(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: Any
) -> None:
    # given: Bob mentions Ann in a room and writes to her directly; another message names nobody
    ann, bob = person(tenant_a, "Ann Away"), person(tenant_a, "Bob Busy")
    room = make_room(tenant_a, bob, members=(ann,), name="design")
    sent = post_messages(tenant_a, bob, room, [f"@{handle(ann)} the mockups are ready", "lunch anyone?"])
    dm_id = bob.post("/api/direct/", {"users": [ann.id]}).json()["id"]
    with schema_context(tenant_a.schema):
        direct = Room.objects.get(pk=dm_id)
    sent += post_messages(tenant_a, bob, direct, ["a private word"])
    age(tenant_a, sent, minutes=90)
    away(tenant_a, ann, minutes=120)

    # when: the digest runs twice
    first = mails_to(run(tenant_a, django_capture_on_commit_callbacks), ann)
    mail.outbox.clear()
    second = mails_to(run(tenant_a, django_capture_on_commit_callbacks), ann)

    # then: one mail with the mention and the DM, not the other message; nothing the second time
    assert len(first) == 1 and second == []
    message = first[0]
    assert message.subject.startswith("2 unread messages for you in ")
    assert "the mockups are ready" in message.body and "a private word" in message.body
    assert "lunch anyone" not in message.body
    assert "#design" in message.body and "a direct message from Bob Busy" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<http://{tenant_a.host}/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert "the mockups are ready" in html and unsubscribe.strip("<>") in html


def test_digest_waits_for_the_persons_delay_and_skips_what_was_read(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: Any
) -> None:
    ann, bob = person(tenant_a), person(tenant_a)
    room = make_room(tenant_a, bob, members=(ann,))
    sent = post_messages(tenant_a, bob, room, [f"@{handle(ann)} one"])
    age(tenant_a, sent, minutes=30)

    # away 30 minutes with an hour's delay: not yet
    away(tenant_a, ann, minutes=30, delay=60)
    assert mails_to(run(tenant_a, django_capture_on_commit_callbacks), ann) == []
    # digest off: never
    away(tenant_a, ann, minutes=600, delay=None)
    age(tenant_a, sent, minutes=600)
    assert mails_to(run(tenant_a, django_capture_on_commit_callbacks), ann) == []
    # read before the delay ran out: nothing to tell
    away(tenant_a, ann, minutes=600, delay=10)
    with schema_context(tenant_a.schema):
        do_mark_read(tenant=tenant_a.client, user=ann.user, room=room, message_id=sent[0].pk)
    assert mails_to(run(tenant_a, django_capture_on_commit_callbacks), ann) == []


def test_digest_of_one_tenant_never_mails_or_lists_the_other(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a due mention in A; B's people have their own ids and nothing waiting
    ann, bob = person(tenant_a, "Ann Acme"), person(tenant_a)
    carol = person(tenant_b, "Carol Globex")
    room = make_room(tenant_a, bob, members=(ann,))
    sent = post_messages(tenant_a, bob, room, [f"@{handle(ann)} hello, and @{handle(carol)} too"])
    age(tenant_a, sent, minutes=90)
    away(tenant_a, ann, minutes=120)
    away(tenant_b, carol, minutes=120)

    outbox_a = run(tenant_a, django_capture_on_commit_callbacks)
    outbox_b = run(tenant_b, django_capture_on_commit_callbacks)

    # then: only Ann is mailed, and only from A's digest
    assert [m.to for m in outbox_a if carol.user.email in m.to] == []
    assert [m.to for m in outbox_b if carol.user.email in m.to] == []
    assert len(mails_to(outbox_a, ann)) == 1
    assert "Carol Globex" not in mails_to(outbox_a, ann)[0].body
