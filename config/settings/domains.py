"""Custom domains: the DNS records tenants point at the platform and how they are checked."""

from __future__ import annotations

from config.settings.env import PLATFORM_DOMAIN, env

# ------------------------------------------------------------------------------
# Custom domains and TLS (tenants.domains)
# ------------------------------------------------------------------------------
# What tenants point their domains at: a CNAME to this host for a subdomain (chat.acme.com),
# A/AAAA records to these addresses for an apex (acme.com; refused while none are set).
DOMAINS_CNAME_TARGET: str = env("DOMAINS_CNAME_TARGET", default=f"customers.{PLATFORM_DOMAIN}").lower().rstrip(".")
DOMAINS_A_RECORDS: list[str] = env.list("DOMAINS_A_RECORDS", default=[])
DOMAINS_AAAA_RECORDS: list[str] = env.list("DOMAINS_AAAA_RECORDS", default=[])
# The TXT record proving ownership lives at <label>.<domain> and holds the claim's token.
DOMAINS_CHALLENGE_LABEL: str = env("DOMAINS_CHALLENGE_LABEL", default="_parley-challenge")
# Resolvers asked during verification, `host` or `host:port` ([v6]:port); empty: the system's.
DOMAINS_DNS_NAMESERVERS: list[str] = env.list("DOMAINS_DNS_NAMESERVERS", default=[])
# Seconds one DNS query may take; a timeout is a temporary failure, retried later.
DOMAINS_DNS_TIMEOUT: float = env.float("DOMAINS_DNS_TIMEOUT", default=5.0)
# CAs the TLS front end obtains certificates from: a CAA record allowing none of them blocks.
DOMAINS_CAA_ISSUERS: list[str] = [name.lower() for name in env.list("DOMAINS_CAA_ISSUERS", default=["letsencrypt.org"])]
# Live (not removed) domains per tenant; billing will take it from the plan (tenants.domains.limits).
DOMAINS_MAX_PER_TENANT: int = env.int("DOMAINS_MAX_PER_TENANT", default=20)
# A pending domain is checked with backoff for this long after it was added, then fails.
DOMAINS_VERIFY_HOURS: int = env.int("DOMAINS_VERIFY_HOURS", default=72)
# Verified domains are checked again this often.
DOMAINS_RECHECK_HOURS: int = env.int("DOMAINS_RECHECK_HOURS", default=24)
# A verified domain whose DNS stopped pointing here keeps routing this long before it is dropped.
DOMAINS_GRACE_HOURS: int = env.int("DOMAINS_GRACE_HOURS", default=72)
# "Check now" per domain: at most this many DNS checks a minute.
DOMAINS_CHECKS_PER_MINUTE: int = env.int("DOMAINS_CHECKS_PER_MINUTE", default=6)
