"""Repeated failed sign-ins are slowed, then locked, per tenant, on the form and the API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django_tenants.utils import schema_context

from accounts import lockout
from accounts.actions import do_create_user
from tests.support.tenants import PASSWORD, TenantInfo, host_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim(tenant_a: TenantInfo, tenant_b: TenantInfo) -> Iterator[str]:
    """A person with the same address in both tenants; counters are cleared afterwards."""
    email = f"victim-{uuid.uuid4().hex[:8]}@example.test"
    for tenant in (tenant_a, tenant_b):
        with schema_context(tenant.schema):
            do_create_user(email=email, password=PASSWORD)
    yield email
    for tenant in (tenant_a, tenant_b):
        lockout.unlock(tenant.client, kind="account", value=email)


def address() -> str:
    """A client address of the test's own, so counters per address do not leak between tests."""
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def api_sign_in(client: HttpClient, email: str, password: str, remote: str) -> tuple[int, dict[str, str], str]:
    response = client.post(
        "/api/auth/token/", {"email": email, "password": password}, content_type="application/json", REMOTE_ADDR=remote
    )
    return response.status_code, response.json(), response.get("Retry-After", "")


def form_sign_in(client: HttpClient, email: str, password: str, remote: str) -> tuple[int, str]:
    response = client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=remote)
    return response.status_code, response.content.decode()


@override_settings(LOGIN_SLOW_AFTER=3, LOGIN_LOCK_AFTER=5)
def test_api_sign_in_is_slowed_then_locked_even_for_the_right_password(tenant_a: TenantInfo, victim: str) -> None:
    client, remote = host_client(tenant_a.host), address()

    # given: three failures reach the slow-down
    for _ in range(3):
        assert api_sign_in(client, victim, "wrong-password-1", remote)[0] == 401

    # when: the next try comes at once
    status, body, retry_after = api_sign_in(client, victim, PASSWORD, remote)

    # then: refused without checking the password, with a clear message and Retry-After
    assert status == 429
    assert body["code"] == "login_throttled"
    assert "Wait 1 second" in body["detail"]
    assert retry_after == "1"

    # when: two more failures (after the wait) reach the lock
    for _ in range(2):
        state_key = lockout._state_key("account", victim)
        with schema_context(tenant_a.schema):
            from django.core.cache import cache

            state = cache.get(state_key)
            state["last_failure"] -= 120  # the wait has passed
            cache.set(state_key, state)
        assert api_sign_in(client, victim, "wrong-password-2", remote)[0] == 401

    # then: even the right password is refused, for minutes
    status, body, retry_after = api_sign_in(client, victim, PASSWORD, remote)
    assert status == 429
    assert body["code"] == "login_locked"
    assert "locked for 15 minutes" in body["detail"]
    assert int(retry_after) > 800


@override_settings(LOGIN_SLOW_AFTER=2, LOGIN_LOCK_AFTER=2)
def test_login_form_lock_shows_the_message_and_answers_429(tenant_a: TenantInfo, victim: str) -> None:
    client, remote = host_client(tenant_a.host), address()
    for _ in range(2):
        status, page = form_sign_in(client, victim, "wrong-password-1", remote)
        assert status == 200
        assert "Incorrect e-mail or password." in page

    status, page = form_sign_in(client, victim, PASSWORD, remote)

    assert status == 429
    assert "Too many failed sign-in attempts" in page
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_SLOW_AFTER=2, LOGIN_LOCK_AFTER=2)
def test_lock_on_one_tenant_does_not_lock_the_same_address_on_another(
    tenant_a: TenantInfo, tenant_b: TenantInfo, victim: str
) -> None:
    remote = address()
    for _ in range(2):
        api_sign_in(host_client(tenant_a.host), victim, "wrong-password-1", remote)
    assert api_sign_in(host_client(tenant_a.host), victim, PASSWORD, remote)[0] == 429

    status, body, _ = api_sign_in(host_client(tenant_b.host), victim, PASSWORD, remote)

    assert status == 200
    assert set(body) == {"access", "refresh"}


@override_settings(LOGIN_SLOW_AFTER=3, LOGIN_LOCK_AFTER=10)
def test_success_clears_the_account_counter(tenant_a: TenantInfo, victim: str) -> None:
    client, remote = host_client(tenant_a.host), address()
    for _ in range(2):
        api_sign_in(client, victim, "wrong-password-1", remote)
    assert api_sign_in(client, victim, PASSWORD, remote)[0] == 200

    for _ in range(2):
        api_sign_in(client, victim, "wrong-password-1", remote)

    assert api_sign_in(client, victim, PASSWORD, remote)[0] == 200


@override_settings(LOGIN_SLOW_AFTER=2, LOGIN_LOCK_AFTER=2)
def test_unknown_accounts_are_locked_like_real_ones(tenant_a: TenantInfo) -> None:
    client, remote = host_client(tenant_a.host), address()
    ghost = f"ghost-{uuid.uuid4().hex[:8]}@example.test"
    for _ in range(2):
        assert api_sign_in(client, ghost, "wrong-password-1", remote)[0] == 401

    status, body, _ = api_sign_in(client, ghost, "wrong-password-1", remote)

    assert status == 429
    assert body["code"] == "login_locked"


@override_settings(LOGIN_ADDRESS_SLOW_AFTER=100, LOGIN_ADDRESS_LOCK_AFTER=4)
def test_one_address_trying_many_accounts_is_locked(tenant_a: TenantInfo, victim: str) -> None:
    client, remote = host_client(tenant_a.host), address()
    for index in range(4):
        api_sign_in(client, f"spray-{index}-{uuid.uuid4().hex[:6]}@example.test", "Winter2026!", remote)

    status, body, _ = api_sign_in(client, victim, PASSWORD, remote)
    other_address = api_sign_in(client, victim, PASSWORD, address())[0]

    assert status == 429
    assert body["code"] == "login_locked"
    assert other_address == 200
    lockout.unlock(tenant_a.client, kind="address", value=remote)
