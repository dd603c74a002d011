"""Where a custom domain routes: only once verified, exactly to its tenant; other hosts of the
tenant redirect to its primary host (pages only); links in e-mail name the primary host; the TLS
front end may get certificates exactly for the tenants' hosts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from tests.support.dns import Zone
from tests.support.domains import add, unique_domain, verified
from tests.support.people import CaptureOnCommit
from tests.support.people_api import Api, as_role
from tests.support.tenants import TenantInfo, host_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(tenant_a: TenantInfo) -> Api:
    return as_role(tenant_a, "owner")


def test_an_unverified_domain_routes_nowhere(owner: Api) -> None:
    pending = add(owner, unique_domain())

    browser = host_client(pending["domain"])
    assert browser.get("/login/").status_code == 404
    assert browser.get("/api/me/").status_code == 404
    assert host_client("localhost").get("/internal/tls/ask", {"domain": pending["domain"]}).status_code == 404


def test_a_verified_domain_reaches_its_tenant_and_redirects_pages_to_the_primary(
    owner: Api, dns: Zone, tenant_a: TenantInfo
) -> None:
    domain = verified(owner, dns, unique_domain())
    browser = host_client(domain["domain"])

    # pages: 301 to the primary host, path and query kept
    response = browser.get("/login/?next=/rooms/7&lang=en")
    assert response.status_code == 301
    assert response["Location"] == f"http://{tenant_a.host}/login/?next=/rooms/7&lang=en"
    assert browser.post("/login/", {"username": "x"}).status_code == 308
    # not redirected: probes, the API, the TLS front end's questions
    assert browser.get("/healthz").status_code == 200
    me = browser.get("/api/me/")
    assert me.status_code == 401 and me.json()["code"] == "not_authenticated"
    assert browser.get("/internal/tls/ask", {"domain": domain["domain"]}).status_code == 404  # not on tenant hosts
    # the API answers for this tenant there
    token = owner.headers["HTTP_AUTHORIZATION"]
    assert browser.get("/api/me/", HTTP_AUTHORIZATION=token).json()["email"] == tenant_a.owner_email


def test_the_primary_domain_serves_pages_and_the_platform_address_redirects_to_it(
    owner: Api, dns: Zone, tenant_a: TenantInfo
) -> None:
    domain = verified(owner, dns, unique_domain())
    owner.call("post", f"/api/domains/{domain['id']}/primary/")

    assert host_client(domain["domain"]).get("/login/").status_code == 200
    old = host_client(tenant_a.host).get("/password/reset/?x=1")
    assert old.status_code == 301 and old["Location"] == f"http://{domain['domain']}/password/reset/?x=1"
    assert host_client(tenant_a.host).get("/api/me/").status_code == 401  # still served there


def test_links_in_e_mail_follow_the_primary_domain(
    owner: Api, dns: Zone, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    domain = verified(owner, dns, unique_domain())
    owner.call("post", f"/api/domains/{domain['id']}/primary/")

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.call("post", "/api/invitations/", {"email": "newcomer@example-corp.com", "role": "member"})
        reset = owner.call("post", "/api/auth/password/reset/", {"email": owner_email(owner)})

    assert response.status_code == 201 and reset.status_code == 202
    invitation, reset_mail = mail.outbox[-2], mail.outbox[-1]
    assert f"http://{domain['domain']}/invite/" in invitation.body
    assert f"http://{domain['domain']}/password/reset/" in reset_mail.body


def owner_email(api: Api) -> str:
    email: str = api.call("get", "/api/me/").json()["email"]
    return email


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({}, 400),
        ({"domain": ""}, 400),
        ({"domain": "not a host"}, 400),
        ({"domain": "a" * 300 + ".com"}, 400),
        ({"domain": "nobody-has-this.example-corp.com"}, 404),
        ({"domain": "localhost"}, 404),
    ],
)
def test_the_tls_ask_endpoint_refuses_what_is_not_a_tenants_host(
    platform_client: Any, query: dict[str, str], status: int
) -> None:
    assert platform_client.get("/internal/tls/ask", query).status_code == status


def test_the_tls_ask_endpoint_allows_platform_subdomains_and_verified_domains(
    owner: Api, dns: Zone, tenant_a: TenantInfo, tenant_b: TenantInfo, settings: Any
) -> None:
    domain = verified(owner, dns, unique_domain())

    for host in ("localhost", "127.0.0.1:8000", "[::1]:8000"):  # the platform host, or by address
        ask = host_client(host)
        assert ask.get("/internal/tls/ask", {"domain": tenant_a.host}).status_code == 200
        assert ask.get("/internal/tls/ask", {"domain": tenant_b.host}).status_code == 200
        assert ask.get("/internal/tls/ask", {"domain": domain["domain"].upper() + "."}).status_code == 200
    # never from DNS: the records can go, the answer stays until a check decides
    dns.clear()
    assert host_client("localhost").get("/internal/tls/ask", {"domain": domain["domain"]}).status_code == 200
    assert host_client(tenant_a.host).get("/internal/tls/ask", {"domain": tenant_a.host}).status_code == 404


def test_www_is_not_stripped_a_www_name_is_its_own_host(owner: Api, dns: Zone, tenant_a: TenantInfo) -> None:
    # given: a verified name, and nobody verified www. of it
    name = unique_domain()
    verified(owner, dns, name)

    # then: www. of it routes nowhere, and www. of the platform address neither
    assert host_client(f"www.{name}").get("/api/me/").status_code == 404
    assert host_client(f"www.{tenant_a.host}").get("/api/me/").status_code == 404
