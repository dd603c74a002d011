"""Self-serve sign-up on the platform host: the form mails a link, and only following it
creates the workspace and signs its owner in there (tenants.signups)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Client, PendingSignup
from tenants.tasks import prune_pending_signups

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]

VALID = {
    "name": "Stark Industries",
    "slug": "stark",
    "owner_name": "Pepper Potts",
    "owner_email": "pepper@stark.test",
    "password": "arc-reactor-42!",
}


@pytest.fixture
def platform(db: None) -> HttpClient:
    """The platform host from an address of its own: sign-up is rate-limited per address."""
    octets = uuid.uuid4().bytes
    return HttpClient(HTTP_HOST="localhost", REMOTE_ADDR=f"10.{octets[0]}.{octets[1]}.{octets[2]}")


LINK = re.compile(r"http://localhost(?::\d+)?(/signup/confirm/[^/\s]+/)")


def sign_up(browser: HttpClient, capture: Capture, **changes: str) -> str:
    """Post the form; return the path of the mailed link."""
    outbox = len(mail.outbox)
    with capture(execute=True):
        response = browser.post("/signup/", {**VALID, **changes})
    assert response.status_code == 302, response.content.decode()[:1000]
    assert response["Location"] == "/signup/sent/"
    assert len(mail.outbox) == outbox + 1
    found = LINK.search(str(mail.outbox[-1].body))
    assert found, mail.outbox[-1].body
    return found.group(1)


def test_signup_page_is_themed_and_has_the_form(platform: HttpClient) -> None:
    response = platform.get("/signup/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="slug"' in html and 'name="owner_email"' in html
    assert "--brand-primary" in html
    assert 'href="/find/"' in html


def test_signup_mails_a_link_and_creates_nothing_yet(
    platform: HttpClient, django_capture_on_commit_callbacks: Capture
) -> None:
    # when
    path = sign_up(platform, django_capture_on_commit_callbacks)

    # then: a pending sign-up keeps no clear secret, and no workspace exists
    assert not Client.objects.filter(slug="stark").exists()
    pending = PendingSignup.objects.get(slug="stark")
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert token not in pending.token_hash and VALID["password"] not in pending.password_hash
    assert mail.outbox[-1].to == ["pepper@stark.test"]
    assert "Stark Industries" in mail.outbox[-1].subject
    sent = platform.get("/signup/sent/").content.decode()
    assert "pepper@stark.test" in sent and "Check your e-mail" in sent


def test_following_the_link_creates_the_workspace_and_signs_the_owner_in_there(
    platform: HttpClient, django_capture_on_commit_callbacks: Capture
) -> None:
    # given
    path = sign_up(platform, django_capture_on_commit_callbacks)

    # when: the link is opened (nothing happens yet), then confirmed
    page = platform.get(path)
    assert page.status_code == 200 and "Create my workspace" in page.content.decode()
    assert not Client.objects.filter(slug="stark").exists()
    confirmed = platform.post(path)

    # then: the workspace exists, and the browser goes on to its host with a handoff
    assert confirmed.status_code == 302
    assert confirmed["Location"].startswith("http://stark.localhost/welcome/")
    client = Client.objects.get(slug="stark")
    with schema_context(client.schema_name):
        assert User.objects.get(email="pepper@stark.test").role == User.Role.OWNER

    # when: the workspace's host receives the handoff
    tenant_browser = HttpClient(HTTP_HOST="stark.localhost")
    welcome = tenant_browser.get(confirmed["Location"].removeprefix("http://stark.localhost"))

    # then: signed in there, on the chat page
    assert welcome.status_code == 302 and welcome["Location"] == "/"
    assert tenant_browser.get("/").status_code == 200
    # and the password chosen at sign-up works
    other = HttpClient(HTTP_HOST="stark.localhost")
    login = other.post("/login/", {"username": "pepper@stark.test", "password": VALID["password"]})
    assert login.status_code == 302
    assert PendingSignup.objects.get(slug="stark").password_hash == ""


def test_a_handoff_works_once_and_only_on_its_own_workspace(
    platform: HttpClient, django_capture_on_commit_callbacks: Capture, tenant_a: Any
) -> None:
    # given
    path = sign_up(platform, django_capture_on_commit_callbacks)
    handoff = platform.post(path)["Location"].removeprefix("http://stark.localhost")

    # when: another workspace's host is handed it
    other_host = HttpClient(HTTP_HOST=tenant_a.host)
    stolen = other_host.get(handoff)

    # then: it signs nobody in there, and still works where it belongs, once
    assert stolen["Location"] == "/login/?welcome=1"
    assert "_auth_user_id" not in other_host.session
    first, second = HttpClient(HTTP_HOST="stark.localhost"), HttpClient(HTTP_HOST="stark.localhost")
    assert first.get(handoff)["Location"] == "/"
    assert second.get(handoff)["Location"] == "/login/?welcome=1"
    assert "_auth_user_id" not in second.session


def test_a_used_link_says_so_and_provisions_nothing_twice(
    platform: HttpClient, django_capture_on_commit_callbacks: Capture
) -> None:
    # given
    path = sign_up(platform, django_capture_on_commit_callbacks)
    platform.post(path)

    # when
    again, reposted = platform.get(path), platform.post(path)

    # then
    for response in (again, reposted):
        assert response.status_code == 409
        html = response.content.decode()
        assert "This link was already used. Sign in." in html
        assert 'href="http://stark.localhost/login/"' in html
    assert Client.objects.filter(slug="stark").count() == 1


def test_an_expired_link_says_so_and_creates_nothing(
    platform: HttpClient, django_capture_on_commit_callbacks: Capture
) -> None:
    # given: a link past its expiry
    path = sign_up(platform, django_capture_on_commit_callbacks)
    PendingSignup.objects.filter(slug="stark").update(expires_at="2000-01-01T00:00:00Z")

    # when
    page, posted = platform.get(path), platform.post(path)

    # then
    assert page.status_code == posted.status_code == 410
    assert "This link has expired" in posted.content.decode()
    assert not Client.objects.filter(slug="stark").exists()


def test_long_expired_unconfirmed_sign_ups_are_pruned_and_confirmed_ones_kept(
    platform: HttpClient, django_capture_on_commit_callbacks: Capture
) -> None:
    # given: one sign-up expired long ago, one confirmed long ago, one fresh
    stale, used = (sign_up(platform, django_capture_on_commit_callbacks, slug=s) for s in ("stale-co", "used-co"))
    platform.post(used)
    sign_up(platform, django_capture_on_commit_callbacks, slug="fresh-co")
    PendingSignup.objects.filter(slug__in=["stale-co", "used-co"]).update(expires_at="2000-01-01T00:00:00Z")

    # when
    pruned = prune_pending_signups()

    # then: the stale one is gone (its link is now simply not valid); the others stay
    assert pruned == 1
    assert sorted(PendingSignup.objects.filter(slug__endswith="-co").values_list("slug", flat=True)) == [
        "fresh-co",
        "used-co",
    ]
    assert platform.get(stale).status_code == 404
    assert platform.get(used).status_code == 409


@pytest.mark.parametrize("token", ["x" * 43, "not-a-token", "y" * 500])
def test_a_tampered_link_is_not_valid(platform: HttpClient, token: str) -> None:
    page, posted = platform.get(f"/signup/confirm/{token}/"), platform.post(f"/signup/confirm/{token}/")

    assert page.status_code == posted.status_code == 404
    assert "This link is not valid" in posted.content.decode()
    assert not Client.objects.filter(slug="stark").exists()


def test_an_address_taken_meanwhile_is_explained_and_nothing_is_created(
    platform: HttpClient, django_capture_on_commit_callbacks: Capture
) -> None:
    # given: two sign-ups for the same address, the second one confirmed first
    first = sign_up(platform, django_capture_on_commit_callbacks)
    second = sign_up(platform, django_capture_on_commit_callbacks, owner_email="tony@stark.test")
    assert platform.post(second).status_code == 302

    # when
    page, posted = platform.get(first), platform.post(first)

    # then
    assert page.status_code == 200  # the link itself is fine until the button is pressed
    assert posted.status_code == 409
    assert "This workspace address was taken" in posted.content.decode()
    client = Client.objects.get(slug="stark")
    assert client.email == "tony@stark.test"
    with schema_context(client.schema_name):
        assert not User.objects.filter(email="pepper@stark.test").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "www", "reserved"),
        ("slug", "Bad Slug!", "lowercase"),
        ("slug", "", "required"),
        ("name", "", "required"),
        ("name", "n" * 101, "at most 100"),
        ("owner_email", "not-an-email", "valid email"),
        ("password", "short", "too short"),
        ("password", "password123", "too common"),
    ],
)
def test_signup_rejects_bad_input_with_a_clear_error_and_keeps_nothing(
    platform: HttpClient, field: str, value: str, message: str
) -> None:
    response = platform.post("/signup/", {**VALID, field: value})

    assert response.status_code == 400
    assert message in response.content.decode().lower()
    assert not PendingSignup.objects.filter(slug=VALID["slug"]).exists()
    assert len(mail.outbox) == 0


def test_signup_rejects_a_taken_address(platform: HttpClient, tenant_a: object) -> None:
    response = platform.post("/signup/", {**VALID, "slug": "acme"})

    assert response.status_code == 400
    assert "already taken" in response.content.decode()


def test_signup_does_not_exist_on_tenant_hosts(client_a: HttpClient) -> None:
    # Workspace sign-up lives on the platform host only. A tenant's /signup/ is its own open
    # sign-up (tests/accounts/test_open_signup.py), which is 404 while the tenant keeps it off.
    response = client_a.post("/signup/", VALID)

    assert client_a.get("/signup/").status_code == 404
    assert response.status_code == 404
    assert client_a.get("/signup/confirm/abc/").status_code == 404
    assert not PendingSignup.objects.filter(slug=VALID["slug"]).exists()


def test_signup_is_rate_limited_per_address(platform: HttpClient, settings: object) -> None:
    # given: a limit of two sign-ups an hour, from an address no other test uses
    settings.SIGNUP_LIMIT_PER_HOUR = 2  # type: ignore[attr-defined]
    address = f"203.0.113.{uuid.uuid4().int % 250}"
    client = HttpClient(HTTP_HOST="localhost", REMOTE_ADDR=address)

    def post(slug: str) -> int:
        return client.post("/signup/", {**VALID, "slug": slug, "owner_email": f"o@{slug}.test"}).status_code

    # when
    statuses = [post(f"rate-{address.split('.')[-1]}-{n}") for n in range(3)]

    # then: the third is refused with a clear message and nothing is kept for it
    assert statuses == [302, 302, 429]
    refused = client.post("/signup/", {**VALID, "slug": "rate-refused", "owner_email": "o@refused.test"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many sign-ups" in refused.content.decode()
    assert not PendingSignup.objects.filter(slug="rate-refused").exists()
