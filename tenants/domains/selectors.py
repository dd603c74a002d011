"""Reads of custom domains and of the hosts a tenant answers on."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Client, CustomDomain, Domain


def live_domains(tenant: Client) -> QuerySet[CustomDomain]:
    """The tenant's domains as its people see them: everything not removed, by name."""
    return CustomDomain.objects.filter(tenant=tenant).exclude(status=CustomDomain.Status.REMOVED).order_by("domain")


def primary_host(tenant: Client) -> str | None:
    return Domain.objects.filter(tenant=tenant, is_primary=True).values_list("domain", flat=True).first()


def routing_hosts(tenant: Client) -> set[str]:
    """Every host that reaches the tenant: its platform subdomain and its verified domains."""
    return set(Domain.objects.filter(tenant=tenant).values_list("domain", flat=True))


def primary_domains(tenant: Client, domains: list[str]) -> set[str]:
    return set(
        Domain.objects.filter(tenant=tenant, domain__in=domains, is_primary=True).values_list("domain", flat=True)
    )
