"""Two tenants, and every way we can think of to see one from the other."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.models import User
from chat.actions import do_create_room
from tests.support.tenants import PASSWORD, TenantInfo, host_client, login

pytestmark = pytest.mark.django_db


def test_users_of_one_tenant_do_not_exist_in_the_other(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    with schema_context(tenant_a.schema):
        emails_a = set(User.objects.values_list("email", flat=True))
    with schema_context(tenant_b.schema):
        emails_b = set(User.objects.values_list("email", flat=True))

    assert tenant_a.owner_email in emails_a and tenant_a.owner_email not in emails_b
    assert tenant_b.owner_email in emails_b and tenant_b.owner_email not in emails_a


def test_credentials_of_one_tenant_do_not_sign_in_on_the_other(tenant_a: TenantInfo, client_b: HttpClient) -> None:
    response = client_b.post("/login/", {"username": tenant_a.owner_email, "password": PASSWORD})

    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client_b.session


def test_session_cookie_of_one_tenant_is_not_valid_on_the_other(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given: signed in on A (user ids 1 exist in both schemas)
    browser = host_client(tenant_a.host)
    login(browser, tenant_a.owner_email)
    assert browser.get("/api/me/").json()["email"] == tenant_a.owner_email

    # when: the same cookie jar talks to B's host
    browser.defaults["HTTP_HOST"] = tenant_b.host
    me = browser.get("/api/me/")
    home = browser.get("/")

    # then: B does not know the session
    assert me.status_code == 401
    assert me.json()["code"] == "not_authenticated"
    assert home.status_code == 302 and "/login/" in home["Location"]


def test_rooms_of_one_tenant_are_invisible_on_the_other(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given: a room only A has
    with schema_context(tenant_a.schema):
        secret = do_create_room(tenant=None, name="acme-secret-plans", creator=None)
    browser_b = host_client(tenant_b.host)
    login(browser_b, tenant_b.owner_email)

    # when: B lists rooms and asks for A's room by its id
    listed = [browser_b.get("/api/rooms/").json(), browser_b.get("/api/rooms/?browse=1").json()]
    by_id = browser_b.get(f"/api/rooms/{secret.pk}/")

    # then
    assert "acme-secret-plans" not in str(listed)
    assert by_id.status_code == 404 or by_id.json()["name"] != "acme-secret-plans"
    browser_a = host_client(tenant_a.host)
    login(browser_a, tenant_a.owner_email)
    assert "acme-secret-plans" in str(browser_a.get("/api/rooms/?browse=1").json())


def test_each_tenant_pages_carry_their_own_brand(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    from branding.models import Brand

    with schema_context(tenant_a.schema):
        colour_a = Brand.objects.get().primary_colour
    with schema_context(tenant_b.schema):
        colour_b = Brand.objects.get().primary_colour

    page_a = host_client(tenant_a.host).get("/login/").content.decode()
    page_b = host_client(tenant_b.host).get("/login/").content.decode()

    assert colour_a != colour_b
    assert colour_a in page_a and colour_a not in page_b
    assert "Acme" in page_a and "Acme" not in page_b


@pytest.mark.parametrize("path", ["/", "/login/", "/api/me/", "/api/rooms/", "/admin/", "/signup/"])
def test_unknown_host_gets_404_not_another_tenant(path: str, tenant_a: TenantInfo) -> None:
    response = host_client("nobody.localhost").get(path)

    assert response.status_code == 404
    assert b"Acme" not in response.content


def test_admin_exists_only_on_the_platform_host(client_a: HttpClient, platform_client: HttpClient) -> None:
    assert client_a.get("/admin/").status_code == 404
    assert platform_client.get("/admin/").status_code == 302  # to the admin's login
