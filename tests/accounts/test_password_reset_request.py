"""Requesting a password reset: the link is mailed on the tenant's host in its name, to its own
people only, with the same answer for every address; bad input and too many requests are
refused, and the pages carry the tenant's brand."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client as HttpClient

from tenants.urls_helpers import tenant_url
from tests.support.accounts import anonymous, create_user, unique_email
from tests.support.passwords import Capture, link_in, request_reset
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Requesting a link
# ---------------------------------------------------------------------------------------------


def test_reset_request_mails_a_link_on_the_tenants_host_in_its_name(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: Capture
) -> None:
    # given
    email = create_user(tenant_a).email
    mail.outbox.clear()

    # when
    response = request_reset(anonymous(tenant_a), email, django_capture_on_commit_callbacks)

    # then
    assert response.status_code == 302
    assert response["Location"] == "/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    assert message.from_email.startswith("Acme <")
    assert "Acme" in message.subject
    assert link_in(message).startswith(tenant_url(tenant_a.client, "/password/reset/"))


def test_reset_request_for_an_unknown_address_gets_the_same_answer_and_no_mail(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: Capture
) -> None:
    # given
    known = create_user(tenant_a).email
    unknown = unique_email(tenant_a, "nobody")
    browser = anonymous(tenant_a)

    # when
    for_known = request_reset(browser, known, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    for_unknown = request_reset(browser, unknown, django_capture_on_commit_callbacks)

    # then
    assert (for_unknown.status_code, for_unknown["Location"]) == (for_known.status_code, for_known["Location"])
    assert mail.outbox == []
    page = browser.get(for_unknown["Location"])
    assert page.status_code == 200
    assert "If an account of Acme uses that address, we sent it a link" in page.content.decode()
    assert unknown not in page.content.decode()


def test_reset_request_for_an_address_of_another_tenant_sends_nothing(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_capture_on_commit_callbacks: Capture
) -> None:
    # given: the person has an account on B only
    email = create_user(tenant_b).email
    mail.outbox.clear()

    # when
    response = request_reset(anonymous(tenant_a), email, django_capture_on_commit_callbacks)

    # then
    assert response["Location"] == "/password/reset/sent/"
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        ({"email": ""}, "This field is required."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"email": "x" * 250 + "@acme.test"}, "at most 254 characters"),
    ],
)
def test_reset_request_rejects_bad_input_and_sends_nothing(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: Capture, data: dict[str, str], message: str
) -> None:
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous(tenant_a).post("/password/reset/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert mail.outbox == []


def test_reset_requests_are_rate_limited_per_client_address(tenant_a: TenantInfo) -> None:
    # given: an address that has used its 20 requests of the hour
    browser = anonymous(tenant_a)
    statuses = [browser.post("/password/reset/", {"email": unique_email(tenant_a)}).status_code for _ in range(20)]
    assert set(statuses) == {302}

    # when
    refused = browser.post("/password/reset/", {"email": unique_email(tenant_a)})

    # then: a clear refusal, while another address is still served
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many attempts" in refused.content.decode()
    assert anonymous(tenant_a).post("/password/reset/", {"email": unique_email(tenant_a)}).status_code == 302


def test_reset_pages_are_branded(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    page_a = anonymous(tenant_a).get("/password/reset/").content.decode()
    page_b = anonymous(tenant_b).get("/password/reset/").content.decode()

    assert "Acme" in page_a and "Acme" not in page_b
    assert "Globex" in page_b


def test_login_page_links_to_the_reset_form(client_a: HttpClient) -> None:
    assert 'href="/password/reset/"' in client_a.get("/login/").content.decode()
