"""Self-serve sign-up on the platform host."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Client

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Stark Industries",
    "slug": "stark",
    "owner_name": "Pepper Potts",
    "owner_email": "pepper@stark.test",
    "password": "arc-reactor-42!",
}


def test_signup_page_is_themed_and_has_the_form(platform_client: HttpClient) -> None:
    response = platform_client.get("/signup/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="slug"' in html and 'name="owner_email"' in html
    assert "--brand-primary" in html


def test_signup_creates_the_workspace_and_sends_the_owner_to_its_login(platform_client: HttpClient) -> None:
    response = platform_client.post("/signup/", VALID)

    assert response.status_code == 302
    assert response["Location"] == "http://stark.localhost/login/?welcome=1"
    client = Client.objects.get(slug="stark")
    with schema_context(client.schema_name):
        assert User.objects.get(email="pepper@stark.test").role == User.Role.OWNER

    # and the owner can sign in on the new host
    tenant_browser = HttpClient(HTTP_HOST="stark.localhost")
    login = tenant_browser.post("/login/", {"username": "pepper@stark.test", "password": VALID["password"]})
    assert login.status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "www", "reserved"),
        ("slug", "Bad Slug!", "lowercase"),
        ("slug", "", "required"),
        ("name", "", "required"),
        ("name", "n" * 101, "at most 100"),
        ("owner_email", "not-an-email", "valid email"),
        ("password", "short", "too short"),
        ("password", "password123", "too common"),
    ],
)
def test_signup_rejects_bad_input_with_a_clear_error_and_creates_nothing(
    platform_client: HttpClient, field: str, value: str, message: str
) -> None:
    response = platform_client.post("/signup/", {**VALID, field: value})

    assert response.status_code == 400
    assert message in response.content.decode().lower()
    assert not Client.objects.filter(slug=VALID["slug"]).exists()


def test_signup_rejects_a_taken_address(platform_client: HttpClient, tenant_a: object) -> None:
    response = platform_client.post("/signup/", {**VALID, "slug": "acme"})

    assert response.status_code == 400
    assert "already taken" in response.content.decode()


def test_signup_does_not_exist_on_tenant_hosts(client_a: HttpClient) -> None:
    # Workspace sign-up lives on the platform host only. A tenant's /signup/ is its own open
    # sign-up (tests/accounts/test_open_signup.py), which is 404 while the tenant keeps it off.
    response = client_a.post("/signup/", VALID)

    assert client_a.get("/signup/").status_code == 404
    assert response.status_code == 404
    assert not Client.objects.filter(slug=VALID["slug"]).exists()


def test_signup_is_rate_limited_per_address(platform_client: HttpClient, settings: object) -> None:
    # given: a limit of two sign-ups an hour, from an address no other test uses
    settings.SIGNUP_LIMIT_PER_HOUR = 2  # type: ignore[attr-defined]
    address = f"203.0.113.{uuid.uuid4().int % 250}"
    client = HttpClient(HTTP_HOST="localhost", REMOTE_ADDR=address)

    def sign_up(slug: str) -> int:
        return client.post("/signup/", {**VALID, "slug": slug, "owner_email": f"o@{slug}.test"}).status_code

    # when
    statuses = [sign_up(f"rate-{address.split('.')[-1]}-{n}") for n in range(3)]

    # then: the third is refused with a clear message and nothing is created for it
    assert statuses == [302, 302, 429]
    refused = client.post("/signup/", {**VALID, "slug": "rate-refused", "owner_email": "o@refused.test"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many workspaces" in refused.content.decode()
    assert not Client.objects.filter(slug="rate-refused").exists()
