"""Platform staff see a tenant's people from its client page, send resets and lift locks."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django_tenants.utils import schema_context

from accounts import lockout
from accounts.actions import do_create_user
from tests.support.tenants import PASSWORD, TenantInfo, host_client

pytestmark = pytest.mark.django_db


def people_url(tenant: TenantInfo) -> str:
    return f"/admin/tenants/client/{tenant.client.pk}/people/"


def test_client_page_links_to_its_people(staff_browser: HttpClient, tenant_a: TenantInfo) -> None:
    page = staff_browser.get(f"/admin/tenants/client/{tenant_a.client.pk}/change/").content.decode()

    assert people_url(tenant_a) in page


def test_people_page_lists_only_that_tenants_people_and_searches(
    staff_browser: HttpClient, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    with schema_context(tenant_b.schema):
        do_create_user(email="only-in-b@globex.test", password=PASSWORD, name="Bea Globex")

    page_a = staff_browser.get(people_url(tenant_a)).content.decode()
    page_b = staff_browser.get(people_url(tenant_b), {"q": "bea"}).content.decode()
    nobody = staff_browser.get(people_url(tenant_b), {"q": "zzz-nobody"}).content.decode()

    assert tenant_a.owner_email in page_a
    assert "only-in-b@globex.test" not in page_a
    assert "only-in-b@globex.test" in page_b
    assert tenant_b.owner_email not in page_b
    assert "Nobody matches" in nobody


def test_staff_sends_a_branded_reset_link_that_works_on_the_tenant_only(
    staff_browser: HttpClient,
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    mailoutbox: list[object],
    django_capture_on_commit_callbacks: object,
) -> None:
    # given: a person of A whose id also exists in B
    email = f"forgetful-{uuid.uuid4().hex[:8]}@acme.test"
    with schema_context(tenant_a.schema):
        user = do_create_user(email=email, password=PASSWORD)

    # when
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = staff_browser.post(f"{people_url(tenant_a)}{user.pk}/reset/")

    # then
    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [[email]]  # type: ignore[attr-defined]
    body = mailoutbox[0].body  # type: ignore[attr-defined]
    link = next(word for word in body.split() if "/password/reset/" in word)
    assert link.startswith("http://acme.localhost/password/reset/")
    assert "Acme" in mailoutbox[0].from_email  # type: ignore[attr-defined]
    path = link.removeprefix("http://acme.localhost")
    # opened on B the link is refused (no form to set a password)
    on_b = host_client(tenant_b.host).get(path, follow=True).content.decode()
    assert 'name="new_password1"' not in on_b
    on_a = host_client(tenant_a.host).get(path, follow=True).content.decode()
    assert 'name="new_password1"' in on_a


def test_people_pages_need_staff(tenant_a: TenantInfo) -> None:
    anonymous = host_client("localhost").get(people_url(tenant_a))

    assert anonymous.status_code == 302
    assert "/admin/login/" in anonymous["Location"]


def test_unknown_client_or_person_is_404(staff_browser: HttpClient, tenant_a: TenantInfo) -> None:
    assert staff_browser.get("/admin/tenants/client/999999/people/").status_code == 404
    assert staff_browser.post(f"{people_url(tenant_a)}999999/reset/").status_code == 404
    assert staff_browser.get(f"{people_url(tenant_a)}1/reset/").status_code == 405


@override_settings(LOGIN_SLOW_AFTER=2, LOGIN_LOCK_AFTER=2)
def test_staff_lift_a_sign_in_lock(staff_browser: HttpClient, tenant_a: TenantInfo) -> None:
    # given: a locked account on A
    email = f"locked-{uuid.uuid4().hex[:8]}@acme.test"
    with schema_context(tenant_a.schema):
        do_create_user(email=email, password=PASSWORD)
    client = host_client(tenant_a.host)
    for _ in range(2):
        client.post("/api/auth/token/", {"email": email, "password": "nope-nope-1"}, content_type="application/json")
    refused = client.post("/api/auth/token/", {"email": email, "password": PASSWORD}, content_type="application/json")
    assert refused.status_code == 429
    assert email in staff_browser.get(people_url(tenant_a)).content.decode()

    # when
    response = staff_browser.post(f"{people_url(tenant_a)}unlock/", {"kind": "account", "value": email})

    # then
    assert response.status_code == 302
    assert email not in [lock.value for lock in lockout.locked_keys(tenant_a.client)]
    signed_in = client.post("/api/auth/token/", {"email": email, "password": PASSWORD}, content_type="application/json")
    assert signed_in.status_code == 200


def test_unlock_with_bad_input_changes_nothing(staff_browser: HttpClient, tenant_a: TenantInfo) -> None:
    response = staff_browser.post(f"{people_url(tenant_a)}unlock/", {"kind": "everything", "value": ""}, follow=True)

    assert response.status_code == 200
    assert "Choose a lock to lift." in response.content.decode()
