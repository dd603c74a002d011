"""Does a domain point here, and does its owner prove it? Asked of DNS with dnspython.

Every query goes through `make_resolver`, whose nameservers, port and timeout come from the
settings (tests run a DNS server on loopback; production uses the system's resolver or the
ones configured). A check never raises for what it finds: it returns every problem, each a
code and a sentence naming what was found. A timeout or a SERVFAIL decides nothing: the
result is `temporary` and the caller retries later.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver
from django.conf import settings
from dns.rdata import Rdata

from tenants.domains.names import challenge_name

# CNAMEs followed from the domain before the chain counts as never ending.
MAX_CNAME_DEPTH = 8
# CAA property tags of RFC 8659 and its registry; a critical unknown tag forbids issuance.
KNOWN_CAA_TAGS = frozenset({"issue", "issuewild", "iodef", "contactemail", "contactphone", "issuemail", "issuevmc"})
CAA_CRITICAL = 128


@dataclass(frozen=True)
class Problem:
    code: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


@dataclass(frozen=True)
class CheckResult:
    domain: str
    # The token the TXT record was compared with: a result for an older token is not applied.
    token: str
    problems: tuple[Problem, ...] = ()
    # DNS did not answer (timeout, SERVFAIL): nothing was decided either way.
    temporary: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.temporary


class TemporaryFailure(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


@dataclass(frozen=True)
class Lookup:
    exists: bool  # False: NXDOMAIN
    records: list[Rdata] = field(default_factory=list)


def parse_nameserver(value: str) -> tuple[str, int]:
    """`host`, `host:port`, `[v6]:port` or a bare IPv6 address -> (address, port)."""
    value = value.strip()
    if value.startswith("["):
        address, _, rest = value[1:].partition("]")
        return address, int(rest.lstrip(":") or 53)
    if value.count(":") == 1:
        address, port = value.split(":")
        return address, int(port)
    return value, 53


def make_resolver() -> dns.resolver.Resolver:
    """The one resolver factory: DOMAINS_DNS_NAMESERVERS (empty: the system's), no cache (every
    check asks afresh), each query bounded by DOMAINS_DNS_TIMEOUT."""
    servers = settings.DOMAINS_DNS_NAMESERVERS
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        resolver.nameservers = [
            dns.nameserver.Do53Nameserver(address, port) for address, port in map(parse_nameserver, servers)
        ]
    resolver.timeout = settings.DOMAINS_DNS_TIMEOUT
    resolver.lifetime = settings.DOMAINS_DNS_TIMEOUT
    resolver.cache = None
    return resolver


def lookup(resolver: dns.resolver.Resolver, name: str, rdtype: str) -> Lookup:
    try:
        answer = resolver.resolve(
            dns.name.from_text(name), dns.rdatatype.from_text(rdtype), search=False, raise_on_no_answer=False
        )
    except dns.resolver.NXDOMAIN:
        return Lookup(exists=False)
    except dns.exception.Timeout as exc:
        raise TemporaryFailure(
            Problem("dns_timeout", f"DNS did not answer in time for {name}. We will try again shortly.")
        ) from exc
    except dns.resolver.NoNameservers as exc:
        raise TemporaryFailure(
            Problem("dns_servfail", f"DNS servers failed to answer for {name} (SERVFAIL). We will try again shortly.")
        ) from exc
    except dns.exception.DNSException as exc:
        raise TemporaryFailure(
            Problem("dns_error", f"DNS could not be asked about {name}. We will try again shortly.")
        ) from exc
    return Lookup(exists=True, records=list(answer.rrset) if answer.rrset is not None else [])


def _name(rdata: Rdata) -> str:
    return str(rdata.target).rstrip(".").lower()  # type: ignore[attr-defined]


def _addresses(found: Lookup) -> set[str]:
    return {str(ipaddress.ip_address(rdata.address)) for rdata in found.records}  # type: ignore[attr-defined]


def _expected_addresses() -> tuple[set[str], set[str]]:
    return (
        {str(ipaddress.ip_address(a)) for a in settings.DOMAINS_A_RECORDS},
        {str(ipaddress.ip_address(a)) for a in settings.DOMAINS_AAAA_RECORDS},
    )


def check_addresses(resolver: dns.resolver.Resolver, domain: str, *, missing_hint: str) -> list[Problem]:
    """Every A/AAAA record of `domain` is one of the platform's, and IPv4 reaches it."""
    expected_a, expected_aaaa = _expected_addresses()
    a_records = lookup(resolver, domain, "A")
    if not a_records.exists:
        return [Problem("record_missing", f"{domain} does not exist in DNS yet: {missing_hint}")]
    found_a = _addresses(a_records)
    found_aaaa = _addresses(lookup(resolver, domain, "AAAA"))
    stray = sorted((found_a - expected_a) | (found_aaaa - expected_aaaa))
    if stray:
        wanted = ", ".join(sorted(expected_a | expected_aaaa)) or settings.DOMAINS_CNAME_TARGET
        return [
            Problem(
                "points_elsewhere",
                f"{domain} points to {', '.join(stray)}, which is not this platform: its records must point "
                f"to {wanted} only.",
            )
        ]
    if not found_a & expected_a:
        return [Problem("record_missing", f"{domain} has no A record pointing here: {missing_hint}")]
    return []


def check_cname(resolver: dns.resolver.Resolver, domain: str) -> list[Problem]:
    """`domain` reaches DOMAINS_CNAME_TARGET through CNAMEs, followed one query at a time so a
    loop or an endless chain is named (a recursive resolver would only say SERVFAIL)."""
    target = settings.DOMAINS_CNAME_TARGET
    hint = f"add a CNAME record pointing to {target}."
    chain = [domain]
    name = domain
    for _ in range(MAX_CNAME_DEPTH):
        found = lookup(resolver, name, "CNAME")
        if not found.exists:
            if name == domain:
                return [Problem("record_missing", f"{domain} does not exist in DNS yet: {hint}")]
            return [
                Problem(
                    "points_elsewhere",
                    f"{domain} points to {chain[1]}, which leads to {name}, a name that does not exist: "
                    f"point {domain} at {target} instead.",
                )
            ]
        if not found.records:
            break
        following = _name(found.records[0])
        if following == target:
            return []
        if following in chain:
            loop = " → ".join([*chain[chain.index(following) :], following])
            return [Problem("cname_loop", f"The CNAME records of {domain} go round in a loop ({loop}): {hint}")]
        chain.append(following)
        name = following
    else:
        return [
            Problem(
                "cname_chain_too_long",
                f"{domain} is a chain of more than {MAX_CNAME_DEPTH} CNAME records that does not end: point "
                f"{domain} at {target} directly.",
            )
        ]
    if name != domain:
        return [
            Problem(
                "points_elsewhere",
                f"{domain} points to {chain[1]} instead of {target}: change its CNAME record to {target}.",
            )
        ]
    # No CNAME at the name itself: addresses of the platform are as good (a DNS host that
    # flattens CNAMEs), anything else points elsewhere.
    if settings.DOMAINS_A_RECORDS:
        return check_addresses(resolver, domain, missing_hint=hint)
    addresses = _addresses(lookup(resolver, domain, "A")) | _addresses(lookup(resolver, domain, "AAAA"))
    if addresses:
        return [
            Problem(
                "points_elsewhere",
                f"{domain} points to {', '.join(sorted(addresses))} instead of {target}: replace those records "
                f"with a CNAME record to {target}.",
            )
        ]
    return [Problem("record_missing", f"{domain} has no CNAME record: {hint}")]


def check_txt(resolver: dns.resolver.Resolver, domain: str, token: str) -> list[Problem]:
    name = challenge_name(domain)
    values = [
        b"".join(rdata.strings).decode("utf-8", "replace").strip()  # type: ignore[attr-defined]
        for rdata in lookup(resolver, name, "TXT").records
    ]
    if token in values:
        return []
    if not values:
        return [
            Problem("txt_missing", f"Add a TXT record at {name} with the value {token} to prove the domain is yours.")
        ]
    found = values[0] if len(values[0]) <= 80 else values[0][:77] + "..."
    return [
        Problem(
            "txt_mismatch",
            f"The TXT record at {name} holds “{found}”, not this domain's token: set it to {token}.",
        )
    ]


def issuer_of(rdata: Rdata) -> str:
    """The CA domain of an `issue` value (`letsencrypt.org; accounturi=...`); "" forbids all."""
    return str(rdata.value.decode("utf-8", "replace")).split(";", 1)[0].strip().lower()  # type: ignore[attr-defined]


def judge_caa(domain: str, owner: str, records: list[Rdata]) -> list[Problem]:
    """RFC 8659 for a certificate naming `domain` (never a wildcard), by the relevant RRset
    found at `owner`: only `issue` properties restrict such a certificate (`issuewild`
    governs wildcards alone); a critical property no CA knows forbids every issuance."""
    where = domain if owner == domain else f"{owner} (they apply to {domain} too)"
    for rdata in records:
        tag = rdata.tag.decode("ascii", "replace").lower()  # type: ignore[attr-defined]
        if rdata.flags & CAA_CRITICAL and tag not in KNOWN_CAA_TAGS:  # type: ignore[attr-defined]
            return [
                Problem(
                    "caa_forbids",
                    f"The CAA records of {where} have a critical “{tag}” property that certificate authorities "
                    "do not understand, so none will issue a certificate: remove it.",
                )
            ]
    issuers = {issuer_of(r) for r in records if r.tag.decode("ascii", "replace").lower() == "issue"}  # type: ignore[attr-defined]
    if not issuers or issuers & set(settings.DOMAINS_CAA_ISSUERS):
        return []
    allowed = ", ".join(sorted(issuer for issuer in issuers if issuer)) or "no certificate authority at all"
    wanted = settings.DOMAINS_CAA_ISSUERS[0] if settings.DOMAINS_CAA_ISSUERS else "our certificate authority"
    return [
        Problem(
            "caa_forbids",
            f"The CAA records of {where} allow only {allowed} to issue certificates: add the record "
            f'CAA 0 issue "{wanted}" there.',
        )
    ]


def check_caa(resolver: dns.resolver.Resolver, domain: str) -> list[Problem]:
    """Climb from the domain towards the root (RFC 8659): the closest name with CAA records decides."""
    labels = domain.split(".")
    for start in range(len(labels)):
        owner = ".".join(labels[start:])
        found = lookup(resolver, owner, "CAA")
        if found.records:
            return judge_caa(domain, owner, found.records)
    return []


def check_domain(*, domain: str, is_apex: bool, token: str) -> CheckResult:
    """Every check of one domain, against the records `tenants.domains.records` asks for. A
    stage that DNS did not answer makes the result temporary only if no other stage found a
    definite problem (a CNAME loop also makes resolvers SERVFAIL on the CAA query)."""
    resolver = make_resolver()
    hint = "add A records for " + ", ".join(settings.DOMAINS_A_RECORDS) + "."
    stages = [
        (lambda: check_addresses(resolver, domain, missing_hint=hint))
        if is_apex
        else (lambda: check_cname(resolver, domain)),
        lambda: check_txt(resolver, domain, token),
        lambda: check_caa(resolver, domain),
    ]
    problems: list[Problem] = []
    unanswered: list[Problem] = []
    for stage in stages:
        try:
            problems += stage()
        except TemporaryFailure as exc:
            unanswered.append(exc.problem)
    if unanswered and not problems:
        return CheckResult(domain=domain, token=token, problems=(unanswered[0],), temporary=True)
    return CheckResult(domain=domain, token=token, problems=tuple(problems))
