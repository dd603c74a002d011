"""The API's shared behaviour: error shape, schema and docs served without any CDN."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django_tenants.utils import schema_context
from rest_framework.throttling import UserRateThrottle

from accounts.actions import do_create_user
from tests.support.tenants import TenantInfo, login

pytestmark = pytest.mark.django_db


def test_unauthenticated_request_gets_the_contract_error_shape(client_a: HttpClient) -> None:
    response = client_a.get("/api/me/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_api_path_gets_json_404(client_a: HttpClient) -> None:
    response = client_a.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_me_returns_the_signed_in_user(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    login(client_a, tenant_a.owner_email)

    body = client_a.get("/api/me/").json()

    assert body["email"] == tenant_a.owner_email
    assert body["role"] == "owner"


def test_openapi_schema_and_docs_are_served_without_a_cdn(client_a: HttpClient) -> None:
    schema = client_a.get("/api/schema/")
    docs = client_a.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/rooms/" in schema.content
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


def test_throttled_requests_get_429_with_retry_after(
    client_a: HttpClient, tenant_a: TenantInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a tight rate for this test only (rates are read once at import, so set on the class)
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    # a new user, so no earlier request counts against it (ids are never reused)
    with schema_context(tenant_a.schema):
        do_create_user(email="throttled@acme.test", password="test-pass-1234")
    login(client_a, "throttled@acme.test")

    # when
    statuses = [client_a.get("/api/me/").status_code for _ in range(5)]

    # then
    assert statuses[:3] == [200, 200, 200]
    last = client_a.get("/api/me/")
    assert last.status_code == 429
    assert int(last["Retry-After"]) > 0
    assert last.json()["code"] == "throttled"


def test_openapi_schema_is_valid_and_generates_without_warnings(tmp_path: Path) -> None:
    """Every endpoint is described well enough for generated clients (warnings fail the test)."""
    call_command(
        "spectacular", "--urlconf", "config.urls_tenant", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s")
    )

    schema = (tmp_path / "s").read_text()
    for path in ("/api/auth/logout/", "/api/people/{id}/", "/api/invitations/accept/", "/api/auth/password/reset/"):
        assert f"{path}:" in schema
