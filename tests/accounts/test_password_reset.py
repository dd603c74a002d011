"""Passwords: reset through an e-mailed link (bound to one tenant, one use, a limited time), and
change while signed in. Both end every other session and API token of the person."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client as HttpClient
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.reset import TenantPasswordResetTokenGenerator, reset_link
from tenants.urls_helpers import tenant_url
from tests.support.accounts import anonymous, api_token, create_user, signed_in, unique_email
from tests.support.tenants import PASSWORD, TenantInfo, host_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-pass-77"
Capture = Callable[..., Any]


def api_status(tenant: TenantInfo, access: str) -> int:
    return host_client(tenant.host).get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {access}").status_code


def is_signed_in(browser: HttpClient) -> bool:
    return browser.get("/settings/password/").status_code == 200


def can_sign_in(tenant: TenantInfo, email: str, password: str) -> bool:
    response = host_client(tenant.host).post("/login/", {"username": email, "password": password})
    return response.status_code == 302


def link_for(tenant: TenantInfo, user: User) -> str:
    """A reset link as the e-mail would carry it (path only), for the person as stored now:
    signing in changes `last_login`, which the token covers."""
    with schema_context(tenant.schema):
        return path_of(reset_link(tenant.client, User.objects.get(pk=user.pk)))


def has_password(tenant: TenantInfo, user: User, password: str) -> bool:
    # Checked in the database: signing in to check would change `last_login` and so end links.
    with schema_context(tenant.schema):
        return User.objects.get(pk=user.pk).check_password(password)


def request_reset(browser: HttpClient, email: str, capture: Capture) -> Any:
    with capture(execute=True):
        return browser.post("/password/reset/", {"email": email})


def link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+/password/reset/[^/\s]+/[^/\s]+/", str(message.body))
    assert found, message.body
    return found.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def choose_password(browser: HttpClient, link_path: str, password: str = NEW_PASSWORD) -> Any:
    """Open a reset link and submit a new password, as a person following the e-mail would."""
    opened = browser.get(link_path)
    assert opened.status_code == 302, opened.content[:300]
    form_path = opened["Location"]
    assert form_path.endswith("/set-password/")
    return browser.post(form_path, {"new_password1": password, "new_password2": password})


def invalid_link_page(response: Any) -> bool:
    html = response.content.decode()
    return "This link can't be used" in html and 'href="/password/reset/"' in html and "new_password1" not in html


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


# ---------------------------------------------------------------------------------------------
# Using a link
# ---------------------------------------------------------------------------------------------


def test_reset_link_sets_the_new_password_and_sends_the_person_to_sign_in(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: Capture
) -> None:
    # given: a link from the e-mail
    email = create_user(tenant_a).email
    mail.outbox.clear()
    request_reset(anonymous(tenant_a), email, django_capture_on_commit_callbacks)
    link = path_of(link_in(mail.outbox[0]))
    browser = anonymous(tenant_a)

    # when: the link is opened, it moves the token out of the address before showing the form
    opened = browser.get(link)
    form_page = browser.get(opened["Location"])
    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    # then
    assert opened.status_code == 302 and opened["Location"].endswith("/set-password/")
    assert link.split("/")[-2] not in opened["Location"]
    assert form_page.status_code == 200 and 'name="new_password1"' in form_page.content.decode()
    assert done.status_code == 302 and done["Location"] == "/login/"
    assert "Your password was changed" in browser.get("/login/").content.decode()
    assert is_signed_in(browser) is False  # no automatic sign-in
    assert can_sign_in(tenant_a, email, NEW_PASSWORD)
    assert not can_sign_in(tenant_a, email, PASSWORD)
    assert mail.outbox[-1].to == [email] and "password was changed" in mail.outbox[-1].subject


def test_reset_link_works_only_once(tenant_a: TenantInfo) -> None:
    # given: a link that was used
    user = create_user(tenant_a)
    link = link_for(tenant_a, user)
    assert choose_password(anonymous(tenant_a), link).status_code == 302

    # when: it is opened again, in the same browser or another
    again = anonymous(tenant_a).get(link)

    # then
    assert again.status_code == 200
    assert invalid_link_page(again)


def test_reset_link_of_tenant_a_fails_on_tenant_b_where_the_user_id_exists(
    tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    # given: A's owner has a valid link, and B has a person with the same id
    with schema_context(tenant_a.schema):
        owner_a = User.objects.get(email=tenant_a.owner_email)
    link = link_for(tenant_a, owner_a)
    with schema_context(tenant_b.schema):
        same_id_on_b = User.objects.get(pk=owner_a.pk)
    assert same_id_on_b.email == tenant_b.owner_email

    # when
    on_b = anonymous(tenant_b).get(link)
    form_on_b = anonymous(tenant_b).post(
        link.replace(link.split("/")[-2], "set-password"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    # then: B shows the invalid state, both passwords are unchanged, and the link still works on A
    assert invalid_link_page(on_b)
    assert invalid_link_page(form_on_b)
    assert has_password(tenant_b, same_id_on_b, PASSWORD)
    assert has_password(tenant_a, owner_a, PASSWORD)
    assert anonymous(tenant_a).get(link).status_code == 302


def test_reset_link_expires(tenant_a: TenantInfo) -> None:
    # given: links issued just inside and just outside PASSWORD_RESET_TIMEOUT
    user = create_user(tenant_a)
    generator = TenantPasswordResetTokenGenerator(tenant_a.client)
    now = generator._num_seconds(generator._now())
    uid = urlsafe_base64_encode(force_bytes(user.pk))

    def link_issued(seconds_ago: int) -> str:
        return (
            f"/password/reset/{uid}/{generator._make_token_with_timestamp(user, now - seconds_ago, generator.secret)}/"
        )

    # when
    fresh = anonymous(tenant_a).get(link_issued(settings.PASSWORD_RESET_TIMEOUT - 60))
    stale = anonymous(tenant_a).get(link_issued(settings.PASSWORD_RESET_TIMEOUT + 60))

    # then
    assert fresh.status_code == 302
    assert invalid_link_page(stale)
    assert has_password(tenant_a, user, PASSWORD)


@pytest.mark.parametrize(
    "link", ["/password/reset/MQ/not-a-token/", "/password/reset/!!/x-y/", "/password/reset/x/set-password/"]
)
def test_reset_link_that_is_malformed_shows_the_invalid_state(client_a: HttpClient, link: str) -> None:
    response = client_a.get(link)

    assert response.status_code == 200
    assert invalid_link_page(response)


def test_reset_ends_every_session_and_api_token(tenant_a: TenantInfo) -> None:
    # given: the person is signed in in a browser and holds an API token
    user = create_user(tenant_a)
    browser = signed_in(tenant_a, user.email)
    access = api_token(tenant_a, user.email)
    assert is_signed_in(browser) and api_status(tenant_a, access) == 200
    link = link_for(tenant_a, user)

    # when
    assert choose_password(anonymous(tenant_a), link).status_code == 302

    # then
    assert not is_signed_in(browser)
    assert api_status(tenant_a, access) == 401


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}, "The two password fields"),
        ({"new_password1": "short", "new_password2": "short"}, "too short"),
        ({"new_password1": "password123", "new_password2": "password123"}, "too common"),
        ({"new_password1": "x" * 129, "new_password2": "x" * 129}, "at most 128 characters"),
        ({}, "This field is required."),
    ],
)
def test_reset_form_rejects_bad_passwords_and_keeps_the_link_usable(
    tenant_a: TenantInfo, data: dict[str, str], message: str
) -> None:
    # given: an opened link
    user = create_user(tenant_a)
    link = link_for(tenant_a, user)
    browser = anonymous(tenant_a)
    form_path = browser.get(link)["Location"]

    # when
    response = browser.post(form_path, data)

    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert has_password(tenant_a, user, PASSWORD)
    assert choose_password(anonymous(tenant_a), link).status_code == 302


# ---------------------------------------------------------------------------------------------
# Changing the password while signed in
# ---------------------------------------------------------------------------------------------


def test_change_password_keeps_this_session_and_ends_every_other(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: Capture
) -> None:
    # given: the person is signed in twice and holds an API token
    user = create_user(tenant_a)
    here, elsewhere = signed_in(tenant_a, user.email), signed_in(tenant_a, user.email)
    access = api_token(tenant_a, user.email)
    mail.outbox.clear()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(
            "/settings/password/",
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

    # then
    assert response.status_code == 302
    page = here.get(response["Location"])
    assert page.status_code == 200
    assert "Your password was changed" in page.content.decode()
    assert not is_signed_in(elsewhere)
    assert api_status(tenant_a, access) == 401
    assert can_sign_in(tenant_a, user.email, NEW_PASSWORD)
    assert not can_sign_in(tenant_a, user.email, PASSWORD)
    assert [m.to for m in mail.outbox] == [[user.email]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"old_password": "wrong-password-1", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            "Your current password is not correct.",
        ),
        (
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "something-else-9"},
            "The two new passwords are not the same.",
        ),
        ({"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"}, "too short"),
        ({"old_password": PASSWORD}, "This field is required."),
        ({}, "This field is required."),
        (
            {"old_password": PASSWORD, "new_password1": "y" * 129, "new_password2": "y" * 129},
            "at most 128 characters",
        ),
    ],
)
def test_change_password_rejects_bad_input_and_changes_nothing(
    tenant_a: TenantInfo, data: dict[str, str], message: str
) -> None:
    # given
    user = create_user(tenant_a)
    here, elsewhere = signed_in(tenant_a, user.email), signed_in(tenant_a, user.email)

    # when
    response = here.post("/settings/password/", data)

    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert is_signed_in(here) and is_signed_in(elsewhere)
    assert can_sign_in(tenant_a, user.email, PASSWORD)


def test_change_password_attempts_are_limited_per_person(tenant_a: TenantInfo) -> None:
    # given: twenty wrong guesses at the current password
    user = create_user(tenant_a)
    browser = signed_in(tenant_a, user.email)
    guess = {"old_password": "wrong-guess-000", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert {browser.post("/settings/password/", guess).status_code for _ in range(20)} == {400}

    # when: the right one comes next
    response = browser.post("/settings/password/", {**guess, "old_password": PASSWORD})

    # then: refused without saying whether it was right, and nothing changed
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Too many attempts" in html and "not correct" not in html
    assert can_sign_in(tenant_a, user.email, PASSWORD)


def test_change_password_needs_a_signed_in_person(client_a: HttpClient) -> None:
    response = client_a.get("/settings/password/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
