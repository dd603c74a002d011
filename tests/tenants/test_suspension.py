"""A suspended tenant is shut out of every door; reactivation opens them again."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from tenants.actions import do_reactivate_client, do_suspend_client
from tenants.models import Client
from tests.support.sockets import close_code
from tests.support.tenants import TenantInfo, host_client, login


@pytest.fixture
def suspended_b(db: None, tenant_b: TenantInfo) -> TenantInfo:
    # A fresh row: the session fixture's instance must not carry this test's state.
    client = Client.objects.get(pk=tenant_b.client.pk)
    do_suspend_client(client, reason="unpaid")
    return TenantInfo(client=client, host=tenant_b.host, owner_email=tenant_b.owner_email)


def test_suspended_tenant_pages_show_the_suspended_page(suspended_b: TenantInfo) -> None:
    browser = host_client(suspended_b.host)

    for path in ["/", "/login/"]:
        response = browser.get(path)
        assert response.status_code == 403
        assert "suspended" in response.content.decode().lower()


def test_suspended_tenant_api_answers_403_json(suspended_b: TenantInfo) -> None:
    response = host_client(suspended_b.host).get("/api/rooms/")

    assert response.status_code == 403
    assert response.json() == {"detail": "This workspace is suspended.", "code": "tenant_suspended"}


def test_suspended_tenant_cannot_sign_in(suspended_b: TenantInfo) -> None:
    browser = host_client(suspended_b.host)

    response = browser.post("/login/", {"username": suspended_b.owner_email, "password": "test-pass-1234"})

    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session


def test_suspension_leaves_other_tenants_alone(suspended_b: TenantInfo, tenant_a: TenantInfo) -> None:
    assert host_client(tenant_a.host).get("/login/").status_code == 200


def test_reactivation_lets_people_back_in(suspended_b: TenantInfo) -> None:
    do_reactivate_client(suspended_b.client)
    browser = host_client(suspended_b.host)

    login(browser, suspended_b.owner_email)
    assert browser.get("/").status_code == 200


def test_suspended_tenant_websocket_is_closed_with_4403(
    tenant_b: TenantInfo, django_db_blocker: pytest.FixtureRequest
) -> None:
    # The consumer side reads the database from another thread, so the suspension is committed
    # (and undone) here rather than held in a test transaction.
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        client = Client.objects.get(pk=tenant_b.client.pk)
        do_suspend_client(client)
        try:
            assert async_to_sync(close_code)(tenant_b.host) == 4403
        finally:
            do_reactivate_client(client)
