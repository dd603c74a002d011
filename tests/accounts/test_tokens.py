"""API tokens work on the tenant that issued them, and nowhere else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.actions import do_create_user, do_revoke_credentials
from accounts.models import User
from accounts.tokens import mint_tokens
from tests.support.tenants import PASSWORD, TenantInfo, host_client, login

pytestmark = pytest.mark.django_db


def obtain(client: HttpClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/auth/token/", {"email": email, "password": password}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def bearer(client: HttpClient, access: str, path: str = "/api/me/") -> tuple[int, dict[str, object]]:
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {access}")
    return response.status_code, response.json()


def test_token_pair_authenticates_on_its_own_tenant(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    tokens = obtain(client_a, tenant_a.owner_email)

    status, body = bearer(client_a, tokens["access"])

    assert status == 200
    assert body["email"] == tenant_a.owner_email


def test_access_token_of_a_is_refused_on_b_even_though_the_user_id_exists_there(
    tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    # given: both tenants have a user with the id of A's owner
    with schema_context(tenant_a.schema):
        owner_a_id = User.objects.get(email=tenant_a.owner_email).pk
    with schema_context(tenant_b.schema):
        assert User.objects.filter(pk=owner_a_id).exists()
    tokens = obtain(host_client(tenant_a.host), tenant_a.owner_email)

    # when
    status, body = bearer(host_client(tenant_b.host), tokens["access"])

    # then
    assert status == 401
    assert body == {"detail": "Token is not valid for this workspace.", "code": "token_not_valid"}


def test_refresh_token_of_a_is_refused_on_b(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    tokens = obtain(host_client(tenant_a.host), tenant_a.owner_email)

    response = host_client(tenant_b.host).post(
        "/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, content_type="application/json"
    )

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_returns_a_new_working_pair(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    tokens = obtain(client_a, tenant_a.owner_email)

    response = client_a.post(
        "/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, content_type="application/json"
    )

    assert response.status_code == 200
    fresh = response.json()
    assert set(fresh) == {"access", "refresh"}
    assert fresh["refresh"] != tokens["refresh"]
    assert bearer(client_a, fresh["access"])[0] == 200


def test_access_token_is_not_a_refresh_token(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    tokens = obtain(client_a, tenant_a.owner_email)

    response = client_a.post("/api/auth/token/refresh/", {"refresh": tokens["access"]}, content_type="application/json")

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"email": "owner@acme.test", "password": "wrong-password"}, 401),
        ({"email": "nobody@acme.test", "password": PASSWORD}, 401),
        ({"email": "owner@acme.test"}, 400),
        ({"email": "not-an-email", "password": "x"}, 400),
        ({"email": "a" * 300 + "@acme.test", "password": "x"}, 400),
        ({"email": ["owner@acme.test"], "password": {"x": 1}}, 400),
    ],
)
def test_bad_sign_in_gets_a_clear_error(
    client_a: HttpClient, tenant_a: TenantInfo, payload: dict[str, object], status: int
) -> None:
    response = client_a.post("/api/auth/token/", payload, content_type="application/json")

    assert response.status_code == status
    assert set(response.json()) >= {"detail", "code"}


def test_wrong_password_and_unknown_email_get_the_same_answer(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    wrong = client_a.post(
        "/api/auth/token/",
        {"email": tenant_a.owner_email, "password": "nope-nope-nope"},
        content_type="application/json",
    )
    unknown = client_a.post(
        "/api/auth/token/", {"email": "ghost@acme.test", "password": "nope-nope-nope"}, content_type="application/json"
    )

    assert wrong.json() == unknown.json() == {"detail": "Incorrect e-mail or password.", "code": "invalid_credentials"}


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer a.b.c", "Bearer ", "Token abc"])
def test_malformed_tokens_get_401_json(client_a: HttpClient, tenant_a: TenantInfo, header: str) -> None:
    response = client_a.get("/api/me/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code"}


def test_deactivated_user_token_stops_working(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    with schema_context(tenant_a.schema):
        user = do_create_user(email="leaver@acme.test", password=PASSWORD)
    tokens = obtain(client_a, "leaver@acme.test")
    with schema_context(tenant_a.schema):
        user.is_active = False
        user.save(update_fields=["is_active"])

    assert bearer(client_a, tokens["access"])[0] == 401
    refreshed = client_a.post(
        "/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, content_type="application/json"
    )
    assert refreshed.status_code == 401


def refresh_with(client: HttpClient, refresh: str) -> HttpClient:
    return client.post("/api/auth/token/refresh/", {"refresh": refresh}, content_type="application/json")


def test_refresh_token_works_once_and_reuse_revokes_its_family(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    # given: a pair rotated once, and another sign-in of the same person
    first = obtain(client_a, tenant_a.owner_email)
    second = refresh_with(client_a, first["refresh"]).json()
    other_device = obtain(client_a, tenant_a.owner_email)

    # when: the spent refresh token comes back (a thief, or a replayed request)
    replay = refresh_with(client_a, first["refresh"])

    # then: refused, and the legitimate holder's newer refresh token is revoked too
    assert replay.status_code == 401
    assert replay.json()["code"] == "token_reused"
    assert refresh_with(client_a, second["refresh"]).status_code == 401
    assert refresh_with(client_a, other_device["refresh"]).status_code == 200
    # a fresh sign-in still works
    assert bearer(client_a, obtain(client_a, tenant_a.owner_email)["access"])[0] == 200


def test_logout_revokes_the_refresh_and_the_access_token_at_once(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    tokens = obtain(client_a, tenant_a.owner_email)
    other_device = obtain(client_a, tenant_a.owner_email)

    response = client_a.post(
        "/api/auth/logout/",
        {"refresh": tokens["refresh"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['access']}",
    )

    assert response.status_code == 204
    assert bearer(client_a, tokens["access"]) == (
        401,
        {"detail": "Token has been revoked.", "code": "token_revoked"},
    )
    assert refresh_with(client_a, tokens["refresh"]).status_code == 401
    # the other device's pair is untouched
    assert bearer(client_a, other_device["access"])[0] == 200
    assert refresh_with(client_a, other_device["refresh"]).status_code == 200


def test_logout_needs_authentication_and_the_callers_own_refresh_token(
    client_a: HttpClient, tenant_a: TenantInfo
) -> None:
    with schema_context(tenant_a.schema):
        do_create_user(email="someone-else@acme.test", password=PASSWORD)
    mine = obtain(client_a, tenant_a.owner_email)
    theirs = obtain(client_a, "someone-else@acme.test")

    anonymous = client_a.post("/api/auth/logout/", {"refresh": mine["refresh"]}, content_type="application/json")
    foreign = client_a.post(
        "/api/auth/logout/",
        {"refresh": theirs["refresh"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {mine['access']}",
    )

    assert anonymous.status_code == 401
    assert foreign.status_code == 401
    assert refresh_with(client_a, theirs["refresh"]).status_code == 200


def test_logout_with_a_token_of_another_tenant_is_refused(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    a_tokens = obtain(host_client(tenant_a.host), tenant_a.owner_email)
    b_tokens = obtain(host_client(tenant_b.host), tenant_b.owner_email)

    response = host_client(tenant_b.host).post(
        "/api/auth/logout/",
        {"refresh": a_tokens["refresh"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {b_tokens['access']}",
    )

    assert response.status_code == 401
    assert refresh_with(host_client(tenant_a.host), a_tokens["refresh"]).status_code == 200


@pytest.mark.parametrize("payload", [{}, {"refresh": ""}, {"refresh": ["x"]}, {"refresh": "x" * 5000}])
def test_logout_and_refresh_with_bad_input_get_400(
    client_a: HttpClient, tenant_a: TenantInfo, payload: dict[str, object]
) -> None:
    tokens = obtain(client_a, tenant_a.owner_email)

    logout = client_a.post(
        "/api/auth/logout/", payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}"
    )
    refresh = client_a.post("/api/auth/token/refresh/", payload, content_type="application/json")

    assert logout.status_code == 400
    assert refresh.status_code == 400
    assert logout.json()["code"] == refresh.json()["code"] == "invalid"
    assert bearer(client_a, tokens["access"])[0] == 200


def test_expired_access_and_refresh_tokens_are_refused(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    with schema_context(tenant_a.schema):
        user = User.objects.get(email=tenant_a.owner_email)
        refresh = mint_tokens(user, tenant_a.client)
        access = refresh.access_token
        access.set_exp(lifetime=-timedelta(seconds=1))
        refresh.set_exp(lifetime=-timedelta(seconds=1))

    assert bearer(client_a, str(access))[0] == 401
    assert refresh_with(client_a, str(refresh)).status_code == 401


def test_revoking_credentials_ends_live_access_tokens_immediately(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    # given: a person signed in on the web and through the API
    with schema_context(tenant_a.schema):
        user = do_create_user(email="revoked@acme.test", password=PASSWORD)
    tokens = obtain(client_a, "revoked@acme.test")
    browser = host_client(tenant_a.host)
    login(browser, "revoked@acme.test")
    assert browser.get("/").status_code == 200

    # when: everything they hold is revoked (what deactivation and password resets do)
    with schema_context(tenant_a.schema):
        do_revoke_credentials(tenant=tenant_a.client, user=user)

    # then: the still-unexpired access token, the refresh token and the session all fail
    assert bearer(client_a, tokens["access"]) == (401, {"detail": "Token has been revoked.", "code": "token_revoked"})
    assert refresh_with(client_a, tokens["refresh"]).status_code == 401
    assert browser.get("/").status_code == 302
    # and a new sign-in works
    assert bearer(client_a, obtain(client_a, "revoked@acme.test")["access"])[0] == 200


def test_token_api_sends_a_branded_reset_mail_without_revealing_accounts(
    client_a: HttpClient, tenant_a: TenantInfo, mailoutbox: list[object], django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        known = client_a.post(
            "/api/auth/password/reset/", {"email": tenant_a.owner_email}, content_type="application/json"
        )
        unknown = client_a.post(
            "/api/auth/password/reset/", {"email": "ghost@acme.test"}, content_type="application/json"
        )

    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert [message.to for message in mailoutbox] == [[tenant_a.owner_email]]  # type: ignore[attr-defined]
    assert "http://acme.localhost" in mailoutbox[0].body  # type: ignore[attr-defined]


def test_a_token_used_before_is_refused_once_it_expires(
    client_a: HttpClient, tenant_a: TenantInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verified token is kept (a reconnecting client presents it again), its expiry is not."""
    from accounts import tokens

    access = obtain(client_a, tenant_a.owner_email)["access"]
    assert bearer(client_a, access)[0] == 200  # verified, and kept
    later = tokens.aware_utcnow() + timedelta(days=1)
    monkeypatch.setattr(tokens, "aware_utcnow", lambda: later)

    status, body = bearer(client_a, access)

    assert status == 401
    assert body["code"] == "token_not_valid"
