"""Workspace slugs become host names (`<slug>.<PLATFORM_DOMAIN>`) and schema names."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")

# Host labels the platform keeps for itself or that would confuse people and mail filters.
RESERVED_SLUGS = frozenset(
    [
        "www",
        "admin",
        "administrator",
        "api",
        "app",
        "apps",
        "assets",
        "auth",
        "billing",
        "blog",
        "cdn",
        "chat",
        "dashboard",
        "dev",
        "docs",
        "download",
        "email",
        "ftp",
        "help",
        "host",
        "imap",
        "login",
        "logout",
        "mail",
        "media",
        "mx",
        "ns",
        "ns1",
        "ns2",
        "platform",
        "pop",
        "postmaster",
        "public",
        "root",
        "security",
        "signup",
        "smtp",
        "static",
        "staging",
        "stats",
        "status",
        "stripe",
        "support",
        "system",
        "test",
        "webhook",
        "webhooks",
        "ws",
        "wss",
        "template",
        "tenant",
    ]
)


def validate_slug(value: str) -> None:
    if not SLUG_PATTERN.match(value):
        raise ValidationError(
            "Use 3 to 40 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen.",
            code="invalid_slug",
        )
    if "--" in value:
        raise ValidationError("Use single hyphens only.", code="invalid_slug")
    if value in RESERVED_SLUGS or value.startswith("pg"):
        raise ValidationError(f"“{value}” is reserved; please choose another name.", code="reserved_slug")


def schema_name_for(slug: str) -> str:
    # The prefix keeps tenant schemas apart from `public`, the template and PostgreSQL's own.
    return "t_" + slug.replace("-", "_")
