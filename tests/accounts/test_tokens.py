"""API tokens work on the tenant that issued them, and nowhere else."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.actions import do_create_user
from accounts.models import User
from tests.conftest import PASSWORD, TenantInfo, host_client

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
