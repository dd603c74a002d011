"""Analytics' demo data (tenants.demo): a year of Acme's history, so `/analytics/` has something
to show the moment `make run` starts.

Acme gets a few colleagues (joined over the year, one of them a bot) and three working rooms
whose past is written by `analytics.seeding.seed_history`; `general` and `random` keep only the
hand-written conversations of `chat.demo`, so they still read well. The rollups are then filled
at once rather than at beat's next hour. Runs after chat's step (its rooms and people exist)
and only while the working rooms are absent, so seeding twice changes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.actions import do_create_user
from accounts.models import User
from analytics.fill import fill_tenant
from analytics.seeding import Cast, seed_history
from chat.actions import do_create_room
from chat.models import Membership, Message, Room
from tenants.db import in_tenant
from tenants.demo import DemoTenant, find

logger = logging.getLogger(__name__)

# The rooms that hold the history, busiest first (seed_history favours the first ones). Their
# names sort after `general`, which the chat opens first (its sidebar is alphabetical).
ROOMS = (
    ("product", "Builds, reviews and releases"),
    ("support", "Customer questions"),
    ("sales", "Deals and calls"),
)
# (e-mail, name, days ago they joined); the last one speaks for a program.
COLLEAGUES = (
    ("dana@acme.test", "Dana Diaz", 340),
    ("eli@acme.test", "Eli Evans", 290),
    ("fay@acme.test", "Fay Fischer", 200),
    ("gus@acme.test", "Gus Green", 120),
    ("hana@acme.test", "Hana Hill", 45),
    ("deploy-bot@acme.test", "Deploy Bot", 300),
)
DAYS = 365
# Enough for a year to look lived in (about 80 a working day), few enough to seed in seconds.
MESSAGES = 20_000


def seed_activity(tenants: Sequence[DemoTenant]) -> None:
    acme = find(tenants, "acme")
    if acme is None:
        return
    started = time.monotonic()
    with in_tenant(acme.client):
        if Room.objects.filter(name=ROOMS[0][0]).exists():
            return
        owner = User.objects.get(email=acme.spec.owner[0])
        people = [*User.objects.filter(email__in=acme.spec.emails), *_colleagues()]
        rooms = [
            do_create_room(tenant=acme.client, name=name, creator=owner, topic=topic, members=people)
            for name, topic in ROOMS
        ]
        written = seed_history(
            cast=Cast(people=[person.pk for person in people], rooms=[room.pk for room in rooms]),
            days=DAYS,
            messages=MESSAGES,
        )
        # Everyone has read the past (seed_history's read events say so), so the sidebar shows
        # no 99+ of a year ago. Set directly: the read action would count today's reads.
        newest = Message.objects.filter(room=OuterRef("room")).order_by("-id").values("id")[:1]
        Membership.objects.filter(room__in=rooms).update(last_read_id=Subquery(newest))
    fill_tenant(acme.client)
    logger.info("analytics demo: %s messages over %s days, filled in %.1f s", written, DAYS, time.monotonic() - started)


def _colleagues() -> list[User]:
    """Demo people who cannot sign in, dated as if they had joined through the year (the
    new-people chart); the connection is in Acme's schema."""
    now = timezone.now()
    made = []
    for email, name, days_ago in COLLEAGUES:
        person = do_create_user(email=email, password=None, name=name)
        # Backdated after the action: actions date everything now, the chart needs the past.
        User.objects.filter(pk=person.pk).update(
            date_joined=now - timedelta(days=days_ago), is_bot=email.startswith("deploy-bot")
        )
        made.append(person)
    return made
