"""Changing the password while signed in: this session stays, every other session and API token
of the person ends; bad input changes nothing, and guesses at the current password are limited."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client as HttpClient

from tests.support.accounts import api_token, create_user, signed_in
from tests.support.passwords import NEW_PASSWORD, Capture, api_status, can_sign_in, is_signed_in
from tests.support.tenants import PASSWORD, TenantInfo

pytestmark = pytest.mark.django_db


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
