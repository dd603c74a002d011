"""A tenant whose plan lets it hide the "Powered by" line is white-labelled everywhere: every page,
error page and e-mail wears its brand, and the platform's name appears on none of them (through
the ASGI application too: tests/branding/test_theme.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.actions import do_invite, do_send_password_reset
from accounts.models import User
from billing.entitlements import forget_plan
from billing.models import Plan
from branding.actions import do_publish_brand, do_update_draft
from branding.emails import render_branded_email
from branding.theme import forget_theme
from tenants.domains.actions import do_add_domain
from tenants.models import Client
from tests.support.people import make_user
from tests.support.tenants import TenantInfo, host_client, login

pytestmark = pytest.mark.django_db

EMAILS = sorted(
    p.name.removesuffix("_subject.txt") for p in (settings.BASE_DIR / "templates/emails").glob("*_subject.txt")
)
# Pages of a tenant host the walk below visits, by URL name; routes with parameters are visited
# through links the product itself made (mails) or ids that do not exist (the 404 page).
VISITED = {
    "home",
    "accounts:login",
    "accounts:logout",
    "accounts:signup",
    "accounts:signup-sent",
    "accounts:password-reset",
    "accounts:password-reset-sent",
    "accounts:profile",
    "accounts:password-change",
    "accounts:workspace-settings",
    "accounts:people",
    "documents:list",
    "brand-studio",
    "domains:settings",
    "billing:settings",
    "analytics",
}
# Not pages: files, feeds, the API, form targets that only redirect.
NOT_PAGES = re.compile(
    r"^(api:|favicon|manifest|brand-(asset|letter-icon|preview)|accounts:(sign-out-elsewhere|invite)$"
    r"|domains:platform-primary$|billing:(checkout|portal|free)$|analytics-export$)"
)


@pytest.fixture
def white_label(tenant_a: TenantInfo, tmp_path: Path) -> Iterator[Client]:
    """Acme on a plan that may hide the line and have a custom domain, with the line hidden, a
    brand of its own published and a domain added."""
    client = tenant_a.client
    plan = Plan.objects.get(entitlements__client=client)
    plan.can_hide_powered_by = True
    plan.max_custom_domains = max(plan.max_custom_domains or 0, 1)
    plan.save(update_fields=["can_hide_powered_by", "max_custom_domains"])
    forget_plan(plan)
    Client.objects.filter(pk=client.pk).update(open_signup=True)
    with override_settings(MEDIA_ROOT=tmp_path), schema_context(tenant_a.schema):
        owner = User.objects.get(email=tenant_a.owner_email)
        do_update_draft(
            tenant=client,
            actor=owner,
            changes={
                "display_name": "Acme Spaces",
                "hide_powered_by": True,
                "email_footer": "Acme Inc., 1 Road Runner Way",
                "legal_links": [{"label": "Terms", "url": "https://acme.example/terms"}],
            },
        )
        do_publish_brand(tenant=client, actor=owner)
        forget_theme()
        do_add_domain(tenant=client, name="chat-white-label.example-corp.com")
        yield client
        forget_theme()
    forget_plan(plan)


def assert_white_label(html: str, where: str) -> None:
    # The one exception: the DNS record a custom domain needs is named by the platform's operator
    # (DOMAINS_CHALLENGE_LABEL, `_parley-challenge` unless configured), and the page must show it.
    html = html.replace(settings.DOMAINS_CHALLENGE_LABEL, "")
    assert settings.PLATFORM_NAME.lower() not in html.lower(), f"{where} names the platform"
    assert 'class="powered-by"' not in html, where
    assert "Acme Spaces" in html, f"{where} does not wear the brand"


def signed_in(tenant: TenantInfo, email: str) -> Any:
    browser = host_client(tenant.host)
    login(browser, email)
    return browser


def test_every_page_wears_the_brand_and_never_names_the_platform(
    white_label: Client, tenant_a: TenantInfo, django_capture_on_commit_callbacks: Any
) -> None:
    owner = signed_in(tenant_a, tenant_a.owner_email)
    anonymous = host_client(tenant_a.host)
    member = make_user(tenant_a, name="Mia Member")
    with django_capture_on_commit_callbacks(execute=True), schema_context(tenant_a.schema):
        do_invite(
            tenant=white_label,
            actor=User.objects.get(email=tenant_a.owner_email),
            email="new@acme.test",
            role="member",
        )
        do_send_password_reset(tenant=white_label, user=member)
    invite_link = re.search(r"https?://\S+/invite/\S+/", mail.outbox[-2].body).group(0)  # type: ignore[union-attr]
    reset_link = re.search(r"https?://\S+/password/reset/\S+/", mail.outbox[-1].body).group(0)  # type: ignore[union-attr]

    pages = {
        "sign-in": (anonymous, "/login/", 200),
        "password reset": (anonymous, "/password/reset/", 200),
        "reset sent": (anonymous, "/password/reset/sent/", 200),
        "reset link": (host_client(tenant_a.host), path_of(reset_link), 200),
        "reset link invalid": (anonymous, "/password/reset/MQ/bad-token/", 200),
        "sign-up": (anonymous, "/signup/", 200),
        "sign-up sent": (anonymous, "/signup/sent/", 200),
        "invitation": (host_client(tenant_a.host), path_of(invite_link), 200),
        "invitation invalid": (anonymous, "/invite/not-a-token/", 404),
        "chat": (owner, "/", 200),
        "documents": (owner, "/documents/", 200),
        "viewer of a missing document": (owner, "/documents/999999/", 404),
        "people": (owner, "/people/", 200),
        "people for a member": (signed_in(tenant_a, member.email), "/people/", 403),
        "profile": (owner, "/settings/profile/", 200),
        "password": (owner, "/settings/password/", 200),
        "workspace": (owner, "/settings/workspace/", 200),
        "brand studio": (owner, "/settings/brand/", 200),
        "domains": (owner, "/settings/domains/", 200),
        "billing": (owner, "/settings/billing/", 200),
        "analytics": (owner, "/analytics/", 200),
        "not found": (anonymous, "/no/such/page/", 404),
    }
    for where, (browser, path, status) in pages.items():
        response = browser.get(path, follow=True)
        assert response.status_code == status, (where, response.status_code)
        assert_white_label(response.content.decode(), where)
    assert settings.DOMAINS_CHALLENGE_LABEL in owner.get("/settings/domains/").content.decode()
    # and: signing out lands on the branded sign-in page
    signed_out = signed_in(tenant_a, tenant_a.owner_email).post("/logout/", follow=True)
    assert_white_label(signed_out.content.decode(), "signed out")


def test_the_walk_covers_every_page_route() -> None:
    names = set()

    def walk(patterns: list[URLPattern | URLResolver], namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif pattern.name and not pattern.pattern.regex.groups:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver(settings.ROOT_URLCONF).url_patterns)

    pages = {name for name in names if not NOT_PAGES.match(name)}
    assert pages <= VISITED, f"pages the white-label walk does not visit: {sorted(pages - VISITED)}"


@pytest.mark.parametrize("template", EMAILS)
def test_every_email_wears_the_brand_and_never_names_the_platform(white_label: Client, template: str) -> None:
    email = render_branded_email(
        tenant=white_label,
        to="someone@acme.test",
        template=template,
        context={
            "url": "https://acme.localhost/x/",
            "inviter_name": "Olive",
            "role_label": "Member",
            "expires_at": timezone.now() + timedelta(days=7),
            "valid_minutes": 60,
            "login_url": "https://acme.localhost/login/",
            "reset_url": "https://acme.localhost/password/reset/",
        },
    )

    assert "Acme Spaces" in email.from_email
    for part, text in (("subject", email.subject), ("text", email.text), ("html", email.html)):
        assert settings.PLATFORM_NAME.lower() not in text.lower(), f"{template} {part} names the platform"
    assert_white_label(email.html, f"{template} html")
    assert "Acme Inc., 1 Road Runner Way" in email.text and "https://acme.example/terms" in email.text


def test_emails_of_a_tenant_that_shows_the_line_carry_it(tenant_b: TenantInfo) -> None:
    email = render_branded_email(tenant=tenant_b.client, to="x@globex.test", template="password_changed", context={})

    assert f"Powered by {settings.PLATFORM_NAME}" in email.text
    assert "Powered by" in email.html and "Globex" in email.from_email


@override_settings(DEBUG=False, ROOT_URLCONF="tests.branding.urls_failing")
def test_error_and_suspended_pages_wear_the_brand(white_label: Client, tenant_a: TenantInfo) -> None:
    browser = host_client(tenant_a.host)
    browser.raise_request_exception = False

    failed = browser.get("/failing/")
    missing = browser.get("/nothing/here/")

    assert failed.status_code == 500 and missing.status_code == 404
    assert_white_label(failed.content.decode(), "500 over HTTP")
    assert_white_label(missing.content.decode(), "404 over HTTP")

    # and: suspended, the workspace's page still wears its brand, and its logo still loads
    Client.objects.filter(pk=white_label.pk).update(status=Client.Status.SUSPENDED)
    suspended = browser.get("/")
    assert suspended.status_code == 403
    assert_white_label(suspended.content.decode(), "suspended page")
    assert browser.get("/favicon.ico").status_code == 200


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
