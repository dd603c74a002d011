"""Invitation links: the e-mail, the accept page (/invite/<token>/), and every way a link must
stop working: used, expired, replaced, revoked, or opened on another tenant's host."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.actions import do_create_user
from accounts.models import Invitation, User
from tests.support.people import CaptureOnCommit, fetch, invite, messages_of, owner_client, path_of, unique_email
from tests.support.tenants import PASSWORD, TenantInfo, host_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-42"
JOIN = {"name": "Wile E. Coyote", "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
INVALID_PAGE = "This invitation link is invalid or has expired"


@pytest.fixture
def invitation(tenant_a: TenantInfo, django_capture_on_commit_callbacks: CaptureOnCommit) -> tuple[str, str]:
    """A pending member invitation of tenant A: (invited e-mail, path of the link)."""
    email = unique_email(tenant_a, "invitee")
    response, link = invite(owner_client(tenant_a), django_capture_on_commit_callbacks, email=email)
    assert response.status_code == 302 and link is not None
    return email, path_of(link)


def nobody_has(email: str, *tenants: TenantInfo) -> bool:
    return all(fetch(tenant, User, email=email) is None for tenant in tenants)


def test_invitation_email_is_branded_and_its_link_lets_the_invitee_join(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given: the owner invites someone as an admin
    email = unique_email(tenant_a, "joiner")
    _, link = invite(owner_client(tenant_a), django_capture_on_commit_callbacks, email=email, role="admin")

    # then: one e-mail, to the invitee, from the tenant's name, linking to the tenant's host
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    assert "Acme" in message.from_email and "Acme" in message.subject
    assert link is not None and urlsplit(link).hostname == tenant_a.host

    # when: the invitee opens the link and joins
    browser = host_client(tenant_a.host)
    page = browser.get(path_of(link))
    joined = browser.post(path_of(link), JOIN)

    # then: signed in on A, with the invited role, and welcomed
    assert page.status_code == 200
    html = page.content.decode()
    assert "Join Acme as admin" in html and email in html and "Acme Owner invited you" in html
    # the secret in the URL is never sent to other sites (and the form's Origin stays usable for CSRF)
    assert page["Referrer-Policy"] == "same-origin"
    assert joined.status_code == 302 and joined["Location"] == "/"
    assert "Welcome to Acme, Wile!" in messages_of(joined)
    assert browser.get("/api/me/").json()["email"] == email
    user = fetch(tenant_a, User, email=email)
    assert (user.role, user.name, user.is_active) == ("admin", "Wile E. Coyote", True)
    assert fetch(tenant_a, Invitation, email=email).accepted_user_id == user.pk
    assert nobody_has(email, tenant_b)


def test_invitation_of_one_tenant_is_not_found_on_the_other(
    tenant_a: TenantInfo, tenant_b: TenantInfo, invitation: tuple[str, str]
) -> None:
    # given: A's link, opened on B's host
    email, path = invitation
    token = path.rstrip("/").rsplit("/", 1)[1]
    browser = host_client(tenant_b.host)

    # when
    page = browser.get(path)
    posted = browser.post(path, JOIN)
    api = browser.post(
        "/api/invitations/accept/",
        {"token": token, "name": "Intruder", "password": NEW_PASSWORD},
        content_type="application/json",
    )

    # then: B knows no such link, and nothing was created anywhere
    assert page.status_code == posted.status_code == 404
    assert INVALID_PAGE in page.content.decode() and "Globex" in page.content.decode()
    assert api.status_code == 404
    assert api.json() == {
        "detail": "This invitation link is invalid, expired or already used.",
        "code": "invalid_invitation",
    }
    assert nobody_has(email, tenant_a, tenant_b)
    assert fetch(tenant_a, Invitation, email=email).accepted_at is None
    # and the link still works where it belongs
    assert host_client(tenant_a.host).get(path).status_code == 200


def test_invitation_link_works_only_once(tenant_a: TenantInfo, invitation: tuple[str, str]) -> None:
    # given: the invitee joined
    email, path = invitation
    assert host_client(tenant_a.host).post(path, JOIN).status_code == 302

    # when: the link is used again
    again = host_client(tenant_a.host)
    page, posted = again.get(path), again.post(path, {**JOIN, "name": "Second Try"})

    # then
    assert page.status_code == posted.status_code == 404
    assert INVALID_PAGE in posted.content.decode()
    with schema_context(tenant_a.schema):
        assert list(User.objects.filter(email=email).values_list("name", flat=True)) == ["Wile E. Coyote"]


def test_expired_invitation_is_refused(tenant_a: TenantInfo, invitation: tuple[str, str]) -> None:
    # given
    email, path = invitation
    with schema_context(tenant_a.schema):
        Invitation.objects.filter(email=email).update(expires_at=timezone.now() - timedelta(minutes=1))

    # when
    browser = host_client(tenant_a.host)
    page, posted = browser.get(path), browser.post(path, JOIN)

    # then
    assert page.status_code == posted.status_code == 404
    assert INVALID_PAGE in page.content.decode()
    assert nobody_has(email, tenant_a)
    assert "Expired" in owner_client(tenant_a).get("/people/").content.decode()


def test_resending_replaces_the_old_link(
    tenant_a: TenantInfo, invitation: tuple[str, str], django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given
    email, old_path = invitation
    pk = fetch(tenant_a, Invitation, email=email).pk

    # when
    with django_capture_on_commit_callbacks(execute=True):
        owner_client(tenant_a).post(f"/people/invitations/{pk}/resend/")

    # then
    assert len(mail.outbox) == 2 and mail.outbox[1].to == [email]
    new_path = path_of(mail.outbox[1].body.split(f"http://{tenant_a.host}", 1)[1].split()[0])
    assert new_path != old_path
    browser = host_client(tenant_a.host)
    assert browser.get(old_path).status_code == 404
    assert browser.post(old_path, JOIN).status_code == 404
    assert nobody_has(email, tenant_a)
    assert browser.get(new_path).status_code == 200


def test_revoked_invitation_is_refused(tenant_a: TenantInfo, invitation: tuple[str, str]) -> None:
    # given
    email, path = invitation
    pk = fetch(tenant_a, Invitation, email=email).pk

    # when
    owner_client(tenant_a).post(f"/people/invitations/{pk}/revoke/")

    # then
    browser = host_client(tenant_a.host)
    assert browser.get(path).status_code == 404
    assert browser.post(path, JOIN).status_code == 404
    assert nobody_has(email, tenant_a)


@pytest.mark.parametrize("token", ["x", "not-a-real-token-at-all", "a" * 101, "a" * 5000])
def test_made_up_links_get_the_friendly_404(client_a: HttpClient, tenant_a: TenantInfo, token: str) -> None:
    response = client_a.get(f"/invite/{token}/")

    assert response.status_code == 404
    assert INVALID_PAGE in response.content.decode()
    assert "ask" in response.content.decode().lower()


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({**JOIN, "name": ""}, "name", "This field is required."),
        ({**JOIN, "name": "   "}, "name", "This field is required."),
        ({**JOIN, "name": "n" * 151}, "name", "at most 150 characters"),
        ({**JOIN, "password_confirmation": "something-else-42"}, "password_confirmation", "do not match"),
        ({"name": "Wile", "password": "short", "password_confirmation": "short"}, "password", "too short"),
        (
            {"name": "Wile", "password": "password1234", "password_confirmation": "password1234"},
            "password",
            "too common",
        ),
        ({**JOIN, "password": "p" * 129, "password_confirmation": "p" * 129}, "password", "at most 128 characters"),
        ({"name": "Wile"}, "password", "This field is required."),
    ],
)
def test_accept_form_shows_errors_on_the_field_and_creates_nothing(
    tenant_a: TenantInfo, invitation: tuple[str, str], data: dict[str, str], field: str, error: str
) -> None:
    # given
    email, path = invitation
    browser = host_client(tenant_a.host)

    # when
    response = browser.post(path, data)

    # then: the form again, the error under its field, no account, the link still usable
    assert response.status_code == 400
    html = response.content.decode()
    error_list = html.split(f'id="id_{field}_error"', 1)[1].split("</ul>", 1)[0]
    assert error in error_list
    assert NEW_PASSWORD not in html and "p" * 129 not in html  # passwords are never echoed
    assert nobody_has(email, tenant_a)
    assert browser.post(path, JOIN).status_code == 302


def test_signed_in_person_is_told_and_switched_to_the_new_account(
    tenant_a: TenantInfo, invitation: tuple[str, str]
) -> None:
    # given: the owner's browser opens someone's invitation
    email, path = invitation
    browser = owner_client(tenant_a)

    # when
    page = browser.get(path)
    joined = browser.post(path, JOIN)

    # then
    assert f"You are signed in as <strong>{tenant_a.owner_email}</strong>" in page.content.decode()
    assert joined.status_code == 302
    assert browser.get("/api/me/").json()["email"] == email


def test_link_for_an_address_that_already_has_an_account_offers_sign_in(
    tenant_a: TenantInfo, invitation: tuple[str, str]
) -> None:
    # given: the invited address got an account some other way
    email, path = invitation
    with schema_context(tenant_a.schema):
        do_create_user(email=email, password=PASSWORD, name="Already Here")

    # when
    browser = host_client(tenant_a.host)
    page = browser.get(path)
    posted = browser.post(path, JOIN)

    # then
    assert "already exists" in page.content.decode()
    assert 'name="password"' not in page.content.decode()
    assert "_auth_user_id" not in browser.session
    assert posted.status_code == 200
    assert fetch(tenant_a, User, email=email).name == "Already Here"


def test_people_joining_start_in_the_workspace_time_zone(tenant_a: TenantInfo, invitation: tuple[str, str]) -> None:
    # given: A's workspace time zone is Berlin
    email, path = invitation
    Client = type(tenant_a.client)
    Client.objects.filter(pk=tenant_a.client.pk).update(time_zone="Europe/Berlin")
    try:
        # when: the invitee joins
        assert host_client(tenant_a.host).post(path, JOIN).status_code == 302
    finally:
        Client.objects.filter(pk=tenant_a.client.pk).update(time_zone="UTC")

    # then: they start in Berlin until they choose
    assert fetch(tenant_a, User, email=email).time_zone == "Europe/Berlin"
