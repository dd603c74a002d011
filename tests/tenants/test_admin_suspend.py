"""Suspending clients from the admin goes through a confirmation page that asks why; the reason
is shown on the list and the change page, and kept in the history after reactivation."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tenants.models import Client, SuspensionRecord
from tests.support.tenants import TenantInfo, host_client

pytestmark = pytest.mark.django_db

LIST = "/admin/tenants/client/"


def new_records(client_pk: int, after: int) -> list[tuple[str, str, str]]:
    """History lines written since `after` (tests that commit leave lines of their own)."""
    records = SuspensionRecord.objects.filter(client_id=client_pk, pk__gt=after)
    return list(records.values_list("action", "reason", "by"))


def last_record_pk() -> int:
    return SuspensionRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def suspend(browser: HttpClient, *clients: Client, reason: str | None) -> object:
    data: dict[str, object] = {"action": "suspend", "_selected_action": [c.pk for c in clients]}
    if reason is not None:
        data |= {"apply": "1", "reason": reason}
    return browser.post(LIST, data)


def test_suspend_asks_for_a_reason_first_and_changes_nothing_until_confirmed(
    staff_browser: HttpClient, tenant_b: TenantInfo
) -> None:
    # when: staff choose the action on the list
    page = suspend(staff_browser, tenant_b.client, reason=None)

    # then: a confirmation page naming the workspace, with a reason field; B still works
    html = page.content.decode()  # type: ignore[attr-defined]
    assert page.status_code == 200  # type: ignore[attr-defined]
    assert "Suspend workspaces" in html and "Globex" in html
    assert 'name="reason"' in html and "Yes, suspend" in html
    assert Client.objects.get(pk=tenant_b.client.pk).status == "active"


@pytest.mark.parametrize("reason", ["", "   "])
def test_suspend_without_a_reason_is_refused(staff_browser: HttpClient, tenant_b: TenantInfo, reason: str) -> None:
    before = last_record_pk()

    response = suspend(staff_browser, tenant_b.client, reason=reason)

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Say why these workspaces are suspended." in response.content.decode()  # type: ignore[attr-defined]
    assert Client.objects.get(pk=tenant_b.client.pk).status == "active"
    assert new_records(tenant_b.client.pk, before) == []


def test_suspend_with_a_reason_keeps_it_shows_it_and_leaves_the_other_tenant_alone(
    staff_browser: HttpClient, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    # when
    before = last_record_pk()
    response = suspend(staff_browser, tenant_b.client, reason="Chargeback on invoice 42")

    # then: B is shut out with the reason kept; A is untouched
    assert response.status_code == 302  # type: ignore[attr-defined]
    client = Client.objects.get(pk=tenant_b.client.pk)
    assert (client.status, client.suspension_reason) == ("suspended", "Chargeback on invoice 42")
    assert host_client(tenant_b.host).get("/login/").status_code == 403
    assert host_client(tenant_a.host).get("/login/").status_code == 200
    assert Client.objects.get(pk=tenant_a.client.pk).suspension_reason == ""
    # shown on the list and on the change page, with its history line and who did it
    assert "Chargeback on invoice 42" in staff_browser.get(LIST).content.decode()
    change = staff_browser.get(f"{LIST}{client.pk}/change/").content.decode()
    assert "Chargeback on invoice 42" in change and "Suspension history" in change
    assert new_records(client.pk, before) == [("suspended", "Chargeback on invoice 42", "staff@platform.test")]


def test_reactivate_clears_the_reason_and_keeps_the_history(staff_browser: HttpClient, tenant_b: TenantInfo) -> None:
    # given
    before = last_record_pk()
    suspend(staff_browser, tenant_b.client, reason="Abuse report 7")

    # when
    staff_browser.post(LIST, {"action": "reactivate", "_selected_action": [tenant_b.client.pk]})

    # then
    client = Client.objects.get(pk=tenant_b.client.pk)
    assert (client.status, client.suspension_reason) == ("active", "")
    assert host_client(tenant_b.host).get("/login/").status_code == 200
    assert [line[:2] for line in new_records(client.pk, before)] == [
        ("reactivated", ""),
        ("suspended", "Abuse report 7"),
    ]
    assert "Abuse report 7" in staff_browser.get(f"{LIST}{client.pk}/change/").content.decode()


def test_a_reason_longer_than_the_column_is_refused(staff_browser: HttpClient, tenant_b: TenantInfo) -> None:
    response = suspend(staff_browser, tenant_b.client, reason="x" * 501)

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert Client.objects.get(pk=tenant_b.client.pk).status == "active"


def test_the_status_cannot_be_changed_around_the_action(staff_browser: HttpClient, tenant_b: TenantInfo) -> None:
    # The change form shows the status and reason read-only: suspension needs its reason.
    page = staff_browser.get(f"{LIST}{tenant_b.client.pk}/change/").content.decode()

    assert 'name="status"' not in page and 'name="suspension_reason"' not in page
