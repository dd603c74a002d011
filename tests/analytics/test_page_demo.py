"""The demo's year of history (analytics.demo, run by `make run`'s seed): quick, in its own rooms
(the hand-written conversations of `general` stay as they are), filled at once so the page has
figures, and written only once."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django_tenants.utils import schema_context

from accounts.models import User
from analytics.demo import COLLEAGUES, DAYS, ROOMS, seed_activity
from analytics.platform.models import FillState
from analytics.queries import Range, overview, today_for
from analytics.stats import BY_PROPERTY
from chat.models import Message, Room
from tenants.demo import DemoTenant, DemoWorkspace
from tests.support.analytics import fresh_workspace

SECONDS_ALLOWED = 10


def test_the_demo_seeds_a_year_quickly_and_once(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock(), fresh_workspace(prefix="dm", time_zone="Europe/Berlin") as tenant:
        # given the workspace as the demo's Acme
        demo = [DemoTenant(client=tenant.client, spec=DemoWorkspace("acme", "Acme", (tenant.owner_email, "Owner")))]
        with schema_context(tenant.schema):
            general = Room.objects.get(slug="general")
            before = general.messages.count()

        # when the step runs
        started = time.monotonic()
        seed_activity(demo)
        took = time.monotonic() - started

        # then a year of messages is in the working rooms, quickly, and general is untouched
        assert took < SECONDS_ALLOWED, f"the demo's history took {took:.1f} s"
        with schema_context(tenant.schema):
            written = Message.objects.count() - before
            assert 15_000 <= written <= 25_000
            rooms = {room.name: room.messages.count() for room in Room.objects.filter(name__in=[n for n, _ in ROOMS])}
            assert len(rooms) == len(ROOMS) and all(rooms.values())
            assert general.messages.count() == before
            # read to their newest message by everyone in them: no 99+ in the sidebar
            for room in Room.objects.filter(name__in=rooms):
                newest = room.messages.order_by("-id").values_list("id", flat=True).first()
                assert set(room.memberships.values_list("last_read_id", flat=True)) == {newest}
            oldest = Message.objects.order_by("created_at").first()
            assert oldest is not None and oldest.created_at.date() <= today_for(tenant.client) - timedelta(
                days=DAYS - 1
            )
            colleagues = User.objects.filter(email__in=[email for email, _, _ in COLLEAGUES])
            assert colleagues.count() == len(COLLEAGUES) and colleagues.filter(is_bot=True).count() == 1
        # and the rollups are filled, so the page shows the year at once
        states = FillState.objects.filter(client=tenant.client)
        assert {state.property for state in states} == set(BY_PROPERTY)
        yesterday = today_for(tenant.client) - timedelta(days=1)
        year = overview(tenant.client, range=Range(start=yesterday - timedelta(days=364), end=yesterday))
        assert year["metrics"]["messages_sent"]["total"] >= 15_000
        assert year["metrics"]["messages_sent"]["points"][-1]["bots"] > 0

        # when it runs again, nothing changes
        seed_activity(demo)
        with schema_context(tenant.schema):
            assert Message.objects.count() - before == written
