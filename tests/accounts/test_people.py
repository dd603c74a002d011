"""The people page (/people/): who sees it, what it lists, and every management form on it.

Also home of the helpers the invitation and people-API tests share: unique addresses (mail
rate limits live in Redis, which no test transaction rolls back), people made through the
action, and pairs of people with the same id in two tenants.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts import selectors
from accounts.models import Invitation, User
from tests.support.people import (
    CaptureOnCommit,
    fetch,
    invite,
    make_user,
    messages_of,
    owner_client,
    signed_in,
    twin_users,
    unique_email,
)
from tests.support.tenants import PASSWORD, TenantInfo, host_client

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Reading the page
# ---------------------------------------------------------------------------------------------


def directory(response: HttpResponse) -> str:
    """The people table of the page, without the top bar (which names the signed-in person)."""
    html = response.content.decode()
    return html.split('aria-labelledby="people-title"', 1)[1].split('aria-labelledby="invitations-title"', 1)[0]


def pending_invitations(response: HttpResponse) -> str:
    return response.content.decode().split('aria-labelledby="invitations-title"', 1)[1]


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    yield 3


# ---------------------------------------------------------------------------------------------
# Who may see the page
# ---------------------------------------------------------------------------------------------


def test_people_page_sends_anonymous_visitors_to_sign_in(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    response = client_a.get("/people/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("role", [User.Role.OWNER, User.Role.ADMIN])
def test_people_page_opens_for_owners_and_admins(tenant_a: TenantInfo, role: str) -> None:
    manager = make_user(tenant_a, role)

    response = signed_in(tenant_a, manager.email).get("/people/")

    assert response.status_code == 200
    assert b"Invite someone to Acme" in response.content


def test_people_pages_refuse_members_with_403_and_change_nothing(tenant_a: TenantInfo) -> None:
    # given: a member, a colleague and a pending invitation
    member = make_user(tenant_a)
    colleague = make_user(tenant_a)
    browser = signed_in(tenant_a, member.email)
    invitee = unique_email(tenant_a)
    owner = signed_in(tenant_a, tenant_a.owner_email)
    owner.post("/people/invite/", {"email": invitee, "role": "member"})
    invitation = fetch(tenant_a, Invitation, email=invitee)

    # when: the member tries every page and form
    responses = [
        browser.get("/people/"),
        browser.post("/people/invite/", {"email": unique_email(tenant_a), "role": "member"}),
        browser.post(f"/people/{colleague.pk}/role/", {"role": "admin"}),
        browser.post(f"/people/{colleague.pk}/deactivate/"),
        browser.post(f"/people/{colleague.pk}/reactivate/"),
        browser.post(f"/people/invitations/{invitation.pk}/resend/"),
        browser.post(f"/people/invitations/{invitation.pk}/revoke/"),
    ]

    # then
    assert [response.status_code for response in responses] == [403] * len(responses)
    assert b"Only owners and admins" in responses[0].content
    colleague_now = fetch(tenant_a, User, pk=colleague.pk)
    assert (colleague_now.role, colleague_now.is_active) == ("member", True)
    invitation_now = fetch(tenant_a, Invitation, pk=invitation.pk)
    assert invitation_now.revoked_at is None and invitation_now.send_count == 1
    assert fetch(tenant_a, Invitation, invited_by=member) is None


# ---------------------------------------------------------------------------------------------
# The directory
# ---------------------------------------------------------------------------------------------


def test_people_page_lists_this_tenants_people_and_never_the_others(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given
    ours = make_user(tenant_a, name="Wile E. Coyote")
    theirs = make_user(tenant_b, name="Hank Scorpio")
    inactive = make_user(tenant_a, name="Gone Away")
    with schema_context(tenant_a.schema):
        User.objects.filter(pk=inactive.pk).update(is_active=False)

    # when
    page = directory(owner_client(tenant_a).get("/people/", {"q": ""}))

    # then
    assert "Wile E. Coyote" in page and ours.email in page
    assert "Hank Scorpio" not in page and theirs.email not in page and tenant_b.owner_email not in page
    assert "Gone Away" in page and "Deactivated" in page


def test_people_search_matches_name_or_email_ignoring_case(tenant_a: TenantInfo) -> None:
    # given
    tag = uuid.uuid4().hex[:8]
    by_name = make_user(tenant_a, name=f"Road Runner {tag}")
    by_email = make_user(tenant_a, email=f"{tag}-beep@acme.test")
    other = make_user(tenant_a, name="Elmer Fudd")
    browser = owner_client(tenant_a)

    # when
    page = directory(browser.get("/people/", {"q": tag.upper()}))
    nothing = directory(browser.get("/people/", {"q": f"zz{tag}zz"}))

    # then
    assert by_name.email in page and by_email.email in page
    assert other.email not in page and tenant_a.owner_email not in page
    assert "2 matches" in page
    assert "name or e-mail contains" in nothing


def test_people_search_refuses_an_overlong_query(tenant_a: TenantInfo) -> None:
    response = owner_client(tenant_a).get("/people/", {"q": "x" * 101})

    assert response.status_code == 400
    assert "Search for at most 100 characters." in messages_of(response)


def test_people_pages_walk_forward_and_back_with_keyset_cursors(tenant_a: TenantInfo, small_pages: int) -> None:
    # given: seven people found by one search, three per page
    tag = uuid.uuid4().hex[:8]
    emails = sorted(make_user(tenant_a, email=f"{tag}-{n}@acme.test").email for n in range(7))
    browser = owner_client(tenant_a)

    # when: following "Next" to the end
    pages, url = [], f"/people/?q={tag}"
    while url:
        html = browser.get(url).content.decode()
        pages.append([email for email in emails if email in html])
        found = re.search(r'href="(/people/\?[^"]*)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else ""

    # then: every person once, in e-mail order, and the search kept
    assert pages == [emails[0:3], emails[3:6], emails[6:7]]
    last = browser.get(f"/people/?q={tag}&after={selectors.Cursor.of(fetch(tenant_a, User, email=emails[5])).encode()}")
    previous = re.search(r'href="(/people/\?[^"]*)" rel="prev"', last.content.decode())
    assert previous and f"q={tag}" in previous.group(1)
    back = browser.get(previous.group(1).replace("&amp;", "&")).content.decode()
    assert [email for email in emails if email in back] == emails[3:6]
    assert 'rel="prev"' in back and 'rel="next"' in back


def test_people_page_ignores_a_tampered_cursor(tenant_a: TenantInfo) -> None:
    response = owner_client(tenant_a).get("/people/", {"after": "not-a-cursor!!"})

    assert response.status_code == 200
    assert tenant_a.owner_email in directory(response)


# ---------------------------------------------------------------------------------------------
# Inviting
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Roles and (de)activation
# ---------------------------------------------------------------------------------------------


def test_owner_changes_a_members_role(tenant_a: TenantInfo) -> None:
    member = make_user(tenant_a, name="Daffy Duck")

    response = owner_client(tenant_a).post(f"/people/{member.pk}/role/", {"role": "admin"})

    assert response.status_code == 302
    assert "Daffy Duck is now an admin." in messages_of(response)
    assert fetch(tenant_a, User, pk=member.pk).role == "admin"


@pytest.mark.parametrize("data", [{}, {"role": "emperor"}, {"role": ""}])
def test_role_form_rejects_unknown_roles(tenant_a: TenantInfo, data: dict[str, str]) -> None:
    member = make_user(tenant_a)

    response = owner_client(tenant_a).post(f"/people/{member.pk}/role/", data)

    assert response.status_code == 400
    assert "Choose one of the roles in the list." in messages_of(response)
    assert fetch(tenant_a, User, pk=member.pk).role == "member"


def test_admin_cannot_promote_to_owner_or_manage_an_owner(tenant_a: TenantInfo) -> None:
    # given
    admin = make_user(tenant_a, User.Role.ADMIN)
    member = make_user(tenant_a)
    owner = fetch(tenant_a, User, email=tenant_a.owner_email)
    browser = signed_in(tenant_a, admin.email)

    # when
    promote = browser.post(f"/people/{member.pk}/role/", {"role": "owner"})
    demote_owner = browser.post(f"/people/{owner.pk}/role/", {"role": "member"})
    deactivate_owner = browser.post(f"/people/{owner.pk}/deactivate/")

    # then
    assert "Only owners can make someone an owner." in messages_of(promote)
    assert "Only owners can change or deactivate an owner." in messages_of(demote_owner)
    assert "Only owners can change or deactivate an owner." in messages_of(deactivate_owner)
    owner_now = fetch(tenant_a, User, pk=owner.pk)
    assert (owner_now.role, owner_now.is_active) == ("owner", True)
    assert fetch(tenant_a, User, pk=member.pk).role == "member"


def test_the_only_owner_can_neither_step_down_nor_deactivate_themselves(tenant_a: TenantInfo) -> None:
    # given: the tenant's one owner
    owner = fetch(tenant_a, User, email=tenant_a.owner_email)
    browser = owner_client(tenant_a)

    # when
    demote = browser.post(f"/people/{owner.pk}/role/", {"role": "admin"})
    deactivate = browser.post(f"/people/{owner.pk}/deactivate/")

    # then
    assert "This is the workspace's last owner. Make someone else an owner first." in messages_of(demote)
    assert "You cannot deactivate yourself. Ask another owner or admin." in messages_of(deactivate)
    owner_now = fetch(tenant_a, User, pk=owner.pk)
    assert (owner_now.role, owner_now.is_active) == ("owner", True)


def test_with_two_owners_one_can_step_down_and_deactivate_the_other(tenant_a: TenantInfo) -> None:
    # given
    second = make_user(tenant_a, User.Role.OWNER, name="Second Owner")
    third = make_user(tenant_a, User.Role.OWNER, name="Third Owner")
    browser = owner_client(tenant_a)
    owner = fetch(tenant_a, User, email=tenant_a.owner_email)

    # when: the first owner deactivates the third, then hands over to the second and steps down
    deactivated = browser.post(f"/people/{third.pk}/deactivate/")
    self_demoted = browser.post(f"/people/{owner.pk}/role/", {"role": "admin"})
    demote_second = browser.post(f"/people/{second.pk}/role/", {"role": "member"})

    # then
    assert "Third Owner was deactivated and signed out everywhere." in messages_of(deactivated)
    assert self_demoted.status_code == 302 and self_demoted["Location"] == "/people/"
    assert fetch(tenant_a, User, pk=owner.pk).role == "admin"
    assert fetch(tenant_a, User, pk=third.pk).is_active is False
    # now an admin, the first can no longer touch an owner
    assert "Only owners can change or deactivate an owner." in messages_of(demote_second)
    assert fetch(tenant_a, User, pk=second.pk).role == "owner"


def test_owner_demotes_another_owner(tenant_a: TenantInfo) -> None:
    second = make_user(tenant_a, User.Role.OWNER, name="Second Owner")

    response = owner_client(tenant_a).post(f"/people/{second.pk}/role/", {"role": "member"})

    assert "Second Owner is now a member." in messages_of(response)
    assert signed_in(tenant_a, second.email).get("/people/").status_code == 403


def test_an_admin_who_makes_themselves_a_member_is_sent_home(tenant_a: TenantInfo) -> None:
    admin = make_user(tenant_a, User.Role.ADMIN)

    response = signed_in(tenant_a, admin.email).post(f"/people/{admin.pk}/role/", {"role": "member"})

    assert response.status_code == 302 and response["Location"] == "/"
    assert fetch(tenant_a, User, pk=admin.pk).role == "member"


def test_deactivation_ends_the_persons_session_and_api_tokens(tenant_a: TenantInfo) -> None:
    # given: a member signed in on the web and holding API tokens
    member = make_user(tenant_a)
    their_browser = signed_in(tenant_a, member.email)
    tokens = (
        host_client(tenant_a.host)
        .post("/api/auth/token/", {"email": member.email, "password": PASSWORD}, content_type="application/json")
        .json()
    )
    assert their_browser.get("/").status_code == 200

    # when
    response = owner_client(tenant_a).post(f"/people/{member.pk}/deactivate/")

    # then
    assert response.status_code == 302
    home = their_browser.get("/")
    assert home.status_code == 302 and home["Location"].startswith("/login/")
    api = host_client(tenant_a.host)
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}").status_code == 401
    refreshed = api.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, content_type="application/json")
    assert refreshed.status_code == 401


def test_reactivated_person_can_sign_in_again(tenant_a: TenantInfo) -> None:
    member = make_user(tenant_a, name="Bugs Bunny")
    browser = owner_client(tenant_a)
    browser.post(f"/people/{member.pk}/deactivate/")

    response = browser.post(f"/people/{member.pk}/reactivate/")

    assert "Bugs Bunny can sign in again." in messages_of(response)
    assert signed_in(tenant_a, member.email).get("/").status_code == 200


def test_nobody_deactivates_themselves(tenant_a: TenantInfo) -> None:
    admin = make_user(tenant_a, User.Role.ADMIN)
    browser = signed_in(tenant_a, admin.email)

    page = browser.get("/people/").content.decode()
    response = browser.post(f"/people/{admin.pk}/deactivate/")

    assert f'action="/people/{admin.pk}/deactivate/"' not in page
    assert "You cannot deactivate yourself. Ask another owner or admin." in messages_of(response)
    assert fetch(tenant_a, User, pk=admin.pk).is_active is True


@pytest.mark.parametrize(
    "path",
    [
        "/people/999999999/role/",
        "/people/999999999/deactivate/",
        "/people/999999999/reactivate/",
        "/people/invitations/999999999/resend/",
        "/people/invitations/999999999/revoke/",
        "/people/abc/deactivate/",
        "/people/-1/role/",
        "/people/invitations/1.5/revoke/",
    ],
)
def test_unknown_ids_get_404(tenant_a: TenantInfo, path: str) -> None:
    response = owner_client(tenant_a).post(path, {"role": "admin"})

    assert response.status_code == 404


def test_people_page_forms_answer_only_post(tenant_a: TenantInfo) -> None:
    member = make_user(tenant_a)

    response = owner_client(tenant_a).get(f"/people/{member.pk}/deactivate/")

    assert response.status_code == 405
    assert fetch(tenant_a, User, pk=member.pk).is_active is True


def test_a_persons_id_on_one_tenant_never_reaches_the_other(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given: a person with the same id in each tenant
    ours, theirs = twin_users(tenant_a, tenant_b)

    # when: A's owner deactivates and promotes "that id" on A's host
    browser = owner_client(tenant_a)
    browser.post(f"/people/{ours.pk}/role/", {"role": "admin"})
    browser.post(f"/people/{ours.pk}/deactivate/")

    # then: only A's person changed
    ours_now, theirs_now = fetch(tenant_a, User, pk=ours.pk), fetch(tenant_b, User, pk=theirs.pk)
    assert (ours_now.role, ours_now.is_active) == ("admin", False)
    assert (theirs_now.role, theirs_now.is_active, theirs_now.email) == ("member", True, theirs.email)


def test_a_form_returns_to_the_page_it_was_posted_from_and_nowhere_else(tenant_a: TenantInfo) -> None:
    member = make_user(tenant_a)
    browser = owner_client(tenant_a)

    kept = browser.post(f"/people/{member.pk}/role/", {"role": "admin", "next": "/people/?q=zz&after=abc"})
    foreign = browser.post(f"/people/{member.pk}/role/", {"role": "member", "next": "https://evil.example/people/"})
    other_page = browser.post(f"/people/{member.pk}/role/", {"role": "admin", "next": "/people/invite/"})
    header_trick = browser.post(
        f"/people/{member.pk}/role/", {"role": "admin", "next": "/people/?q=a\r\nSet-Cookie: x=1"}
    )

    assert kept["Location"] == "/people/?q=zz&after=abc"
    assert foreign["Location"] == "/people/"
    assert other_page["Location"] == header_trick["Location"] == "/people/"


def test_names_are_escaped_in_the_page_and_its_confirmations(tenant_a: TenantInfo) -> None:
    make_user(tenant_a, name="Bobby'); alert(1);//<b>x</b>")

    page = directory(owner_client(tenant_a).get("/people/"))

    assert "<b>x</b>" not in page and "'); alert(1)" not in page
    assert "Bobby&#x27;); alert(1);//&lt;b&gt;x&lt;/b&gt;" in page
    assert "Deactivate Bobby\\u0027)" in page
