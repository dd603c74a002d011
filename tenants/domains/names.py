"""Domain names as people type them, and the one form the product stores and compares.

The stored form is the IDNA A-label form (UTS 46 mapping, non-transitional), lowercase, without
a trailing dot: `Bücher.Example.` and `xn--bcher-kva.example` are the same claim. Everything
that compares host names (claims, routing, the TLS ask, the socket's Origin) uses `host_key`
or `normalise_domain`, so no two spellings of one name can end up on different tenants.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache

import idna
from django.conf import settings
from publicsuffixlist import PublicSuffixList

from tenants.domains.errors import DomainRefused

MAX_NAME_BYTES = 253
MAX_LABEL_BYTES = 63
# Anything longer cannot be a host name; refused before any parsing work.
MAX_INPUT_LENGTH = 1024
LDH_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
NOT_A_NAME = re.compile(r"[\s/\\:@?#]")


@cache
def public_suffixes() -> PublicSuffixList:
    """The list shipped with `publicsuffixlist` (read once; never fetched at run time)."""
    return PublicSuffixList()


def host_key(host: str) -> str:
    """A request's Host (or an Origin's host) in the stored form, cheaply: port and a trailing
    dot removed, lowercase. Non-ASCII hosts do not reach us (browsers send A-labels)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


def _refuse(code: str, message: str) -> DomainRefused:
    return DomainRefused(message, code=code)


def _looks_like_ip(text: str) -> bool:
    candidate = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        ipaddress.ip_address(candidate.rstrip("."))
    except ValueError:
        return False
    return True


def _to_alabels(name: str) -> list[str]:
    """UTS 46 mapping (case folding, full-width dots), then each label as an A-label."""
    try:
        mapped = idna.uts46_remap(name, std3_rules=True, transitional=False)
    except idna.IDNAError as exc:
        raise _refuse(
            "invalid_characters",
            "A domain name has letters, digits and hyphens only (and dots between its parts).",
        ) from exc
    labels = mapped.split(".")
    if any(not label for label in labels):
        raise _refuse("invalid_domain", "A domain name has no empty parts: check for two dots in a row.")
    alabels = []
    for label in labels:
        if label.isascii():
            alabel = label
        else:
            try:
                alabel = idna.alabel(label).decode("ascii")
            except idna.IDNAError as exc:
                if len(label.encode()) > MAX_LABEL_BYTES or "too long" in str(exc).lower():
                    raise _refuse(
                        "label_too_long", f"Each part of a domain name has at most {MAX_LABEL_BYTES} characters."
                    ) from exc
                raise _refuse("invalid_domain", f"“{label}” cannot be part of a domain name.") from exc
        if len(alabel) > MAX_LABEL_BYTES:
            raise _refuse("label_too_long", f"Each part of a domain name has at most {MAX_LABEL_BYTES} characters.")
        if not LDH_LABEL.match(alabel):
            raise _refuse(
                "invalid_characters",
                "A domain name has letters, digits and hyphens only, and no part starts or ends with a hyphen.",
            )
        if alabel[2:4] == "--":
            # `xn--` must be a valid Punycode label; other `ab--` labels are reserved.
            try:
                idna.decode(alabel)
            except idna.IDNAError as exc:
                raise _refuse("invalid_domain", f"“{alabel}” is not a valid internationalised label.") from exc
        alabels.append(alabel)
    return alabels


def normalise_domain(raw: object) -> str:
    """The stored form of a domain a tenant may claim, or DomainRefused with a code and a
    sentence saying why not. Checks the shape only, never DNS."""
    if not isinstance(raw, str) or not raw.strip():
        raise _refuse("empty", "Enter a domain name, like chat.example.com.")
    text = raw.strip()
    if len(text) > MAX_INPUT_LENGTH:
        raise _refuse("name_too_long", f"A domain name has at most {MAX_NAME_BYTES} characters.")
    if _looks_like_ip(text):
        raise _refuse("ip_address", "Enter a domain name, not an IP address.")
    if "*" in text:
        raise _refuse("wildcard", "Wildcard domains cannot be added: add each name on its own.")
    if NOT_A_NAME.search(text):
        raise _refuse(
            "invalid_characters",
            "Enter the domain name only, like chat.example.com: no https://, port, path or spaces.",
        )
    name = text[:-1] if text.endswith(".") else text
    alabels = _to_alabels(name)
    domain = ".".join(alabels)
    if alabels[-1].isdigit():
        raise _refuse("ip_address", "Enter a domain name, not an IP address.")
    if domain == "localhost" or domain.endswith(".localhost"):
        raise _refuse("localhost", "localhost names only reach your own computer; enter a public domain name.")
    if len(alabels) == 1:
        raise _refuse("single_label", "Enter a full domain name with a dot, like chat.example.com.")
    if len(domain) > MAX_NAME_BYTES:
        raise _refuse("name_too_long", f"A domain name has at most {MAX_NAME_BYTES} characters.")
    platform = settings.PLATFORM_DOMAIN.lower().rstrip(".")
    if domain == platform or domain.endswith("." + platform):
        raise _refuse(
            "platform_domain",
            f"{platform} and its subdomains belong to the platform; your workspace already has its address there.",
        )
    psl = public_suffixes()
    if psl.is_public(domain):
        raise _refuse(
            "public_suffix",
            f"{display_name(domain)} is a public suffix, shared by many owners: enter a domain of your own under it.",
        )
    if psl.publicsuffix(domain, accept_unknown=False) is None:
        raise _refuse("unknown_tld", f"“.{alabels[-1]}” is not a top-level domain on the public internet.")
    return domain


def is_apex(domain: str) -> bool:
    """A registrable domain (acme.com, acme.co.uk) cannot hold a CNAME beside its other
    records, so it points here with A/AAAA records; a name below it takes a CNAME."""
    return public_suffixes().privatesuffix(domain) == domain


def display_name(domain: str) -> str:
    """The Unicode form for people (`bücher.example`); the A-label itself if it does not decode."""
    try:
        return str(idna.decode(domain))
    except (idna.IDNAError, UnicodeError):
        return domain


def challenge_name(domain: str) -> str:
    return f"{settings.DOMAINS_CHALLENGE_LABEL}.{domain}"
