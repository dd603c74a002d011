"""Resetting a password through the e-mailed link: bound to one tenant, one use, a limited time;
the new password ends every other session and API token of the person."""

from __future__ import annotations

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
from tests.support.accounts import anonymous, api_token, create_user, signed_in
from tests.support.passwords import NEW_PASSWORD, Capture, api_status, can_sign_in, is_signed_in, link_in, request_reset
from tests.support.tenants import PASSWORD, TenantInfo

pytestmark = pytest.mark.django_db


def link_for(tenant: TenantInfo, user: User) -> str:
    """A reset link as the e-mail would carry it (path only), for the person as stored now:
    signing in changes `last_login`, which the token covers."""
    with schema_context(tenant.schema):
        return path_of(reset_link(tenant.client, User.objects.get(pk=user.pk)))


def has_password(tenant: TenantInfo, user: User, password: str) -> bool:
    # Checked in the database: signing in to check would change `last_login` and so end links.
    with schema_context(tenant.schema):
        return User.objects.get(pk=user.pk).check_password(password)


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
