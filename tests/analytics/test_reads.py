"""Reading is recorded for analytics once per move of the read position."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from chat.actions import do_mark_read, do_send_message
from chat.models import ReadEvent
from tests.support.sockets import MakeMember, MakeRoom
from tests.support.tenants import TenantInfo


@pytest.mark.django_db
def test_a_read_is_recorded_once_and_never_backwards(
    tenant_a: TenantInfo, make_member: MakeMember, make_room: MakeRoom
) -> None:
    ann, bob = make_member(tenant_a, name="Ann"), make_member(tenant_a, name="Bob")
    room = make_room(tenant_a, members=[ann, bob])
    with schema_context(tenant_a.schema):
        sent = [
            do_send_message(tenant=tenant_a.client, author=ann.user, room=room, body=f"hello {n}").message
            for n in range(3)
        ]
        before = ReadEvent.objects.filter(user=bob.user).count()

        do_mark_read(tenant=tenant_a.client, user=bob.user, room=room, message_id=sent[1].pk)
        do_mark_read(tenant=tenant_a.client, user=bob.user, room=room, message_id=sent[1].pk)  # another tab
        do_mark_read(tenant=tenant_a.client, user=bob.user, room=room, message_id=sent[0].pk)  # backwards
        do_mark_read(tenant=tenant_a.client, user=bob.user, room=room, message_id=sent[2].pk)

        events = list(ReadEvent.objects.filter(user=bob.user).order_by("id").values_list("from_id", "to_id"))
    assert len(events) == before + 2
    assert events[-2][1] == sent[1].pk
    assert events[-1] == (sent[1].pk, sent[2].pk)
