"""The analytics page (`/analytics/`) over HTTP: owners and admins see their own workspace's
figures, embedded as JSON and written in the cards and tables; members get the 403 page and
the signed-out the sign-in page; a range that cannot be read is a 400 page that says why; a new
workspace gets the empty state; and two workspaces with different numbers never see each
other's. The workspaces are new for this module and committed (the fill commits)."""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.models import User
from analytics.fill import fill_tenant
from analytics.queries import today_for
from analytics.seeding import insert_messages, make_people, make_rooms
from tests.support.analytics import fresh_workspace
from tests.support.tenants import PASSWORD, TenantInfo, host_client, login

UTC = zoneinfo.ZoneInfo("UTC")
DATA = re.compile(r'<script id="analytics-data" type="application/json">(.*?)</script>', re.S)


@dataclass(frozen=True)
class Seeded:
    tenant: TenantInfo
    messages: int
    room: str
    person: str


def seed(tenant: TenantInfo, *, messages: int, room: str, person: str) -> Seeded:
    """`messages` messages by one person in one room, three days ago (noon UTC), filled."""
    with schema_context(tenant.schema):
        people = make_people(1, prefix=person)
        made = make_rooms(1, prefix=room, members=people)
        at = datetime.combine(today_for(tenant.client) - timedelta(days=3), time(12), tzinfo=UTC)
        insert_messages([(made[0].pk, people[0].pk, at + timedelta(seconds=n), "hello") for n in range(messages)])
    fill_tenant(tenant.client)
    return Seeded(tenant=tenant, messages=messages, room=made[0].name, person=people[0].name)


@pytest.fixture(scope="module")
def two(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[Seeded, Seeded]]:
    with (
        django_db_blocker.unblock(),
        fresh_workspace(prefix="pa", time_zone="UTC") as first,
        fresh_workspace(prefix="pb", time_zone="UTC") as second,
    ):
        yield (
            seed(first, messages=37, room="alpha", person="ada"),
            seed(second, messages=58, room="bravo", person="bea"),
        )


@pytest.fixture
def db_open(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        yield


def owner_client(tenant: TenantInfo) -> HttpClient:
    client = host_client(tenant.host)
    login(client, tenant.owner_email)
    return client


def embedded(html: str) -> dict[str, Any]:
    found = DATA.search(html)
    assert found, "the page embeds no figures"
    return json.loads(found.group(1))


def test_the_owner_sees_the_workspace_figures_embedded_and_written(two: tuple[Seeded, Seeded], db_open: None) -> None:
    # given a workspace with 37 messages three days ago
    first, _ = two

    # when its owner opens the page for the last 7 days
    response = owner_client(first.tenant).get("/analytics/?range=7")

    # then the figures are embedded for the charts, with no request of their own
    assert response.status_code == 200
    html = response.content.decode()
    data = embedded(html)["overview"]
    messages = data["metrics"]["messages_sent"]
    assert messages["total"] == 37
    assert sum(point["people"] for point in messages["points"]) == 37
    assert data["interval"] == "day" and len(messages["points"]) == 7
    # and written in the page: the card's total, the change, the busiest channel and person
    card = html[html.index('id="metric-messages_sent"') :]
    assert '<span class="an-total-value" data-total>37</span>' in card
    assert "37 by people · 0 by bots" in card
    assert 'data-change="none"' in card  # nothing in the week before to compare with
    assert f"#{first.room}" in html and first.person in html
    assert 'aria-current="true">7 days</a>' in html
    assert 'href="/analytics/export.csv?from=' in html
    assert "Figures up to the end of" in html
    # and the top bar marks the page
    assert re.search(r'<a href="/analytics/" aria-current="page">Analytics</a>', html)


def test_an_admin_may_see_the_page_and_a_member_may_not(two: tuple[Seeded, Seeded], db_open: None) -> None:
    # given an admin and a member of the first workspace
    first, _ = two
    with schema_context(first.tenant.schema):
        for role in (User.Role.ADMIN, User.Role.MEMBER):
            User.objects.filter(email=f"{role}@page.test").delete()
            User.objects.create_user(f"{role}@page.test", PASSWORD, name=role.title(), role=role)
    admin, member = host_client(first.tenant.host), host_client(first.tenant.host)
    login(admin, "admin@page.test")
    login(member, "member@page.test")

    # when both open the page
    allowed, refused = admin.get("/analytics/"), member.get("/analytics/")

    # then the admin sees the figures; the member gets the 403 page with the reason, and no link
    assert allowed.status_code == 200
    assert embedded(allowed.content.decode())["overview"]["metrics"]["messages_sent"]["total"] == 37
    assert refused.status_code == 403
    assert "Only the workspace" in refused.content.decode()
    assert 'href="/analytics/"' not in member.get("/documents/").content.decode()


def test_the_signed_out_are_sent_to_sign_in(two: tuple[Seeded, Seeded], db_open: None) -> None:
    first, _ = two
    response = host_client(first.tenant.host).get("/analytics/?range=90")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/analytics/")


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("from=2026-02-30&to=2026-03-05", "The start date is not a real date"),
        ("from=yesterday", "The start date must be a date written YYYY-MM-DD"),
        ("from=2026-03-05&to=2026-03-01", "The start date (2026-03-05) is after the end date (2026-03-01)"),
        ("from=2000-01-01&to=2026-03-01", "ask for at most 731 days"),
        ("range=14", "The range must be one of 7, 30, 90, 365"),
        ("range=30&interval=hour", "Unknown interval"),
    ],
)
def test_a_range_that_cannot_be_read_is_a_400_page_that_says_why(
    two: tuple[Seeded, Seeded], db_open: None, query: str, words: str
) -> None:
    first, _ = two
    response = owner_client(first.tenant).get(f"/analytics/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'<p class="alert alert-error" role="alert" id="range-error">(.*?)</p>', html)
    assert error, html[:2000]
    assert words in error.group(1).replace("&#x27;", "'")
    assert "Showing the last 30 days instead." in error.group(1)
    # and the page still shows the default range
    assert embedded(html)["overview"]["metrics"]["messages_sent"]["total"] == 37


def test_a_preset_keeps_its_name_and_dates_changed_by_hand_win(two: tuple[Seeded, Seeded], db_open: None) -> None:
    first, _ = two
    client = owner_client(first.tenant)
    today = today_for(first.tenant.client)
    yesterday = today - timedelta(days=1)

    # 12 months by month unless asked otherwise
    data = embedded(client.get("/analytics/?range=365").content.decode())["overview"]
    assert (data["interval"], data["from"]) == ("month", str(yesterday - timedelta(days=364)))
    data = embedded(client.get("/analytics/?range=365&interval=week").content.decode())["overview"]
    assert data["interval"] == "week"
    # the form sends the preset with the dates it showed: changed dates are a range of one's own
    start = today - timedelta(days=4)
    html = client.get(f"/analytics/?range=7&from={start}&to={today}&interval=day").content.decode()
    data = embedded(html)["overview"]
    assert (data["from"], data["to"]) == (str(start), str(today))
    assert 'aria-current="true"' not in html
    # and dates that are a preset's are that preset
    html = client.get(f"/analytics/?from={yesterday - timedelta(days=29)}&to={yesterday}").content.decode()
    assert 'aria-current="true">30 days</a>' in html


def test_a_workspace_never_sees_another_workspace_figures(two: tuple[Seeded, Seeded], db_open: None) -> None:
    # given two workspaces with 37 and 58 messages
    first, second = two

    # when the second's owner opens the page
    html = owner_client(second.tenant).get("/analytics/?range=7").content.decode()

    # then only the second's figures are there, none of the first's names
    assert embedded(html)["overview"]["metrics"]["messages_sent"]["total"] == 58
    assert f"#{second.room}" in html and second.person in html
    assert first.room not in html and first.person not in html
    assert '<span class="an-total-value" data-total>37</span>' not in html

    # and the first's owner, signed in there, gets nothing of the second's host
    crossing = owner_client(first.tenant)
    crossing.defaults["HTTP_HOST"] = second.tenant.host
    response = crossing.get("/analytics/?range=7")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert second.room not in response.content.decode()


def test_a_new_workspace_gets_the_empty_state(django_db_setup: None, db_open: None) -> None:
    # given a workspace with no activity yet
    with fresh_workspace(prefix="pe", time_zone="UTC") as tenant:
        # when its owner opens the page
        response = owner_client(tenant).get("/analytics/")

        # then it explains what will appear and when, and draws no chart
        assert response.status_code == 200
        html = response.content.decode()
        assert "Your workspace\u2019s figures will appear here" in html
        assert "counted every hour" in html and "after each day ends" in html
        assert "data-chart=" not in html and 'id="analytics-data"' not in html
        assert "No figures counted yet" in html
