"""Absolute URLs to tenant hosts, built from the tenant's primary domain, never a request's Host."""

from __future__ import annotations

from django.conf import settings

from tenants.models import Client, Domain


def platform_host(slug: str) -> str:
    return f"{slug}.{settings.PLATFORM_DOMAIN}"


def origin_for(host: str) -> str:
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT and settings.SITE_PORT not in (80, 443) else ""
    return f"{settings.SITE_SCHEME}://{host}{port}"


def tenant_url(client: Client, path: str = "/") -> str:
    domain = Domain.objects.filter(tenant=client, is_primary=True).values_list("domain", flat=True).first()
    return origin_for(domain or platform_host(client.slug)) + path


def platform_url(path: str = "/") -> str:
    return origin_for(settings.PLATFORM_DOMAIN) + path
