"""`/api/invitations/`: managers invite, revoke and resend, the invited accept on this tenant's
host only, once; the CONTRACT's error shape for every refusal and every malformed request, and
the schema documenting both endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.models import Invitation, User
from tests.support.people import CaptureOnCommit, fetch, invite_link, make_user, path_of, unique_email
from tests.support.people_api import Api, as_role, assert_error
from tests.support.tenants import TenantInfo, host_client

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
