"""`/api/domains/`: owners and admins of one tenant add, see, check, make primary and remove its
domains; nothing of one tenant is seen or touched from another; every refusal has its code."""

from __future__ import annotations

from typing import Any

import pytest

from tenants.models import CustomDomain, Domain
from tests.support.dns import Zone
from tests.support.domains import add, challenge, check_now, unique_domain, verified
from tests.support.people_api import Api, as_role, assert_error
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_a(tenant_a: TenantInfo) -> Api:
    return as_role(tenant_a, "owner")


@pytest.fixture
def owner_b(tenant_b: TenantInfo) -> Api:
    return as_role(tenant_b, "owner")


def test_adding_a_domain_stores_it_pending_with_the_records_to_create(owner_a: Api) -> None:
    # given
    name = unique_domain()

    # when: typed in capitals with a trailing dot
    response = owner_a.call("post", "/api/domains/", {"domain": name.upper() + "."})

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["domain"] == name and body["status"] == "pending" and body["is_primary"] is False
    token = CustomDomain.objects.get(pk=body["id"]).token
    assert body["records"] == [
        {"type": "CNAME", "name": name, "value": "customers.localhost"},
        {"type": "TXT", "name": challenge(name), "value": token},
    ]
    assert set(body) >= {"id", "domain", "status", "is_primary", "records", "checked_at", "next_check_at", "problem"}
    listed = owner_a.call("get", "/api/domains/").json()["results"]
    assert [item["id"] for item in listed if item["domain"] == name] == [body["id"]]
    assert not Domain.objects.filter(domain=name).exists()  # pending: routes nowhere


def test_an_admin_manages_domains_and_a_member_may_not(tenant_a: TenantInfo) -> None:
    admin, member = as_role(tenant_a, "admin"), as_role(tenant_a, "member")

    assert add(admin, unique_domain())["status"] == "pending"
    assert_error(member.call("get", "/api/domains/"), 403)
    assert_error(member.call("post", "/api/domains/", {"domain": unique_domain()}), 403)
    assert_error(Api(tenant_a).call("get", "/api/domains/"), 401)
    assert_error(Api(tenant_a).call("post", "/api/domains/", {"domain": unique_domain()}), 401)


REFUSED = [
    ("192.0.2.7", "ip_address"),
    ("[2001:db8::7]", "ip_address"),
    ("localhost", "localhost"),
    ("shop.localhost", "localhost"),
    ("acme.localhost", "localhost"),
    ("*.example-corp.com", "wildcard"),
    ("x" * 64 + ".example-corp.com", "label_too_long"),
    (".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 58]) + ".com", "name_too_long"),
    ("intranet", "single_label"),
    ("co.uk", "public_suffix"),
    ("", "empty"),
    ("chat..corp", "invalid_domain"),
    ("<script>alert(1)</script>", "invalid_characters"),
    ("https://chat.example-corp.com/path", "invalid_characters"),
]


@pytest.mark.parametrize(("typed", "code"), REFUSED)
def test_every_refused_shape_is_a_400_with_its_code_and_stores_nothing(owner_a: Api, typed: str, code: str) -> None:
    before = CustomDomain.objects.count()

    body = assert_error(owner_a.call("post", "/api/domains/", {"domain": typed}), 400, code)

    assert body["detail"]
    assert CustomDomain.objects.count() == before


def test_the_platform_domain_and_its_subdomains_are_refused(owner_a: Api, settings: Any) -> None:
    settings.PLATFORM_DOMAIN = "parley-platform.com"

    assert_error(owner_a.call("post", "/api/domains/", {"domain": "parley-platform.com"}), 400, "platform_domain")
    assert_error(owner_a.call("post", "/api/domains/", {"domain": "x.parley-platform.com"}), 400, "platform_domain")


def test_garbage_bodies_are_400_not_500(owner_a: Api) -> None:
    assert_error(owner_a.call("post", "/api/domains/", {"domain": 42}), 400)
    assert_error(owner_a.call("post", "/api/domains/", {"domain": ["a.com"]}), 400)
    assert_error(owner_a.call("post", "/api/domains/", {}), 400, "empty")
    assert (
        owner_a.http.post("/api/domains/", "not json", content_type="application/json", **owner_a.headers).status_code
        == 400
    )
    assert_error(owner_a.call("get", f"/api/domains/{2**70}/"), 404)


def test_an_apex_needs_address_records_the_platform_offers(owner_a: Api, settings: Any) -> None:
    settings.DOMAINS_A_RECORDS = []
    assert_error(
        owner_a.call("post", "/api/domains/", {"domain": unique_domain(parent="com")}), 400, "apex_unsupported"
    )

    settings.DOMAINS_A_RECORDS = ["192.0.2.80"]
    settings.DOMAINS_AAAA_RECORDS = ["2001:db8::80"]
    name = unique_domain(parent="com")
    body = add(owner_a, name)
    assert [(r["type"], r["value"]) for r in body["records"][:2]] == [("A", "192.0.2.80"), ("AAAA", "2001:db8::80")]


def test_adding_the_same_domain_twice_is_a_conflict(owner_a: Api) -> None:
    name = unique_domain()
    add(owner_a, name)

    assert_error(owner_a.call("post", "/api/domains/", {"domain": name.upper()}), 409, "already_added")


def test_the_number_of_domains_is_limited(owner_a: Api, settings: Any, tenant_a: TenantInfo) -> None:
    live = CustomDomain.objects.filter(tenant=tenant_a.client).exclude(status="removed").count()
    settings.DOMAINS_MAX_PER_TENANT = live + 2
    first = add(owner_a, unique_domain())
    add(owner_a, unique_domain())

    body = assert_error(owner_a.call("post", "/api/domains/", {"domain": unique_domain()}), 402, "plan_limit")
    assert body["limit"] == "custom_domains"

    # a removed domain frees its place
    assert owner_a.call("delete", f"/api/domains/{first['id']}/").status_code == 204
    add(owner_a, unique_domain())


@pytest.mark.parametrize("spelling", ["{name}", "{upper}", "{name}.", "{unicode}"])
def test_a_domain_verified_by_one_tenant_cannot_be_claimed_by_another_in_any_spelling(
    owner_a: Api, owner_b: Api, dns: Zone, spelling: str
) -> None:
    # given: A verified an internationalised name
    unicode_name = f"bücher-{unique_domain()}"
    domain = verified(owner_a, dns, unicode_name)
    name = domain["domain"]
    assert name.startswith("xn--") and domain["unicode"] == unicode_name

    # when: B claims it, spelled another way
    typed = spelling.format(name=name, upper=name.upper(), unicode=unicode_name.upper())
    response = owner_b.call("post", "/api/domains/", {"domain": typed})

    # then
    assert_error(response, 409, "domain_taken")
    assert not CustomDomain.objects.filter(domain=name).exclude(tenant=domain_tenant(name)).exists()


def domain_tenant(name: str) -> int:
    return CustomDomain.objects.get(domain=name, status="verified").tenant_id


def test_a_pending_claim_of_another_tenant_does_not_block(owner_a: Api, owner_b: Api, dns: Zone) -> None:
    # given: A claimed the name but never proved it
    name = unique_domain()
    claim_a = add(owner_a, name)

    # when: B claims it too and proves it with its own token
    domain_b = verified(owner_b, dns, name)

    # then: B has it; A's claim failed with a sentence saying why
    assert domain_b["status"] == "verified"
    seen_by_a = owner_a.call("get", f"/api/domains/{claim_a['id']}/").json()
    assert seen_by_a["status"] == "failed"
    assert "Another workspace" in seen_by_a["problem"]
    assert Domain.objects.get(domain=name).tenant_id == domain_tenant(name)
    # A cannot get it back by checking again
    assert check_now(owner_a, claim_a["id"])["status"] == "failed"


def test_another_tenants_domain_is_not_found_for_anything(owner_a: Api, owner_b: Api, dns: Zone) -> None:
    # given: A has a verified domain and a pending one
    mine = verified(owner_a, dns, unique_domain())
    pending = add(owner_a, unique_domain())

    for domain in (mine, pending):
        # then: B sees nothing, and can do nothing to either
        assert_error(owner_b.call("get", f"/api/domains/{domain['id']}/"), 404)
        assert_error(owner_b.call("post", f"/api/domains/{domain['id']}/verify/"), 404)
        assert_error(owner_b.call("post", f"/api/domains/{domain['id']}/primary/"), 404)
        assert_error(owner_b.call("delete", f"/api/domains/{domain['id']}/primary/"), 404)
        assert_error(owner_b.call("delete", f"/api/domains/{domain['id']}/"), 404)
    assert owner_b.call("get", "/api/domains/").json()["results"] == [] or all(
        item["id"] not in (mine["id"], pending["id"]) for item in owner_b.call("get", "/api/domains/").json()["results"]
    )
    # and A's domains are as they were
    assert owner_a.call("get", f"/api/domains/{mine['id']}/").json()["status"] == "verified"
    assert Domain.objects.filter(domain=mine["domain"]).exists()


def test_making_primary_and_back(owner_a: Api, dns: Zone, tenant_a: TenantInfo) -> None:
    domain = verified(owner_a, dns, unique_domain())
    pending = add(owner_a, unique_domain())

    # an unverified domain cannot be primary
    assert_error(owner_a.call("post", f"/api/domains/{pending['id']}/primary/"), 409, "not_verified")

    made = owner_a.call("post", f"/api/domains/{domain['id']}/primary/").json()
    assert made["is_primary"] is True
    primaries = Domain.objects.filter(tenant=tenant_a.client, is_primary=True)
    assert list(primaries.values_list("domain", flat=True)) == [domain["domain"]]

    back = owner_a.call("delete", f"/api/domains/{domain['id']}/primary/").json()
    assert back["is_primary"] is False
    assert list(primaries.values_list("domain", flat=True)) == [tenant_a.host]


def test_removing_the_primary_domain_makes_the_platform_address_primary_again(
    owner_a: Api, dns: Zone, tenant_a: TenantInfo
) -> None:
    domain = verified(owner_a, dns, unique_domain())
    owner_a.call("post", f"/api/domains/{domain['id']}/primary/")

    assert owner_a.call("delete", f"/api/domains/{domain['id']}/").status_code == 204

    assert not Domain.objects.filter(domain=domain["domain"]).exists()
    assert Domain.objects.get(tenant=tenant_a.client, is_primary=True).domain == tenant_a.host
    assert CustomDomain.objects.get(pk=domain["id"]).status == "removed"
    assert all(item["id"] != domain["id"] for item in owner_a.call("get", "/api/domains/").json()["results"])
    # removing again changes nothing
    assert owner_a.call("delete", f"/api/domains/{domain['id']}/").status_code == 204
