"""After adding: checks with backoff while pending, `failed` after 72 hours; once verified, a
daily re-check; a domain whose DNS stops pointing here is flagged and its managers mailed, and
past the grace period it stops routing (mailed again); recovering in time clears the flag."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from tenants.domains.actions import do_check_domain, lease_due_domains
from tenants.domains.schedule import LEASE
from tenants.models import CustomDomain, Domain
from tests.support.dns import Zone
from tests.support.domains import add, check_now, point_here, unique_domain, verified
from tests.support.people import CaptureOnCommit, make_user
from tests.support.people_api import Api, as_role
from tests.support.tenants import TenantInfo, host_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(tenant_a: TenantInfo) -> Api:
    return as_role(tenant_a, "owner")


def claim_of(domain: dict[str, Any]) -> CustomDomain:
    return CustomDomain.objects.select_related("tenant").get(pk=domain["id"])


def age(claim: CustomDomain, **fields: Any) -> None:
    CustomDomain.objects.filter(pk=claim.pk).update(**fields)


def test_the_sweeper_leases_due_domains_once(owner: Api) -> None:
    # given: a domain due a minute ago, and one not due
    due, later = add(owner, unique_domain()), add(owner, unique_domain())
    now = timezone.now()
    age(claim_of(due), next_check_at=now - timedelta(minutes=1))
    age(claim_of(later), next_check_at=now + timedelta(hours=1))

    # when: two sweeps, one after the other
    first, second = lease_due_domains(), lease_due_domains()

    # then: the due one was picked once, and leased to its check
    assert due["id"] in first and later["id"] not in first
    assert due["id"] not in second
    leased_until = claim_of(due).next_check_at
    assert leased_until is not None and leased_until > now + LEASE - timedelta(seconds=5)


def test_pending_checks_back_off_and_fail_after_72_hours(owner: Api, dns: Zone) -> None:
    domain = add(owner, unique_domain())
    waits = []
    for _ in range(3):
        before = timezone.now()
        claim = do_check_domain(claim=claim_of(domain))
        assert claim.next_check_at is not None
        waits.append(round((claim.next_check_at - before).total_seconds() / 60))
    assert waits == [1, 2, 4] and claim.status == "pending"

    # when: checked again 72 hours after it was added
    age(claim, created_at=timezone.now() - timedelta(hours=72, minutes=1))
    claim = do_check_domain(claim=claim_of(domain))

    # then: failed, no more automatic checks; "check now" still verifies it once fixed
    assert claim.status == "failed" and claim.next_check_at is None
    assert claim.problem_code == "record_missing"
    point_here(dns, domain)
    assert check_now(owner, domain["id"])["status"] == "verified"


def test_a_verified_domain_is_checked_again_daily(owner: Api, dns: Zone) -> None:
    domain = verified(owner, dns, unique_domain())
    claim = claim_of(domain)
    assert claim.next_check_at is not None and claim.checked_at is not None
    assert timedelta(hours=23) < claim.next_check_at - claim.checked_at <= timedelta(hours=24)


def test_a_domain_that_stops_pointing_here_is_flagged_mailed_then_dropped(
    owner: Api, dns: Zone, tenant_a: TenantInfo, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    # given: a verified primary domain, and an admin besides the owner
    admin = make_user(tenant_a, "admin")
    domain = verified(owner, dns, unique_domain())
    owner.call("post", f"/api/domains/{domain['id']}/primary/")
    sent_before = len(mail.outbox)

    # when: its CNAME is pointed elsewhere, and the daily check runs
    dns.remove(domain["domain"], "CNAME")
    dns.add(domain["domain"], "CNAME", "parked.example-registrar.net")
    with django_capture_on_commit_callbacks(execute=True):
        claim = do_check_domain(claim=claim_of(domain))

    # then: flagged, still routing, both managers told what is wrong and when it stops
    assert claim.status == "verified" and claim.failing_since is not None
    assert "parked.example-registrar.net" in claim.problem
    assert Domain.objects.filter(domain=domain["domain"], is_primary=True).exists()
    flagged = mail.outbox[sent_before:]
    assert sorted(m.to[0] for m in flagged) == sorted([tenant_a.owner_email, admin.email])
    assert all(domain["domain"] in m.subject and "parked.example-registrar.net" in m.body for m in flagged)
    assert claim.next_check_at is not None and claim.next_check_at <= claim.failing_since + timedelta(hours=72)
    seen = owner.call("get", f"/api/domains/{domain['id']}/").json()
    assert seen["status"] == "verified" and seen["failing_since"] and seen["problem"]

    # when: still wrong once the grace period is over
    age(claim, failing_since=timezone.now() - timedelta(hours=72, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        claim = do_check_domain(claim=claim_of(domain))

    # then: it no longer routes, the platform address is primary again, everyone was told
    assert claim.status == "failed" and claim.next_check_at is None
    assert not Domain.objects.filter(domain=domain["domain"]).exists()
    assert Domain.objects.get(tenant=tenant_a.client, is_primary=True).domain == tenant_a.host
    assert host_client(domain["domain"]).get("/login/").status_code == 404
    dropped = mail.outbox[sent_before + len(flagged) :]
    assert len(dropped) == 2 and all("stopped working" in m.subject for m in dropped)
    assert all(f"http://{tenant_a.host}/settings/domains/" in m.body for m in dropped)


def test_recovering_within_the_grace_period_clears_the_flag(owner: Api, dns: Zone) -> None:
    domain = verified(owner, dns, unique_domain())
    dns.clear()
    claim = do_check_domain(claim=claim_of(domain))
    assert claim.failing_since is not None

    point_here(dns, domain)
    claim = do_check_domain(claim=claim_of(domain))

    assert claim.status == "verified" and claim.failing_since is None and claim.problem == ""
    assert Domain.objects.filter(domain=domain["domain"]).exists()


def test_a_timeout_never_flags_a_verified_domain(owner: Api, dns: Zone) -> None:
    domain = verified(owner, dns, unique_domain())
    dns.fail(domain["domain"])
    dns.fail(f"_parley-challenge.{domain['domain']}")

    claim = do_check_domain(claim=claim_of(domain))

    assert claim.status == "verified" and claim.failing_since is None
    assert claim.problem_code == "dns_servfail" and claim.next_check_at is not None
