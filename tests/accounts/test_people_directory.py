"""The people page (/people/): who may open it, and its directory: this tenant's people and no
other's, searched by name or e-mail, paged by keyset cursors, their names escaped."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django.http import HttpResponse
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts import selectors
from accounts.models import Invitation, User
from tests.support.people import fetch, make_user, messages_of, owner_client, signed_in, unique_email
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Reading the page
# ---------------------------------------------------------------------------------------------


def directory(response: HttpResponse) -> str:
    """The people table of the page, without the top bar (which names the signed-in person)."""
    html = response.content.decode()
    return html.split('aria-labelledby="people-title"', 1)[1].split('aria-labelledby="invitations-title"', 1)[0]


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


def test_names_are_escaped_in_the_page_and_its_confirmations(tenant_a: TenantInfo) -> None:
    make_user(tenant_a, name="Bobby'); alert(1);//<b>x</b>")

    page = directory(owner_client(tenant_a).get("/people/"))

    assert "<b>x</b>" not in page and "'); alert(1)" not in page
    assert "Bobby&#x27;); alert(1);//&lt;b&gt;x&lt;/b&gt;" in page
    assert "Deactivate Bobby\\u0027)" in page
