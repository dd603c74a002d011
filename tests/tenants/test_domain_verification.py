"""Verification against a real DNS server on loopback (the product's resolver, nameserver from
the settings): what is right verifies, and what is wrong is named, with a code and a sentence."""

from __future__ import annotations

from typing import Any

import pytest

from tenants.models import Domain
from tests.support.dns import SilentServer, Zone
from tests.support.domains import add, challenge, check_now, point_here, unique_domain
from tests.support.people_api import Api, as_role
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(tenant_a: TenantInfo) -> Api:
    return as_role(tenant_a, "owner")


def token_of(domain: dict[str, Any]) -> str:
    return next(record["value"] for record in domain["records"] if record["type"] == "TXT")


def codes(domain: dict[str, Any]) -> list[str]:
    return [problem["code"] for problem in domain["problems"]]


def test_the_right_records_verify_and_route_at_once(owner: Api, dns: Zone, tenant_a: TenantInfo) -> None:
    domain = add(owner, unique_domain())
    point_here(dns, domain)

    checked = check_now(owner, domain["id"])

    assert checked["status"] == "verified" and checked["problem"] == "" and checked["checked_at"]
    assert Domain.objects.get(domain=domain["domain"]).tenant_id == tenant_a.client.pk
    assert checked["next_check_at"] > checked["checked_at"]  # the daily re-check


def test_missing_records_are_named(owner: Api, dns: Zone) -> None:
    domain = add(owner, unique_domain())

    checked = check_now(owner, domain["id"])

    assert checked["status"] == "pending"
    assert codes(checked) == ["record_missing", "txt_missing"]
    assert "customers.localhost" in checked["problem"] and token_of(domain) in checked["problem"]
    assert checked["next_check_at"] is not None
    assert not Domain.objects.filter(domain=domain["domain"]).exists()


def test_a_cname_pointing_elsewhere_names_the_value_found(owner: Api, dns: Zone) -> None:
    domain = add(owner, unique_domain())
    dns.add(domain["domain"], "CNAME", "old-host.example-hosting.net")
    dns.add("old-host.example-hosting.net", "A", "198.51.100.9")
    dns.add(challenge(domain["domain"]), "TXT", token_of(domain))

    checked = check_now(owner, domain["id"])

    assert codes(checked) == ["points_elsewhere"]
    assert "old-host.example-hosting.net" in checked["problem"]


def test_a_records_instead_of_a_cname_point_elsewhere(owner: Api, dns: Zone) -> None:
    domain = add(owner, unique_domain())
    dns.add(domain["domain"], "A", "203.0.113.5")
    dns.add(challenge(domain["domain"]), "TXT", token_of(domain))

    checked = check_now(owner, domain["id"])

    assert codes(checked) == ["points_elsewhere"] and "203.0.113.5" in checked["problem"]


def test_a_cname_through_another_name_to_the_platform_verifies(owner: Api, dns: Zone) -> None:
    domain = add(owner, unique_domain())
    dns.add(domain["domain"], "CNAME", "edge.example-cdn.net")
    dns.add("edge.example-cdn.net", "CNAME", "customers.localhost")
    dns.add(challenge(domain["domain"]), "TXT", token_of(domain))

    assert check_now(owner, domain["id"])["status"] == "verified"


def test_a_txt_record_with_another_value_is_a_mismatch(owner: Api, dns: Zone) -> None:
    domain = add(owner, unique_domain())
    dns.add(domain["domain"], "CNAME", "customers.localhost")
    dns.add(challenge(domain["domain"]), "TXT", "an-old-token-from-somewhere")

    checked = check_now(owner, domain["id"])

    assert codes(checked) == ["txt_mismatch"]
    assert "an-old-token-from-somewhere" in checked["problem"] and token_of(domain) in checked["problem"]


def test_a_caa_record_on_the_name_that_forbids_our_ca_blocks(owner: Api, dns: Zone) -> None:
    domain = add(owner, unique_domain())
    point_here(dns, domain)
    dns.add(domain["domain"], "CAA", '0 issue "digicert.com"')

    checked = check_now(owner, domain["id"])

    assert checked["status"] == "pending" and codes(checked) == ["caa_forbids"]
    assert "digicert.com" in checked["problem"] and "letsencrypt.org" in checked["problem"]


def test_a_caa_record_on_an_ancestor_decides_when_the_name_has_none(owner: Api, dns: Zone) -> None:
    parent = unique_domain("corp", "example.com")
    domain = add(owner, f"chat.{parent}")
    point_here(dns, domain)
    dns.add(parent, "CAA", '0 issue "sectigo.com"')
    dns.add("example.com", "CAA", '0 issue "letsencrypt.org"')  # farther up: not consulted

    checked = check_now(owner, domain["id"])

    assert codes(checked) == ["caa_forbids"] and parent in checked["problem"]

    # when: the closest CAA set allows our CA too
    dns.add(parent, "CAA", '0 issue "letsencrypt.org; accounturi=https://example.test/acct/1"')
    assert check_now(owner, domain["id"])["status"] == "verified"


def test_issuewild_and_iodef_do_not_restrict_a_plain_certificate(owner: Api, dns: Zone) -> None:
    domain = add(owner, unique_domain())
    point_here(dns, domain)
    dns.add(domain["domain"], "CAA", '0 issuewild ";"')
    dns.add(domain["domain"], "CAA", '0 iodef "mailto:security@example-corp.com"')

    assert check_now(owner, domain["id"])["status"] == "verified"


def test_an_empty_issue_value_forbids_every_ca(owner: Api, dns: Zone) -> None:
    domain = add(owner, unique_domain())
    point_here(dns, domain)
    dns.add(domain["domain"], "CAA", '0 issue ";"')

    checked = check_now(owner, domain["id"])
    assert codes(checked) == ["caa_forbids"] and "no certificate authority" in checked["problem"]


def test_a_cname_loop_is_named(owner: Api, dns: Zone) -> None:
    domain = add(owner, unique_domain())
    dns.add(domain["domain"], "CNAME", "a.loop-example.net")
    dns.add("a.loop-example.net", "CNAME", "b.loop-example.net")
    dns.add("b.loop-example.net", "CNAME", "a.loop-example.net")
    dns.add(challenge(domain["domain"]), "TXT", token_of(domain))

    checked = check_now(owner, domain["id"])

    assert checked["status"] == "pending" and codes(checked) == ["cname_loop"]
    assert "a.loop-example.net → b.loop-example.net → a.loop-example.net" in checked["problem"]


def test_a_cname_chain_that_never_ends_is_named(owner: Api, dns: Zone) -> None:
    domain = add(owner, unique_domain())
    dns.add(domain["domain"], "CNAME", "hop-0.chain-example.net")
    for n in range(12):
        dns.add(f"hop-{n}.chain-example.net", "CNAME", f"hop-{n + 1}.chain-example.net")
    dns.add(challenge(domain["domain"]), "TXT", token_of(domain))

    assert codes(check_now(owner, domain["id"])) == ["cname_chain_too_long"]


def test_a_dns_server_that_never_answers_is_temporary(owner: Api, dns: Zone, settings: Any) -> None:
    domain = add(owner, unique_domain())
    silent = SilentServer()
    settings.DOMAINS_DNS_NAMESERVERS = [silent.nameserver]
    settings.DOMAINS_DNS_TIMEOUT = 0.5
    try:
        checked = check_now(owner, domain["id"])
    finally:
        silent.close()

    assert checked["status"] == "pending" and codes(checked) == ["dns_timeout"]
    assert "try again" in checked["problem"] and checked["next_check_at"] is not None


def test_servfail_is_temporary(owner: Api, dns: Zone) -> None:
    domain = add(owner, unique_domain())
    dns.fail(domain["domain"])
    dns.fail(challenge(domain["domain"]))

    checked = check_now(owner, domain["id"])

    assert checked["status"] == "pending" and codes(checked) == ["dns_servfail"]


def test_an_apex_verifies_with_the_platforms_addresses_only(owner: Api, dns: Zone, settings: Any) -> None:
    settings.DOMAINS_A_RECORDS = ["192.0.2.80"]
    domain = add(owner, unique_domain("corp", "com"))
    dns.add(domain["domain"], "A", "192.0.2.80")
    dns.add(domain["domain"], "A", "198.51.100.200")  # the old web host, still there
    dns.add(challenge(domain["domain"]), "TXT", token_of(domain))

    checked = check_now(owner, domain["id"])
    assert codes(checked) == ["points_elsewhere"] and "198.51.100.200" in checked["problem"]

    dns.remove(domain["domain"], "A")
    dns.add(domain["domain"], "A", "192.0.2.80")
    assert check_now(owner, domain["id"])["status"] == "verified"
