"""Shared steps of the custom-domain tests: names no other test uses, records in the loopback
zone, and a domain added and verified through the API."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from tenants.domains.actions import do_remove_domain
from tenants.models import CustomDomain
from tests.support.dns import Zone
from tests.support.people_api import Api


def unique_domain(prefix: str = "chat", parent: str = "example-corp.com") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}.{parent}"


def point_here(zone: Zone, domain: dict[str, Any]) -> None:
    """Create exactly the records the API asked for."""
    for record in domain["records"]:
        zone.add(record["name"], record["type"], record["value"])


def challenge(name: str) -> str:
    return f"{settings.DOMAINS_CHALLENGE_LABEL}.{name}"


def add(api: Api, name: str) -> dict[str, Any]:
    response = api.call("post", "/api/domains/", {"domain": name})
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def check_now(api: Api, domain_id: int) -> dict[str, Any]:
    response = api.call("post", f"/api/domains/{domain_id}/verify/")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def verified(api: Api, zone: Zone, name: str) -> dict[str, Any]:
    """Add `name`, create its records, check now: a verified domain."""
    domain = add(api, name)
    point_here(zone, domain)
    domain = check_now(api, domain["id"])
    assert domain["status"] == "verified", domain
    return domain


def forget(claims: Iterable[CustomDomain]) -> None:
    """Remove committed claims (routing first, through the action) and their rows: the test
    database is kept between runs."""
    for claim in claims:
        do_remove_domain(claim=claim)
        CustomDomain.objects.filter(pk=claim.pk).delete()
