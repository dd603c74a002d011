"""The branded sign-in and sign-out pages of tenant hosts."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.actions import do_create_user
from branding.theme import theme_for
from tests.support.tenants import TenantInfo, host_client, login

pytestmark = pytest.mark.django_db


def test_login_page_carries_the_tenants_brand(client_a: HttpClient, client_b: HttpClient, tenant_a: TenantInfo) -> None:
    page_a = client_a.get("/login/").content.decode()
    page_b = client_b.get("/login/").content.decode()

    theme_a = theme_for(tenant_a.client)
    assert f"Sign in to {theme_a.display_name}" in page_a
    assert theme_a.primary_colour in page_a
    assert theme_a.primary_colour not in page_b


def test_logout_is_post_only_and_says_so(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    login(client_a, tenant_a.owner_email)

    assert client_a.get("/logout/").status_code == 405
    assert client_a.get("/").status_code == 200

    response = client_a.post("/logout/", follow=True)

    assert response.redirect_chain[-1][0] == "/login/"
    assert "You have signed out." in response.content.decode()
    assert client_a.get("/").status_code == 302


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"username": "owner@acme.test"},
        {"username": "not-an-email", "password": "x"},
        {"username": "a" * 300 + "@acme.test", "password": "x"},
        {"username": "owner@acme.test", "password": "p" * 500},
    ],
)
def test_login_form_bad_input_shows_errors_and_signs_nobody_in(
    client_a: HttpClient, tenant_a: TenantInfo, payload: dict[str, str]
) -> None:
    response = client_a.post("/login/", payload)

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode() or "alert-error" in response.content.decode()
    assert "_auth_user_id" not in client_a.session


def test_unknown_email_and_wrong_password_get_the_same_page(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    wrong = client_a.post("/login/", {"username": tenant_a.owner_email, "password": "wrong-password-9"})
    unknown = client_a.post("/login/", {"username": "ghost-login@acme.test", "password": "wrong-password-9"})

    def normalised(page: bytes, email: str) -> str:
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.decode().replace(email, "X"))

    assert "Incorrect e-mail or password." in wrong.content.decode()
    assert wrong.status_code == unknown.status_code == 200
    assert normalised(wrong.content, tenant_a.owner_email) == normalised(unknown.content, "ghost-login@acme.test")


def test_forbidden_pages_are_branded_and_say_why(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    with schema_context(tenant_a.schema):
        do_create_user(email="plain-member@acme.test", password="test-pass-1234")
    login(client_a, "plain-member@acme.test")

    response = client_a.get("/settings/workspace/")

    assert response.status_code == 403
    page = response.content.decode()
    assert theme_for(tenant_a.client).primary_colour in page
    assert "You don't have access to this page" in page


def test_sign_out_everywhere_else_keeps_this_session_only(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    # given: the same person in two browsers and an app
    with schema_context(tenant_a.schema):
        do_create_user(email="two-devices@acme.test", password="test-pass-1234")
    here, elsewhere = host_client(tenant_a.host), host_client(tenant_a.host)
    login(here, "two-devices@acme.test")
    login(elsewhere, "two-devices@acme.test")
    token = client_a.post(
        "/api/auth/token/",
        {"email": "two-devices@acme.test", "password": "test-pass-1234"},
        content_type="application/json",
    ).json()

    # when
    response = here.post("/settings/password/sign-out-elsewhere/", follow=True)

    # then
    assert "signed out on every other device" in response.content.decode()
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert client_a.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {token['access']}").status_code == 401
    assert here.get("/settings/password/sign-out-elsewhere/").status_code == 405
