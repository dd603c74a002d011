"""`/settings/domains/` without JavaScript: plain forms that post and come back with a message;
owners and admins only; another tenant's domains are not found."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tenants.models import CustomDomain, Domain
from tests.support.dns import Zone
from tests.support.domains import challenge, point_here, unique_domain
from tests.support.people import make_user, messages_of, owner_client, signed_in
from tests.support.tenants import TenantInfo, host_client

pytestmark = pytest.mark.django_db


def page_text(browser: HttpClient) -> str:
    response = browser.get("/settings/domains/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_empty_state_and_the_nav_link(tenant_a: TenantInfo) -> None:
    browser = owner_client(tenant_a)
    CustomDomain.objects.filter(tenant=tenant_a.client).update(status="removed")

    html = page_text(browser)

    assert "No domains yet" in html and tenant_a.host in html
    assert 'href="/settings/domains/" aria-current="page">Domains</a>' in html
    assert ">Domains</a>" in browser.get("/settings/workspace/").content.decode()


def test_adding_shows_the_records_to_create(tenant_a: TenantInfo) -> None:
    browser = owner_client(tenant_a)
    name = unique_domain()

    response = browser.post("/settings/domains/", {"domain": name.upper()})

    assert response.status_code == 302 and response["Location"] == "/settings/domains/"
    claim = CustomDomain.objects.get(tenant=tenant_a.client, domain=name)
    html = page_text(browser)
    assert name in html and challenge(name) in html and claim.token in html and "customers.localhost" in html
    assert "Pending" in html and "data-following" in html


def test_a_refused_name_is_shown_on_the_form_and_nothing_is_saved(tenant_a: TenantInfo) -> None:
    browser = owner_client(tenant_a)
    before = CustomDomain.objects.count()

    response = browser.post("/settings/domains/", {"domain": "192.0.2.1"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "not an IP address" in html and "Nothing was saved" in html
    assert CustomDomain.objects.count() == before


def test_check_now_make_primary_and_remove(tenant_a: TenantInfo, dns: Zone) -> None:
    browser = owner_client(tenant_a)
    name = unique_domain()
    browser.post("/settings/domains/", {"domain": name})
    claim = CustomDomain.objects.get(tenant=tenant_a.client, domain=name)

    # check now, records missing: the problem is shown
    response = browser.post(f"/settings/domains/{claim.pk}/verify/", follow=True)
    assert any("CNAME" in message for message in messages_of(response))
    assert "does not exist in DNS" in response.content.decode()

    # records created: verified
    dns.add(name, "CNAME", "customers.localhost")
    dns.add(challenge(name), "TXT", claim.token)
    response = browser.post(f"/settings/domains/{claim.pk}/verify/", follow=True)
    assert f"{name} is verified" in " ".join(messages_of(response))
    assert "Make primary" in response.content.decode()

    # make primary: the platform address redirects there
    browser.post(f"/settings/domains/{claim.pk}/primary/")
    assert Domain.objects.get(tenant=tenant_a.client, is_primary=True).domain == name
    assert browser.get("/settings/domains/").status_code == 301
    on_domain = signed_in_on(name, tenant_a.owner_email)
    assert "Primary" in page_text(on_domain)

    # back to the platform address, then remove
    on_domain.post("/settings/domains/own-address/primary/")
    assert Domain.objects.get(tenant=tenant_a.client, is_primary=True).domain == tenant_a.host
    response = browser.post(f"/settings/domains/{claim.pk}/remove/", follow=True)
    assert "was removed" in " ".join(messages_of(response))
    assert CustomDomain.objects.get(pk=claim.pk).status == "removed"
    assert not Domain.objects.filter(domain=name).exists()


def signed_in_on(host: str, email: str) -> HttpClient:
    from tests.support.tenants import login

    browser = host_client(host)
    login(browser, email)
    return browser


def test_members_get_403_and_the_signed_out_the_login_page(tenant_a: TenantInfo) -> None:
    member = signed_in(tenant_a, make_user(tenant_a, "member").email)

    assert member.get("/settings/domains/").status_code == 403
    assert member.post("/settings/domains/", {"domain": unique_domain()}).status_code == 403
    assert ">Domains</a>" not in member.get("/settings/profile/").content.decode()
    signed_out = host_client(tenant_a.host).get("/settings/domains/")
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/login/")


def test_another_tenants_domain_is_not_found_from_the_page(
    tenant_a: TenantInfo, tenant_b: TenantInfo, dns: Zone
) -> None:
    a = owner_client(tenant_a)
    name = unique_domain()
    a.post("/settings/domains/", {"domain": name})
    claim = CustomDomain.objects.get(domain=name)
    b = owner_client(tenant_b)

    for path in ("verify", "primary", "remove"):
        assert b.post(f"/settings/domains/{claim.pk}/{path}/").status_code == 404
    assert name not in page_text(b)
    assert CustomDomain.objects.get(pk=claim.pk).status == "pending"


def test_records_can_be_copied_and_are_the_apis(tenant_a: TenantInfo, dns: Zone) -> None:
    browser = owner_client(tenant_a)
    name = unique_domain()
    browser.post("/settings/domains/", {"domain": name})
    listed = browser.get("/api/domains/").json()["results"]
    point_here(dns, next(item for item in listed if item["domain"] == name))

    html = page_text(browser)

    assert html.count('class="copyable"') >= 4 and "js/domains/page.js" in html
