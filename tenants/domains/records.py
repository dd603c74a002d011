"""The DNS records a tenant creates for a domain: shown on the page and in the API, and exactly
what verification looks for."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from tenants.domains.names import challenge_name


@dataclass(frozen=True)
class Record:
    type: str
    name: str
    value: str


def routing_records(domain: str, *, is_apex: bool) -> list[Record]:
    if not is_apex:
        return [Record("CNAME", domain, settings.DOMAINS_CNAME_TARGET)]
    return [Record("A", domain, address) for address in settings.DOMAINS_A_RECORDS] + [
        Record("AAAA", domain, address) for address in settings.DOMAINS_AAAA_RECORDS
    ]


def records_for(domain: str, *, is_apex: bool, token: str) -> list[Record]:
    return [*routing_records(domain, is_apex=is_apex), Record("TXT", challenge_name(domain), token)]
