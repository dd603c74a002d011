"""`/api/people/`, and who may call the management endpoints of `/api/people/` and
`/api/invitations/`: managers only, one tenant at a time, the CONTRACT's error shape for every
refusal and every malformed request."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from accounts.models import Invitation, User
from tests.support.people import fetch, make_user, twin_users, unique_email
from tests.support.people_api import Api, as_role, assert_error
from tests.support.tenants import PASSWORD, TenantInfo, host_client

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------------------------


ENDPOINTS = [
    ("get", "/api/people/", None),
    ("get", "/api/people/{person}/", None),
    ("patch", "/api/people/{person}/", {"role": "admin"}),
    ("patch", "/api/people/{person}/", {"is_active": False}),
    ("get", "/api/invitations/", None),
    ("post", "/api/invitations/", {"email": "someone@acme.test", "role": "member"}),
    ("get", "/api/invitations/{invitation}/", None),
    ("delete", "/api/invitations/{invitation}/", None),
    ("post", "/api/invitations/{invitation}/resend/", None),
]


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_members_get_403_from_every_management_endpoint_and_change_nothing(
    tenant_a: TenantInfo, method: str, path: str, data: dict[str, Any] | None
) -> None:
    # given
    person = make_user(tenant_a)
    email = unique_email(tenant_a)
    Api(tenant_a, tenant_a.owner_email).call("post", "/api/invitations/", {"email": email, "role": "member"})
    invitation = fetch(tenant_a, Invitation, email=email)
    member = as_role(tenant_a, "member")

    # when
    response = member.call(method, path.format(person=person.pk, invitation=invitation.pk), data)

    # then
    assert_error(response, 403, "forbidden")
    assert response.json()["detail"] == "Only owners and admins can manage people."
    person_now = fetch(tenant_a, User, pk=person.pk)
    assert (person_now.role, person_now.is_active) == ("member", True)
    invitation_now = fetch(tenant_a, Invitation, pk=invitation.pk)
    assert invitation_now.revoked_at is None and invitation_now.send_count == 1
    assert fetch(tenant_a, Invitation, email="someone@acme.test") is None


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_anonymous_callers_get_401(tenant_a: TenantInfo, method: str, path: str, data: dict[str, Any] | None) -> None:
    response = Api(tenant_a).call(method, path.format(person=1, invitation=1), data)

    assert_error(response, 401, "not_authenticated")


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------


def test_people_list_shows_this_tenants_people_only(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given
    ours = make_user(tenant_a, name="Acme Person")
    theirs = make_user(tenant_b, name="Globex Person")

    # when
    response = as_role(tenant_a, "admin").call("get", "/api/people/", {"q": "Person"})

    # then
    assert response.status_code == 200
    emails = {person["email"] for person in response.json()["results"]}
    assert ours.email in emails
    assert theirs.email not in emails and tenant_b.owner_email not in emails
    assert set(response.json()["results"][0]) == {"id", "email", "name", "role", "is_active", "date_joined"}


def test_people_list_pages_through_everyone_with_an_opaque_cursor(tenant_a: TenantInfo) -> None:
    # given: 55 people found by one search (more than one page of 50)
    tag = uuid.uuid4().hex[:8]
    emails = sorted(make_user(tenant_a, email=f"{tag}-{n:02}@acme.test").email for n in range(55))
    api = as_role(tenant_a, "owner")

    # when
    first = api.call("get", "/api/people/", {"q": tag}).json()
    second = api.call("get", "/api/people/", {"q": tag, "cursor": first["next"]}).json()

    # then
    assert [person["email"] for person in first["results"]] == emails[:50]
    assert [person["email"] for person in second["results"]] == emails[50:]
    assert isinstance(first["next"], str) and second["next"] is None


def test_people_search_ignores_case_and_matches_names(tenant_a: TenantInfo) -> None:
    tag = uuid.uuid4().hex[:8]
    person = make_user(tenant_a, name=f"Marvin {tag.upper()} Martian")

    response = as_role(tenant_a, "owner").call("get", "/api/people/", {"q": f"marvin {tag}"})

    assert [found["id"] for found in response.json()["results"]] == [person.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "W10"}, "cursor"),
        ({"cursor": "c" * 700}, "cursor"),
        ({"q": "q" * 101}, "q"),
    ],
)
def test_people_list_refuses_bad_parameters(tenant_a: TenantInfo, params: dict[str, str], field: str) -> None:
    response = as_role(tenant_a, "owner").call("get", "/api/people/", params)

    body = assert_error(response, 400, "invalid")
    assert field in body["errors"]


def test_person_detail_and_unknown_ids(tenant_a: TenantInfo) -> None:
    person = make_user(tenant_a, name="Porky Pig")
    api = as_role(tenant_a, "admin")

    found = api.call("get", f"/api/people/{person.pk}/")
    missing = api.call("get", "/api/people/999999999/")
    not_a_number = api.call("patch", "/api/people/abc/", {"role": "admin"})

    assert found.json()["name"] == "Porky Pig" and found.json()["is_active"] is True
    assert_error(missing, 404, "not_found")
    assert_error(not_a_number, 404, "not_found")


def test_patch_changes_role_and_deactivates_together(tenant_a: TenantInfo) -> None:
    # given
    person = make_user(tenant_a)
    tokens = host_client(tenant_a.host).post(
        "/api/auth/token/", {"email": person.email, "password": PASSWORD}, content_type="application/json"
    )

    # when
    response = as_role(tenant_a, "owner").call(
        "patch", f"/api/people/{person.pk}/", {"role": "admin", "is_active": False}
    )

    # then
    assert response.status_code == 200
    assert (response.json()["role"], response.json()["is_active"]) == ("admin", False)
    me = host_client(tenant_a.host).get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")
    assert me.status_code == 401


def test_patch_reactivates(tenant_a: TenantInfo) -> None:
    person = make_user(tenant_a)
    api = as_role(tenant_a, "admin")
    api.call("patch", f"/api/people/{person.pk}/", {"is_active": False})

    response = api.call("patch", f"/api/people/{person.pk}/", {"is_active": True})

    assert response.json()["is_active"] is True
    assert Api(tenant_a, person.email).call("get", "/api/me/").status_code == 200


def test_patch_is_all_or_nothing(tenant_a: TenantInfo) -> None:
    # given: an admin, who may change their own role but never deactivate themselves
    admin = make_user(tenant_a, User.Role.ADMIN)

    # when
    response = Api(tenant_a, admin.email).call(
        "patch", f"/api/people/{admin.pk}/", {"role": "member", "is_active": False}
    )

    # then: refused, and the role change that came first was undone
    assert_error(response, 403, "self")
    assert fetch(tenant_a, User, pk=admin.pk).role == "admin"


def test_admin_cannot_promote_to_owner_or_touch_an_owner(tenant_a: TenantInfo) -> None:
    person = make_user(tenant_a)
    owner = fetch(tenant_a, User, email=tenant_a.owner_email)
    api = as_role(tenant_a, "admin")

    promote = api.call("patch", f"/api/people/{person.pk}/", {"role": "owner"})
    deactivate_owner = api.call("patch", f"/api/people/{owner.pk}/", {"is_active": False})

    assert assert_error(promote, 403)["detail"] == "Only owners can make someone an owner."
    assert assert_error(deactivate_owner, 403)["detail"] == "Only owners can change or deactivate an owner."
    assert fetch(tenant_a, User, pk=person.pk).role == "member"
    assert fetch(tenant_a, User, pk=owner.pk).is_active is True


def test_the_last_owner_is_kept(tenant_a: TenantInfo) -> None:
    owner = fetch(tenant_a, User, email=tenant_a.owner_email)
    api = as_role(tenant_a, "owner")

    demote = api.call("patch", f"/api/people/{owner.pk}/", {"role": "member"})
    deactivate = api.call("patch", f"/api/people/{owner.pk}/", {"is_active": False})

    assert assert_error(demote, 403, "last_owner")["detail"].startswith("This is the workspace's last owner.")
    assert_error(deactivate, 403, "self")
    assert fetch(tenant_a, User, pk=owner.pk).role == "owner"


def test_an_owner_can_step_down_once_there_is_another(tenant_a: TenantInfo) -> None:
    owner = fetch(tenant_a, User, email=tenant_a.owner_email)
    make_user(tenant_a, User.Role.OWNER)

    response = as_role(tenant_a, "owner").call("patch", f"/api/people/{owner.pk}/", {"role": "admin"})

    assert response.status_code == 200 and response.json()["role"] == "admin"


def test_patch_by_id_never_reaches_the_other_tenant(tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    # given: the same id names a person in each tenant
    ours, theirs = twin_users(tenant_a, tenant_b)

    # when: an admin of A changes "that id" on A's host
    response = as_role(tenant_a, "admin").call(
        "patch", f"/api/people/{ours.pk}/", {"role": "admin", "is_active": False}
    )

    # then: A's person changed, B's did not
    assert response.status_code == 200 and response.json()["email"] == ours.email
    ours_now, theirs_now = fetch(tenant_a, User, pk=ours.pk), fetch(tenant_b, User, pk=theirs.pk)
    assert (ours_now.role, ours_now.is_active) == ("admin", False)
    assert (theirs_now.role, theirs_now.is_active) == ("member", True)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "non_field_errors"),
        ({"role": "emperor"}, "role"),
        ({"role": ["admin"]}, "role"),
        ({"role": None}, "role"),
        ({"is_active": "maybe"}, "is_active"),
        ({"is_active": [False]}, "is_active"),
        ({"is_active": None}, "is_active"),
    ],
)
def test_patch_refuses_bad_input_and_changes_nothing(tenant_a: TenantInfo, payload: dict[str, Any], field: str) -> None:
    person = make_user(tenant_a)

    response = as_role(tenant_a, "owner").call("patch", f"/api/people/{person.pk}/", payload)

    assert field in assert_error(response, 400, "invalid")["errors"]
    person_now = fetch(tenant_a, User, pk=person.pk)
    assert (person_now.role, person_now.is_active) == ("member", True)


def test_patch_with_a_body_that_is_not_json_is_refused(tenant_a: TenantInfo) -> None:
    api = as_role(tenant_a, "owner")
    person = make_user(tenant_a)

    response = api.http.patch(f"/api/people/{person.pk}/", "{not json", content_type="application/json", **api.headers)

    assert_error(response, 400, "parse_error")
