"""Inviting from the people page: the invite form, what it refuses, and the resend and revoke
buttons of the pending invitations. (The links the invitations carry: test_invitations.py.)"""

from __future__ import annotations

import pytest
from django.core import mail
from django.http import HttpResponse
from django_tenants.utils import schema_context

from accounts.models import Invitation, User
from tests.support.people import (
    CaptureOnCommit,
    fetch,
    invite,
    make_user,
    messages_of,
    owner_client,
    signed_in,
    unique_email,
)
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


def pending_invitations(response: HttpResponse) -> str:
    return response.content.decode().split('aria-labelledby="invitations-title"', 1)[1]


def test_invite_form_sends_the_invitation_and_lists_it_as_pending(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given
    browser = owner_client(tenant_a)
    email = unique_email(tenant_a, "new")

    # when
    response, link = invite(browser, django_capture_on_commit_callbacks, email=email, role="admin")

    # then
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert f"Invitation sent to {email} as admin." in messages_of(response)
    assert link is not None
    pending = pending_invitations(browser.get("/people/"))
    assert email in pending and "Acme Owner" in pending and "Resend" in pending and "Revoke" in pending


def test_admin_is_offered_no_owner_role_and_cannot_invite_an_owner(tenant_a: TenantInfo) -> None:
    # given
    admin = make_user(tenant_a, User.Role.ADMIN)
    browser = signed_in(tenant_a, admin.email)
    email = unique_email(tenant_a)

    # when
    page = browser.get("/people/").content.decode()
    response = browser.post("/people/invite/", {"email": email, "role": "owner"})

    # then
    invite_form = page.split('class="invite-form"', 1)[1].split("</form>", 1)[0]
    assert 'value="owner"' not in invite_form and 'value="admin"' in invite_form
    assert response.status_code == 302
    assert "Only owners can make someone an owner." in messages_of(response)
    assert fetch(tenant_a, Invitation, email=email) is None


def test_inviting_a_current_member_is_refused_with_a_message(tenant_a: TenantInfo) -> None:
    member = make_user(tenant_a)

    response = owner_client(tenant_a).post("/people/invite/", {"email": member.email.upper(), "role": "member"})

    assert response.status_code == 302
    assert "This person is already a member of the workspace." in messages_of(response)
    assert fetch(tenant_a, Invitation, email=member.email) is None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"role": "member"}, "This field is required."),
        ({"email": "", "role": "member"}, "This field is required."),
        ({"email": "not-an-address", "role": "member"}, "Enter a valid email address."),
        ({"email": "a" * 250 + "@acme.test", "role": "member"}, "at most 254 characters"),
        ({"email": "valid@acme.test", "role": "emperor"}, "Select a valid choice."),
        ({"email": "valid@acme.test"}, "This field is required."),
    ],
)
def test_invite_form_rejects_bad_input_and_sends_nothing(
    tenant_a: TenantInfo, data: dict[str, str], error: str
) -> None:
    response = owner_client(tenant_a).post("/people/invite/", data)

    assert response.status_code == 400
    assert error in response.content.decode()
    with schema_context(tenant_a.schema):
        assert not Invitation.objects.filter(email__in=["valid@acme.test", data.get("email", "")]).exists()
    assert mail.outbox == []


def test_invite_form_with_a_list_for_email_is_refused(tenant_a: TenantInfo) -> None:
    # Browsers send repeated fields; the last one must not slip through unchecked.
    response = owner_client(tenant_a).post("/people/invite/", {"email": ["x@acme.test", "a" * 300], "role": "member"})

    assert response.status_code == 400
    assert fetch(tenant_a, Invitation, email="x@acme.test") is None


def test_resend_and_revoke_buttons_act_on_the_invitation(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given
    browser = owner_client(tenant_a)
    email = unique_email(tenant_a)
    invite(browser, django_capture_on_commit_callbacks, email=email)
    invitation = fetch(tenant_a, Invitation, email=email)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        resent = browser.post(f"/people/invitations/{invitation.pk}/resend/")
    revoked = browser.post(f"/people/invitations/{invitation.pk}/revoke/")
    again = browser.post(f"/people/invitations/{invitation.pk}/revoke/")

    # then
    assert any("the old link no longer works" in text for text in messages_of(resent))
    assert mail.outbox[-1].to == [email]
    assert f"The invitation for {email} was revoked." in messages_of(revoked)
    assert "This invitation was revoked." in messages_of(again)
    assert email not in pending_invitations(browser.get("/people/"))
