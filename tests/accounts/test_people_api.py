"""`/api/people/` and `/api/invitations/`: managers only, one tenant at a time, the CONTRACT's
error shape for every refusal and every malformed request."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.models import Invitation, User
from tests.support.people import CaptureOnCommit, fetch, invite_link, make_user, path_of, twin_users, unique_email
from tests.support.people_api import Api, as_role, assert_error
from tests.support.tenants import PASSWORD, TenantInfo, host_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-42"


def invited(api: Api, capture: CaptureOnCommit, email: str, role: str = "member") -> tuple[int, str]:
    """Invite through the API: the invitation's id and the token from the e-mail."""
    with capture(execute=True):
        response = api.call("post", "/api/invitations/", {"email": email, "role": role})
    assert response.status_code == 201, response.content
    return response.json()["id"], path_of(invite_link(mail.outbox[-1])).rstrip("/").rsplit("/", 1)[1]


def accept(tenant: TenantInfo, token: str) -> Any:
    return Api(tenant).call("post", "/api/invitations/accept/", {"token": token, "name": "X", "password": NEW_PASSWORD})


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


# ---------------------------------------------------------------------------------------------
# Invitations
# ---------------------------------------------------------------------------------------------


def test_invite_answers_201_without_any_secret_and_mails_a_working_link(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given
    api = as_role(tenant_a, "admin")
    email = unique_email(tenant_a)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api.call("post", "/api/invitations/", {"email": email.upper(), "role": "admin"})

    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["role"], body["status"]) == (email, "admin", "pending")
    assert not {"token", "token_hash"} & set(body)
    token = path_of(invite_link(mail.outbox[-1])).rstrip("/").rsplit("/", 1)[1]
    assert token not in response.content.decode()
    assert fetch(tenant_a, Invitation, email=email).token_hash not in response.content.decode()
    listed = api.call("get", "/api/invitations/").json()["results"]
    assert email in [invitation["email"] for invitation in listed]


def test_admin_cannot_invite_an_owner(tenant_a: TenantInfo) -> None:
    email = unique_email(tenant_a)

    response = as_role(tenant_a, "admin").call("post", "/api/invitations/", {"email": email, "role": "owner"})

    assert assert_error(response, 403)["detail"] == "Only owners can make someone an owner."
    assert fetch(tenant_a, Invitation, email=email) is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"role": "member"}, "email"),
        ({"email": "", "role": "member"}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a" * 250 + "@acme.test"}, "email"),
        ({"email": ["x@acme.test"]}, "email"),
        ({"email": {"x": 1}}, "email"),
        ({"email": "x@acme.test", "role": "emperor"}, "role"),
        ({"email": "x@acme.test", "role": ["member"]}, "role"),
    ],
)
def test_invite_refuses_bad_input_and_sends_nothing(tenant_a: TenantInfo, payload: dict[str, Any], field: str) -> None:
    response = as_role(tenant_a, "owner").call("post", "/api/invitations/", payload)

    assert field in assert_error(response, 400, "invalid")["errors"]
    assert fetch(tenant_a, Invitation, email="x@acme.test") is None
    assert mail.outbox == []


def test_inviting_an_existing_member_is_a_400_on_the_email(tenant_a: TenantInfo) -> None:
    person = make_user(tenant_a)

    response = as_role(tenant_a, "owner").call("post", "/api/invitations/", {"email": person.email})

    assert assert_error(response, 400, "invalid")["errors"]["email"] == [
        "This person is already a member of the workspace."
    ]


def test_revoke_answers_204_and_the_link_stops_working(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given
    api = as_role(tenant_a, "owner")
    email = unique_email(tenant_a)
    pk, token = invited(api, django_capture_on_commit_callbacks, email)

    # when
    revoked = api.call("delete", f"/api/invitations/{pk}/")
    again = api.call("delete", f"/api/invitations/{pk}/")

    # then
    assert revoked.status_code == 204
    assert_error(again, 400, "invalid")
    assert_error(accept(tenant_a, token), 404, "invalid_invitation")
    assert email not in [item["email"] for item in api.call("get", "/api/invitations/").json()["results"]]


def test_resend_answers_200_with_a_new_link(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given
    api = as_role(tenant_a, "owner")
    email = unique_email(tenant_a)
    pk, old_token = invited(api, django_capture_on_commit_callbacks, email)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api.call("post", f"/api/invitations/{pk}/resend/")

    # then
    assert response.status_code == 200 and response.json()["send_count"] == 2
    new_token = path_of(invite_link(mail.outbox[-1])).rstrip("/").rsplit("/", 1)[1]
    old = accept(tenant_a, old_token)
    new = accept(tenant_a, new_token)
    assert_error(old, 404, "invalid_invitation")
    assert new.status_code == 201


@pytest.mark.parametrize("path", ["/api/invitations/999999999/", "/api/invitations/999999999/resend/"])
def test_unknown_invitation_ids_get_404(tenant_a: TenantInfo, path: str) -> None:
    api = as_role(tenant_a, "owner")

    response = api.call("delete" if path.endswith("9/") else "post", path)

    assert_error(response, 404, "not_found")


def test_invitation_ids_of_the_other_tenant_are_not_found(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given: an invitation of B, and none of A with that id
    pk, _ = invited(as_role(tenant_b, "owner"), django_capture_on_commit_callbacks, unique_email(tenant_b))
    with schema_context(tenant_a.schema):
        Invitation.objects.filter(pk=pk).delete()

    # when
    response = as_role(tenant_a, "owner").call("delete", f"/api/invitations/{pk}/")

    # then
    assert_error(response, 404)
    assert fetch(tenant_b, Invitation, pk=pk).revoked_at is None


# ---------------------------------------------------------------------------------------------
# Accepting
# ---------------------------------------------------------------------------------------------


def test_accept_creates_the_account_and_returns_a_token_pair_for_this_tenant(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given
    email = unique_email(tenant_a)
    _, token = invited(as_role(tenant_a, "owner"), django_capture_on_commit_callbacks, email, role="admin")
    payload = {"token": token, "name": "Tasmanian Devil", "password": NEW_PASSWORD}

    # when: accepted on B's host first, then on A's, then on A's again
    on_b = Api(tenant_b).call("post", "/api/invitations/accept/", payload)
    on_a = Api(tenant_a).call("post", "/api/invitations/accept/", payload)
    twice = Api(tenant_a).call("post", "/api/invitations/accept/", payload)

    # then
    assert_error(on_b, 404, "invalid_invitation")
    assert fetch(tenant_b, User, email=email) is None
    assert on_a.status_code == 201 and set(on_a.json()) == {"access", "refresh"}
    me = host_client(tenant_a.host).get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {on_a.json()['access']}")
    assert (me.json()["email"], me.json()["role"], me.json()["name"]) == (email, "admin", "Tasmanian Devil")
    assert_error(twice, 404, "invalid_invitation")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "password": NEW_PASSWORD}, "token"),
        ({"token": ["t"], "name": "X", "password": NEW_PASSWORD}, "token"),
        ({"token": "t" * 101, "name": "X", "password": NEW_PASSWORD}, "token"),
        ({"token": "{token}", "password": NEW_PASSWORD}, "name"),
        ({"token": "{token}", "name": "n" * 151, "password": NEW_PASSWORD}, "name"),
        ({"token": "{token}", "name": {"first": "X"}, "password": NEW_PASSWORD}, "name"),
        ({"token": "{token}", "name": "X", "password": "short"}, "password"),
        ({"token": "{token}", "name": "X", "password": "p" * 129}, "password"),
        ({"token": "{token}", "name": "X", "password": 1234567890123}, "password"),
    ],
)
def test_accept_refuses_bad_input_and_creates_nothing(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: CaptureOnCommit, payload: dict[str, Any], field: str
) -> None:
    # given
    email = unique_email(tenant_a)
    _, token = invited(as_role(tenant_a, "owner"), django_capture_on_commit_callbacks, email)
    payload = {key: token if value == "{token}" else value for key, value in payload.items()}

    # when
    response = Api(tenant_a).call("post", "/api/invitations/accept/", payload)

    # then
    assert field in assert_error(response, 400, "invalid")["errors"]
    assert fetch(tenant_a, User, email=email) is None
    assert fetch(tenant_a, Invitation, email=email).accepted_at is None


def test_accept_ignores_credentials_sent_with_it(
    tenant_a: TenantInfo, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # An endpoint for people without an account: a bad or foreign token in the header is no reason to refuse.
    email = unique_email(tenant_a)
    _, token = invited(as_role(tenant_a, "owner"), django_capture_on_commit_callbacks, email)
    anonymous: HttpClient = host_client(tenant_a.host)

    response = anonymous.post(
        "/api/invitations/accept/",
        {"token": token, "name": "X", "password": NEW_PASSWORD},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer garbage",
    )

    assert response.status_code == 201


def test_schema_documents_the_people_and_invitation_endpoints(client_a: HttpClient, tenant_a: TenantInfo) -> None:
    schema = client_a.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for path in ["/api/people/", "/api/people/{id}/", "/api/invitations/", "/api/invitations/accept/"]:
        assert path in schema["paths"], sorted(schema["paths"])
    accept = schema["paths"]["/api/invitations/accept/"]["post"]
    assert {"201", "400", "404"} <= set(accept["responses"])
    assert accept["summary"]
