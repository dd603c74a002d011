""" "Find your workspace" on the platform host, and the page an unknown workspace address gets."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.actions import do_provision_workspace, do_suspend_client
from tenants.finding import workspaces_of
from tenants.models import Client
from tests.support.accounts import create_user
from tests.support.tenants import TenantInfo, host_client

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def from_own_address() -> HttpClient:
    octets = uuid.uuid4().bytes
    return HttpClient(HTTP_HOST="localhost", REMOTE_ADDR=f"10.{octets[0]}.{octets[1]}.{octets[2]}")


def shared_address() -> str:
    # Mail is rate-limited per address in Redis, which outlives the rolled-back test.
    return f"shared-{uuid.uuid4().hex[:10]}@people.test"


def ask(browser: HttpClient, email: str, capture: Capture) -> Any:
    with capture(execute=True):
        return browser.post("/find/", {"email": email})


def test_find_mails_every_workspace_of_the_address_and_no_other(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_capture_on_commit_callbacks: Capture
) -> None:
    # given: one address with accounts in acme and globex, and a third workspace without it
    email = shared_address()
    create_user(tenant_a, email)
    create_user(tenant_b, email)
    third = do_provision_workspace(
        slug="initech", name="Initech", owner_email="bill@initech.test", owner_password=None
    ).client

    # when
    response = ask(from_own_address(), email.upper(), django_capture_on_commit_callbacks)

    # then: one mail, with both workspaces and their sign-in links, not the third
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [[email]]
    body = str(mail.outbox[0].body)
    assert "Acme: http://acme.localhost/login/" in body
    assert "Globex: http://globex.localhost/login/" in body
    assert "Initech" not in body and third.slug not in body


def test_an_unknown_address_gets_the_same_page_and_no_mail(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: Capture
) -> None:
    # given
    known, unknown = shared_address(), shared_address()
    create_user(tenant_a, known)

    # when
    answers = [ask(from_own_address(), email, django_capture_on_commit_callbacks) for email in (known, unknown)]

    # then: the pages differ only by the address typed in; only the known address got mail
    pages = [a.content.decode().replace(email, "ADDRESS") for a, email in zip(answers, (known, unknown), strict=True)]
    pages = [re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page) for page in pages]
    assert [a.status_code for a in answers] == [200, 200]
    assert pages[0] == pages[1]
    assert "Check your e-mail" in pages[0]
    assert [m.to for m in mail.outbox] == [[known]]


def test_deactivated_accounts_and_suspended_workspaces_are_not_listed(
    tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    # given: deactivated in acme, active in globex
    email = shared_address()
    create_user(tenant_a, email)
    with schema_context(tenant_a.schema):
        User.objects.filter(email=email).update(is_active=False)
    create_user(tenant_b, email)

    # then
    assert [w.name for w in workspaces_of(email)] == ["Globex"]

    # when globex is suspended
    do_suspend_client(Client.objects.get(pk=tenant_b.client.pk), reason="test")

    # then
    assert workspaces_of(email) == []


@pytest.mark.parametrize("value", ["", "not-an-address", "a" * 300 + "@x.test"])
def test_find_rejects_bad_input_with_a_clear_error(value: str) -> None:
    response = from_own_address().post("/find/", {"email": value})

    assert response.status_code == 400
    assert "e-mail" in response.content.decode().lower() or "email" in response.content.decode().lower()
    assert not mail.outbox


def test_find_is_rate_limited_per_network_address(django_capture_on_commit_callbacks: Capture) -> None:
    browser = from_own_address()

    statuses = [ask(browser, shared_address(), django_capture_on_commit_callbacks).status_code for _ in range(11)]

    assert statuses == [200] * 10 + [429]
    refused = browser.post("/find/", {"email": shared_address()})
    assert int(refused["Retry-After"]) > 0
    assert "Too many look-ups" in refused.content.decode()


def test_find_exists_on_the_platform_host_only(client_a: HttpClient) -> None:
    assert client_a.get("/find/").status_code == 404
    assert from_own_address().get("/find/").status_code == 200


def test_sign_in_pages_link_to_find(tenant_a: TenantInfo) -> None:
    login_page = host_client(tenant_a.host).get("/login/").content.decode()

    assert 'href="http://localhost/find/"' in login_page
    assert 'href="/find/"' in host_client("localhost").get("/signup/").content.decode()


@pytest.mark.parametrize("path", ["/", "/login/", "/some/page/"])
def test_an_unknown_workspace_address_gets_the_product_404(path: str, tenant_a: TenantInfo) -> None:
    response = host_client("nobody-here.localhost").get(path)

    html = response.content.decode()
    assert response.status_code == 404
    assert "There's no workspace here" in html
    assert 'href="http://localhost/find/"' in html and "Find your workspace" in html
    assert 'href="http://localhost/signup/"' in html
    assert "--brand-primary" in html  # the product's page, not Django's
    assert "Acme" not in html


def test_an_unknown_workspace_address_gets_the_product_404_in_development_too(settings: Any) -> None:
    # given: DEBUG on, as `make run` has it (Django would show its technical 404 for a raised one)
    settings.DEBUG = True

    response = host_client("nobody-here.localhost").get("/")

    assert response.status_code == 404
    assert "There's no workspace here" in response.content.decode()
