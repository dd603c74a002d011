"""The people page's forms for one person: role changes, deactivation and reactivation, who may
do which to whom, and what every form on the page holds to: unknown ids get 404, only POST is
answered, a person's id never reaches another tenant, and a form returns only to the page."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.support.people import fetch, make_user, messages_of, owner_client, signed_in, twin_users
from tests.support.tenants import PASSWORD, TenantInfo, host_client

pytestmark = pytest.mark.django_db


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
