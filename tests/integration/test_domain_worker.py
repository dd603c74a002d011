"""Domain checks on a real Celery worker: the first check sent from the commit of an add, and
the minute sweeper's, both resolving through the loopback DNS server as production resolves."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.domains.actions import do_add_domain
from tenants.domains.records import records_for
from tenants.models import CustomDomain, Domain
from tenants.tasks import check_due_domains
from tests.support.dns import LoopbackDNS
from tests.support.domains import challenge, forget, unique_domain
from tests.support.live_chat import committed
from tests.support.tenants import TenantInfo
from tests.support.waiting import wait_for

pytestmark = pytest.mark.usefixtures("domains_allowed")


def records_in(zone_server: LoopbackDNS, claim: CustomDomain) -> None:
    for record in records_for(claim.domain, is_apex=claim.is_apex, token=claim.token):
        zone_server.zone.add(record.name, record.type, record.value)


def status_of(claim_id: int) -> Callable[[], str | None]:
    return lambda: committed(lambda: CustomDomain.objects.filter(pk=claim_id).values_list("status", flat=True).first())


@pytest.fixture
def made(django_db_blocker: pytest.FixtureRequest) -> Iterator[list[CustomDomain]]:
    claims: list[CustomDomain] = []
    yield claims
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        committed(lambda: forget(claims))


def test_the_worker_checks_a_new_domain_right_after_the_add_commits(
    celery_worker: subprocess.Popen[bytes],
    dns_server: LoopbackDNS,
    tenant_a: TenantInfo,
    made: list[CustomDomain],
    django_db_blocker: pytest.FixtureRequest,
) -> None:
    dns_server.zone.clear()
    name = unique_domain()
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        # given: the records are in place when the domain is added (the TXT record holds the
        # token the claim gets, read at query time)
        dns_server.zone.add(name, "CNAME", "customers.localhost")
        dns_server.zone.add_dynamic(
            challenge(name),
            "TXT",
            lambda: committed(lambda: list(CustomDomain.objects.filter(domain=name).values_list("token", flat=True))),
        )

        # when
        claim = committed(lambda: do_add_domain(tenant=tenant_a.client, name=name))
        made.append(claim)

        # then: the check sent from the commit verified it (the sweeper would not be due for
        # another ten minutes), and the name routes
        assert wait_for(status_of(claim.pk), "verified", timeout=30) == "verified"
        assert committed(lambda: Domain.objects.filter(domain=name, tenant=tenant_a.client).exists())
    dns_server.zone.clear()


def test_the_sweeper_on_the_worker_checks_due_domains(
    celery_worker: subprocess.Popen[bytes],
    dns_server: LoopbackDNS,
    tenant_a: TenantInfo,
    made: list[CustomDomain],
    django_db_blocker: pytest.FixtureRequest,
) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        # given: a pending domain whose records were created since, due for a check
        claim = committed(lambda: do_add_domain(tenant=tenant_a.client, name=unique_domain()))
        made.append(claim)
        first_check = wait_for(
            lambda: committed(
                lambda: CustomDomain.objects.filter(pk=claim.pk, checked_at__isnull=False).exists() and "done"
            ),
            "done",
        )
        assert first_check == "done" and status_of(claim.pk)() == "pending"  # no records yet
        records_in(dns_server, claim)
        committed(
            lambda: CustomDomain.objects.filter(pk=claim.pk).update(next_check_at=timezone.now() - timedelta(seconds=1))
        )

        # when: the beat task runs on the worker
        result = check_due_domains.delay()

        # then
        assert result.get(timeout=60) >= 1
        assert wait_for(status_of(claim.pk), "verified") == "verified"
    dns_server.zone.clear()
