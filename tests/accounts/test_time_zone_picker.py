"""The time zone picker on the profile and workspace settings pages: every zone, grouped by
region with its offset now, in a plain <select> that works without JavaScript; a zone that does
not exist is a form error that saves nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.time_zones import grouped_time_zone_choices, label, utc_offset
from tenants.models import Client
from tests.support.accounts import create_user, signed_in
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db

WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, tzinfo=UTC)


def test_labels_name_the_place_and_its_offset_now() -> None:
    assert label("Europe/Berlin", WINTER) == "Berlin (UTC+01:00)"
    assert label("Europe/Berlin", SUMMER) == "Berlin (UTC+02:00)"
    assert label("America/Argentina/Buenos_Aires", WINTER) == "Argentina / Buenos Aires (UTC\u221203:00)"
    assert label("Asia/Kolkata", WINTER) == "Kolkata (UTC+05:30)"
    assert label("UTC", WINTER) == "UTC (UTC±00:00)"
    assert utc_offset("America/St_Johns", WINTER) == "UTC\u221203:30"


def test_choices_are_grouped_by_region_with_every_zone_once() -> None:
    groups = dict(grouped_time_zone_choices())

    assert list(groups)[:3] == ["Africa", "America", "Antarctica"] and list(groups)[-1] == "Other"
    assert "Europe/Berlin" in dict(groups["Europe"])
    assert "UTC" in dict(groups["Other"]) and "US/Eastern" in dict(groups["Other"])
    values = [value for zones in groups.values() for value, _ in zones]
    assert len(values) == len(set(values))


def test_profile_page_draws_optgroups_with_the_current_zone_selected(tenant_a: TenantInfo) -> None:
    # given
    user = create_user(tenant_a)
    with schema_context(tenant_a.schema):
        User.objects.filter(pk=user.pk).update(time_zone="Europe/Berlin")

    # when
    html = signed_in(tenant_a, user.email).get("/settings/profile/").content.decode()

    # then
    assert '<optgroup label="Europe">' in html and '<optgroup label="America">' in html
    assert re.search(r'<option value="Europe/Berlin" selected>Berlin \(UTC\+0[12]:00\)</option>', html)
    assert "data-tz-filter" in html and "js/time_zones/tz_filter" in html


def test_profile_refuses_a_zone_that_does_not_exist(tenant_a: TenantInfo) -> None:
    user = create_user(tenant_a)
    browser = signed_in(tenant_a, user.email)

    response = browser.post("/settings/profile/", {"name": "X", "time_zone": "Europe/Atlantis"})

    assert response.status_code == 400
    assert "Choose a time zone from the list." in response.content.decode()
    with schema_context(tenant_a.schema):
        assert User.objects.get(pk=user.pk).name == user.name


def test_workspace_time_zone_is_saved_for_its_workspace_only(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given
    browser = signed_in(tenant_a, tenant_a.owner_email)

    # when
    response = browser.post("/settings/workspace/", {"signup_domains": "", "time_zone": "Asia/Tokyo"})

    # then
    assert response.status_code == 302
    assert Client.objects.get(pk=tenant_a.client.pk).time_zone == "Asia/Tokyo"
    assert Client.objects.get(pk=tenant_b.client.pk).time_zone == "UTC"
    page = browser.get("/settings/workspace/").content.decode()
    assert re.search(r'<option value="Asia/Tokyo" selected>Tokyo \(UTC\+09:00\)</option>', page)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "europe/berlin", "x" * 200])
def test_workspace_settings_refuse_a_zone_that_does_not_exist(tenant_a: TenantInfo, zone: str) -> None:
    browser = signed_in(tenant_a, tenant_a.owner_email)

    response = browser.post("/settings/workspace/", {"open_signup": "on", "signup_domains": "", "time_zone": zone})

    assert response.status_code == 400
    assert "Choose a time zone from the list." in response.content.decode()
    client = Client.objects.get(pk=tenant_a.client.pk)
    assert (client.time_zone, client.open_signup) == ("UTC", False)  # nothing half-saved


def test_workspace_time_zone_is_for_owners_and_admins(tenant_a: TenantInfo) -> None:
    member = create_user(tenant_a)

    response = signed_in(tenant_a, member.email).post("/settings/workspace/", {"time_zone": "Asia/Tokyo"})

    assert response.status_code == 403
    assert Client.objects.get(pk=tenant_a.client.pk).time_zone == "UTC"
