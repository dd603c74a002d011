"""Open sign-up on a tenant host, and the workspace settings page where owners and admins turn
it on and limit it to e-mail domains. One workspace's setting never affects another's."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.models import Invitation, User
from tenants.models import Client
from tenants.urls_helpers import tenant_url
from tenants.workspace_actions import do_update_workspace_settings
from tests.support.accounts import anonymous, create_user, signed_in, unique_email
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def open_signup(tenant: TenantInfo, domains: str = "") -> None:
    """Saved to the database: each request loads its tenant afresh (rolled back after the test)."""
    client = Client.objects.get(pk=tenant.client.pk)
    do_update_workspace_settings(client=client, open_signup=True, signup_domains=domains)


def signup_settings(tenant: TenantInfo) -> tuple[bool, str]:
    client = Client.objects.get(pk=tenant.client.pk)
    return client.open_signup, client.signup_domains


def ask_to_join(browser: HttpClient, email: str, capture: Capture) -> Any:
    with capture(execute=True):
        return browser.post("/signup/", {"email": email})


def invitations_for(tenant: TenantInfo, email: str) -> int:
    with schema_context(tenant.schema):
        return Invitation.objects.filter(email__iexact=email).count()


# ---------------------------------------------------------------------------------------------
# The sign-up page
# ---------------------------------------------------------------------------------------------


def test_signup_is_404_while_open_signup_is_off(tenant_a: TenantInfo) -> None:
    browser = anonymous(tenant_a)

    assert browser.get("/signup/").status_code == 404
    assert browser.post("/signup/", {"email": unique_email(tenant_a)}).status_code == 404
    assert browser.get("/signup/sent/").status_code == 404
    assert "Create an account" not in browser.get("/login/").content.decode()


def test_signup_opened_on_a_stays_closed_on_b(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given
    open_signup(tenant_a)

    # when
    page_a, page_b = anonymous(tenant_a).get("/signup/"), anonymous(tenant_b).get("/signup/")

    # then
    assert page_a.status_code == 200
    assert "Join Acme" in page_a.content.decode()
    assert page_b.status_code == 404
    assert 'href="/signup/"' in anonymous(tenant_a).get("/login/").content.decode()
    assert 'href="/signup/"' not in anonymous(tenant_b).get("/login/").content.decode()


def test_signup_mails_a_verification_link_for_a_new_address(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_capture_on_commit_callbacks: Capture
) -> None:
    # given
    open_signup(tenant_a)
    email = unique_email(tenant_a, "newcomer")
    mail.outbox.clear()

    # when
    response = ask_to_join(anonymous(tenant_a), email, django_capture_on_commit_callbacks)

    # then: one mail in A's name with a link on A's host; the pending sign-up exists in A only
    assert response.status_code == 302 and response["Location"] == "/signup/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    assert message.from_email.startswith("Acme <")
    assert re.search(re.escape(tenant_url(tenant_a.client, "/invite/")) + r"[\w-]+/", str(message.body))
    assert invitations_for(tenant_a, email) == 1
    assert invitations_for(tenant_b, email) == 0
    with schema_context(tenant_a.schema):
        assert not User.objects.filter(email=email).exists()


def test_signup_answers_an_existing_account_the_same_way(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: Capture
) -> None:
    # given: one address with an account, one without
    open_signup(tenant_a)
    member = create_user(tenant_a).email
    newcomer = unique_email(tenant_a, "newcomer")
    browser = anonymous(tenant_a)

    # when
    for_newcomer = ask_to_join(browser, newcomer, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    for_member = ask_to_join(browser, member, django_capture_on_commit_callbacks)

    # then: the same answer; the member is told by mail, without a sign-up link
    assert (for_member.status_code, for_member["Location"]) == (for_newcomer.status_code, for_newcomer["Location"])
    assert [m.to for m in mail.outbox] == [[member]]
    assert "already have" in mail.outbox[0].subject
    assert "/invite/" not in mail.outbox[0].body
    assert invitations_for(tenant_a, member) == 0
    assert "Check your e-mail" in browser.get("/signup/sent/").content.decode()


def test_signup_limited_to_domains_refuses_other_addresses(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: Capture
) -> None:
    # given
    open_signup(tenant_a, domains="acme.com, acme.co.uk")
    outsider = unique_email(tenant_a, "outsider").replace("@acme.test", "@elsewhere.test")
    insider = unique_email(tenant_a, "insider").replace("@acme.test", "@ACME.co.uk")
    mail.outbox.clear()

    # when
    refused = ask_to_join(anonymous(tenant_a), outsider, django_capture_on_commit_callbacks)
    accepted = ask_to_join(anonymous(tenant_a), insider, django_capture_on_commit_callbacks)

    # then
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Sign-up is not open to this e-mail address." in html
    assert "Addresses at acme.com, acme.co.uk only." in html
    assert invitations_for(tenant_a, outsider) == 0
    assert accepted.status_code == 302
    assert [m.to for m in mail.outbox] == [[insider.lower()]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        ({"email": "   "}, "This field is required."),
        ({"email": "no-at-sign"}, "Enter a valid email address."),
        ({"email": "a" * 250 + "@acme.test"}, "at most 254 characters"),
    ],
)
def test_signup_rejects_bad_input_and_sends_nothing(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: Capture, data: dict[str, str], message: str
) -> None:
    open_signup(tenant_a)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous(tenant_a).post("/signup/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert mail.outbox == []


def test_signup_requests_are_rate_limited_per_client_address(tenant_a: TenantInfo) -> None:
    # given: an address that used its 20 requests of the hour (refused by domain: no mail needed)
    open_signup(tenant_a, domains="acme.com")
    browser = anonymous(tenant_a)
    assert {browser.post("/signup/", {"email": unique_email(tenant_a)}).status_code for _ in range(20)} == {400}

    # when
    refused = browser.post("/signup/", {"email": unique_email(tenant_a).replace(".test", ".com")})

    # then
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many attempts" in refused.content.decode()
    assert anonymous(tenant_a).post("/signup/", {"email": unique_email(tenant_a)}).status_code == 400


# ---------------------------------------------------------------------------------------------
# Workspace settings
# ---------------------------------------------------------------------------------------------


def test_workspace_settings_are_forbidden_to_members(tenant_a: TenantInfo) -> None:
    member = signed_in(tenant_a, create_user(tenant_a).email)

    assert member.get("/settings/workspace/").status_code == 403
    assert member.post("/settings/workspace/", {"open_signup": "on"}).status_code == 403
    assert signup_settings(tenant_a) == (False, "")
    assert 'href="/settings/workspace/"' not in member.get("/settings/profile/").content.decode()


def test_workspace_settings_need_a_signed_in_person(client_a: HttpClient) -> None:
    response = client_a.get("/settings/workspace/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_workspace_settings_show_the_workspace_address(tenant_a: TenantInfo) -> None:
    owner = signed_in(tenant_a, tenant_a.owner_email)

    response = owner.get("/settings/workspace/")

    assert response.status_code == 200
    html = response.content.decode()
    assert tenant_url(tenant_a.client) in html
    assert 'name="open_signup"' in html and "checked" not in html


def test_admin_opens_signup_for_domains_on_a_only(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given
    admin = signed_in(tenant_a, create_user(tenant_a, role=User.Role.ADMIN).email)

    # when
    response = admin.post(
        "/settings/workspace/", {"open_signup": "on", "signup_domains": " Acme.COM;@acme.co.uk,, acme.com  "}
    )

    # then: saved normalised, in A only, and the sign-up page opens on A only
    assert response.status_code == 302
    assert signup_settings(tenant_a) == (True, "acme.com, acme.co.uk")
    assert signup_settings(tenant_b) == (False, "")
    page = admin.get("/settings/workspace/").content.decode()
    assert "The workspace settings were saved." in page
    assert 'value="acme.com, acme.co.uk"' in page
    assert anonymous(tenant_a).get("/signup/").status_code == 200
    assert anonymous(tenant_b).get("/signup/").status_code == 404


def test_owner_closes_signup_with_every_box_unticked(tenant_a: TenantInfo) -> None:
    # given
    open_signup(tenant_a, domains="acme.com")
    owner = signed_in(tenant_a, tenant_a.owner_email)

    # when: an unticked checkbox and an empty field send nothing but the CSRF token
    response = owner.post("/settings/workspace/", {})

    # then
    assert response.status_code == 302
    assert signup_settings(tenant_a) == (False, "")
    assert anonymous(tenant_a).get("/signup/").status_code == 404


@pytest.mark.parametrize(
    ("domains", "message"),
    [
        ("acme", "Not a domain name: acme."),
        ("https://acme.com", "Not a domain name: https://acme.com."),
        ("acme.com, bad domain.com", "Not a domain name: bad."),
        ("me@acme.com", "Not a domain name: me@acme.com."),
        ("-acme.com", "Not a domain name: -acme.com."),
        (", ".join(f"d{n}.example.com" for n in range(40)), "The list is too long"),
        ("a" * 1001, "at most 1000 characters"),
    ],
)
def test_workspace_settings_reject_bad_domains_and_change_nothing(
    tenant_a: TenantInfo, tenant_b: TenantInfo, domains: str, message: str
) -> None:
    owner = signed_in(tenant_a, tenant_a.owner_email)

    response = owner.post("/settings/workspace/", {"open_signup": "on", "signup_domains": domains})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert signup_settings(tenant_a) == (False, "")
    assert signup_settings(tenant_b) == (False, "")
