"""Every write to custom domains and the `Domain` rows they route through.

Invariants kept here:
- a `Domain` row exists for a claim exactly while it is verified: created and deleted in the
  transaction that changes the status (an unverified name never routes);
- each tenant has exactly one primary `Domain`; its platform subdomain is never removed and
  becomes primary again whenever the primary custom domain goes away;
- one verified claim per name across tenants (partial unique index), one live claim per
  tenant and name.

Locks: a tenant's `Client` row is locked first (adds, primary changes, removals and checks of
one tenant run one at a time), then the claim's row. DNS is asked outside any transaction;
its result is applied under the locks, to the claim as it is then, and only if the claim still
has the token that was checked.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from tenants.db import in_public
from tenants.domains import schedule
from tenants.domains.dns import CheckResult, Problem, check_domain
from tenants.domains.errors import DomainConflict, DomainRefused, DomainTaken
from tenants.domains.limits import check_domain_limit
from tenants.domains.names import display_name, is_apex, normalise_domain
from tenants.domains.notify import notify_domain_failing, notify_domain_unrouted
from tenants.models import Client, CustomDomain, Domain
from tenants.urls_helpers import platform_host

logger = logging.getLogger(__name__)
Status = CustomDomain.Status

TAKEN = "Another workspace already uses {domain}."


def new_token() -> str:
    return secrets.token_hex(16)


def _lock_tenant(tenant_id: int) -> Client:
    return Client.objects.select_for_update().get(pk=tenant_id)


def _lock_claim(claim_id: int) -> CustomDomain:
    """The claim's tenant row, then the claim, locked (see the module docstring); the tenant
    read first may have changed (a staff move) before the lock, so it is checked again."""
    while True:
        tenant_id = CustomDomain.objects.filter(pk=claim_id).values_list("tenant_id", flat=True).get()
        tenant = _lock_tenant(tenant_id)
        claim = CustomDomain.objects.select_for_update().get(pk=claim_id)
        if claim.tenant_id == tenant_id:
            claim.tenant = tenant
            return claim


def _send_first_check(claim_id: int) -> None:
    """After the commit, in the public schema: the claim lives there, not in the tenant's."""
    from tenants.tasks import check_domain as check_domain_task

    def send() -> None:
        with in_public():
            check_domain_task.delay(claim_id)

    transaction.on_commit(send)


def do_add_domain(*, tenant: Client, name: str, created_by: str = "") -> CustomDomain:
    """Claim `name` for `tenant`: stored pending with a fresh token, checked at once in Celery."""
    domain = normalise_domain(name)
    apex = is_apex(domain)
    if apex and not _serves_apexes():
        raise DomainRefused(
            f"{display_name(domain)} is a root domain, which needs address records this platform does not "
            f"offer: use a subdomain such as chat.{display_name(domain)}.",
            code="apex_unsupported",
        )
    with transaction.atomic():
        tenant = _lock_tenant(tenant.pk)
        _check_not_taken(domain, tenant)
        if CustomDomain.objects.filter(tenant=tenant, domain=domain).exclude(status=Status.REMOVED).exists():
            raise DomainConflict(f"{display_name(domain)} is already on your list.", code="already_added")
        check_domain_limit(tenant)
        now = timezone.now()
        try:
            with transaction.atomic():
                claim = CustomDomain.objects.create(
                    tenant=tenant,
                    domain=domain,
                    is_apex=apex,
                    token=new_token(),
                    created_by=created_by[:254],
                    # The first check is sent after the commit; the sweeper steps in only if
                    # that one is lost.
                    next_check_at=now + schedule.LEASE,
                )
        except IntegrityError as exc:
            raise DomainConflict(f"{display_name(domain)} is already on your list.", code="already_added") from exc
        _send_first_check(claim.pk)
    logger.info("domain %s added by %s", domain, tenant.slug)
    return claim


def _serves_apexes() -> bool:
    from django.conf import settings

    return bool(settings.DOMAINS_A_RECORDS)


def _check_not_taken(domain: str, tenant: Client) -> None:
    """Taken: another tenant holds a verified claim, or the name routes somewhere already."""
    verified_elsewhere = CustomDomain.objects.filter(domain=domain, status=Status.VERIFIED).exclude(tenant=tenant)
    routed_elsewhere = Domain.objects.filter(domain=domain).exclude(tenant=tenant)
    if verified_elsewhere.exists() or routed_elsewhere.exists():
        raise DomainTaken(TAKEN.format(domain=display_name(domain)), code="domain_taken")


def do_check_domain(*, claim: CustomDomain) -> CustomDomain:
    """Ask DNS now and apply the answer ("check now", the sweeper's and the first check)."""
    if claim.status == Status.REMOVED:
        return claim
    result = check_domain(domain=claim.domain, is_apex=claim.is_apex, token=claim.token)
    return apply_check(claim_id=claim.pk, result=result)


def apply_check(*, claim_id: int, result: CheckResult, now: datetime | None = None) -> CustomDomain:
    """Move the claim on by one check's result; idempotent for a repeated result."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = _lock_claim(claim_id)
        if claim.status == Status.REMOVED or claim.token != result.token or claim.domain != result.domain:
            return claim
        claim.checked_at = now
        if result.ok:
            _on_success(claim, now)
        elif result.temporary:
            _on_temporary(claim, result, now)
        else:
            _on_problems(claim, result, now)
        claim.save()
    return claim


def _set_problems(claim: CustomDomain, problems: tuple[Problem, ...] | list[Problem]) -> None:
    claim.problems = [problem.as_dict() for problem in problems]
    claim.problem_code = problems[0].code if problems else ""
    claim.problem = " ".join(problem.detail for problem in problems)[:1000]


def _on_success(claim: CustomDomain, now: datetime) -> None:
    claim.attempts = 0
    claim.next_check_at = schedule.next_recheck(now)
    if claim.status == Status.VERIFIED:
        claim.failing_since = None
        _set_problems(claim, [])
        return
    _verify(claim, now)


def _verify(claim: CustomDomain, now: datetime) -> None:
    """Pending or failed -> verified, with its Domain row, unless another tenant got there
    first; the other tenants' pending claims on the name fail (the TXT token decided)."""
    taken = (
        CustomDomain.objects.filter(domain=claim.domain, status=Status.VERIFIED).exclude(pk=claim.pk).exists()
        or Domain.objects.filter(domain=claim.domain).exclude(tenant_id=claim.tenant_id).exists()
    )
    if not taken:
        try:
            with transaction.atomic():
                CustomDomain.objects.filter(pk=claim.pk).update(status=Status.VERIFIED)
                Domain.objects.get_or_create(
                    domain=claim.domain, tenant_id=claim.tenant_id, defaults={"is_primary": False}
                )
        except IntegrityError:
            taken = True  # a concurrent verification of the same name committed first
    if taken:
        _fail(claim, [Problem("domain_taken", "Another workspace verified this domain first.")])
        return
    claim.status = Status.VERIFIED
    claim.verified_at = now
    claim.failing_since = None
    _set_problems(claim, [])
    # Claims locked by a concurrent check are skipped: that check finds this one verified.
    others = (
        CustomDomain.objects.select_for_update(skip_locked=True)
        .filter(domain=claim.domain, status=Status.PENDING)
        .exclude(pk=claim.pk)
    )
    sentence = "Another workspace proved it owns this domain and verified it; it cannot be added here."
    CustomDomain.objects.filter(pk__in=list(others.values_list("pk", flat=True))).update(
        status=Status.FAILED,
        next_check_at=None,
        problem=sentence,
        problem_code="domain_taken",
        problems=[{"code": "domain_taken", "detail": sentence}],
    )
    logger.info("domain %s verified for tenant %s", claim.domain, claim.tenant_id)


def _fail(claim: CustomDomain, problems: list[Problem]) -> None:
    claim.status = Status.FAILED
    claim.next_check_at = None
    _set_problems(claim, problems)


def _on_temporary(claim: CustomDomain, result: CheckResult, now: datetime) -> None:
    """Nothing decided: say so, and try again soon. A pending claim past its deadline fails."""
    claim.attempts += 1
    _set_problems(claim, result.problems)
    if claim.status == Status.PENDING and now >= schedule.verification_deadline(claim.created_at):
        _fail(claim, list(result.problems))
    elif claim.status in (Status.PENDING, Status.VERIFIED):
        claim.next_check_at = now + schedule.retry_delay(claim.attempts)


def _on_problems(claim: CustomDomain, result: CheckResult, now: datetime) -> None:
    claim.attempts += 1
    _set_problems(claim, result.problems)
    if claim.status == Status.PENDING:
        if now >= schedule.verification_deadline(claim.created_at):
            _fail(claim, list(result.problems))
        else:
            claim.next_check_at = now + schedule.retry_delay(claim.attempts)
    elif claim.status == Status.VERIFIED:
        _on_verified_failing(claim, now)
    # A failed claim stays failed until a check succeeds ("check now").


def _on_verified_failing(claim: CustomDomain, now: datetime) -> None:
    """Flag, mail, re-check with backoff; past the grace period, stop routing and mail again."""
    first = claim.failing_since is None
    if first:
        claim.failing_since = now
    ends = schedule.grace_ends(claim.failing_since or now)
    if now >= ends:
        _unroute(claim)
        claim.status = Status.FAILED
        claim.next_check_at = None
        claim.problem = (
            f"{claim.problem} It stopped routing to your workspace on {now:%d %b %Y at %H:%M} UTC."
        ).strip()[:1000]
        notify_domain_unrouted(claim)
        logger.info("domain %s of tenant %s stopped routing", claim.domain, claim.tenant_id)
        return
    claim.next_check_at = min(now + schedule.retry_delay(claim.attempts), ends)
    if first:
        notify_domain_failing(claim, stops_routing_at=ends)


def _unroute(claim: CustomDomain) -> None:
    """Delete the claim's Domain row; if it was primary, the platform subdomain is again.
    Precondition: the tenant's row is locked."""
    deleted = Domain.objects.filter(domain=claim.domain, tenant_id=claim.tenant_id)
    was_primary = deleted.filter(is_primary=True).exists()
    deleted.delete()
    if was_primary:
        Domain.objects.filter(tenant_id=claim.tenant_id, domain=platform_host(claim.tenant.slug)).update(
            is_primary=True
        )


def _set_primary(tenant: Client, host: str) -> None:
    """Precondition: the tenant's row is locked and `host` is one of its Domain rows. The old
    primary is cleared first: the partial unique index allows one primary per tenant."""
    Domain.objects.filter(tenant=tenant, is_primary=True).exclude(domain=host).update(is_primary=False)
    Domain.objects.filter(tenant=tenant, domain=host).update(is_primary=True)


def do_make_primary(*, claim: CustomDomain) -> CustomDomain:
    with transaction.atomic():
        claim = _lock_claim(claim.pk)
        if claim.status != Status.VERIFIED:
            raise DomainConflict(
                f"{display_name(claim.domain)} is not verified yet; only a verified domain can be primary.",
                code="not_verified",
            )
        _set_primary(claim.tenant, claim.domain)
    logger.info("domain %s is now primary for tenant %s", claim.domain, claim.tenant_id)
    return claim


def do_use_platform_host(*, tenant: Client) -> None:
    """Make the platform subdomain primary again."""
    with transaction.atomic():
        tenant = _lock_tenant(tenant.pk)
        _set_primary(tenant, platform_host(tenant.slug))


def do_remove_domain(*, claim: CustomDomain) -> CustomDomain:
    """Stop routing (if verified) and mark removed; a second removal changes nothing."""
    with transaction.atomic():
        claim = _lock_claim(claim.pk)
        if claim.status == Status.REMOVED:
            return claim
        _unroute(claim)
        claim.status = Status.REMOVED
        claim.removed_at = timezone.now()
        claim.next_check_at = None
        claim.save(update_fields=["status", "removed_at", "next_check_at"])
    logger.info("domain %s removed from tenant %s", claim.domain, claim.tenant_id)
    return claim


# ----------------------------------------------------------------------------------------------
# Platform staff (the admin)
# ----------------------------------------------------------------------------------------------
def do_force_verify(*, claim: CustomDomain) -> CustomDomain:
    """Verified without asking DNS (staff vouch for the owner), with the same taken checks."""
    with transaction.atomic():
        claim = _lock_claim(claim.pk)
        if claim.status == Status.VERIFIED:
            return claim
        if claim.status == Status.REMOVED:
            raise DomainConflict("This domain was removed; add it again first.", code="removed")
        now = timezone.now()
        _verify(claim, now)
        if claim.status != Status.VERIFIED:
            raise DomainTaken(TAKEN.format(domain=display_name(claim.domain)), code="domain_taken")
        claim.checked_at = claim.checked_at or now
        claim.attempts = 0
        claim.next_check_at = schedule.next_recheck(now)
        claim.save()
    return claim


def do_move_domain(*, claim: CustomDomain, to: Client) -> CustomDomain:
    """Hand the claim (and its routing, if verified) to another tenant; it is never primary there
    at first, and the old tenant's platform subdomain takes over if it was primary."""
    if to.schema_name == "public":
        raise DomainRefused("Domains belong to client workspaces, not to the platform.", code="invalid_target")
    with transaction.atomic():
        first, second = sorted([claim.tenant_id, to.pk])
        _lock_tenant(first)
        _lock_tenant(second)
        claim = CustomDomain.objects.select_for_update().select_related("tenant").get(pk=claim.pk)
        if claim.tenant_id == to.pk:
            return claim
        if claim.status == Status.REMOVED:
            raise DomainConflict("This domain was removed; there is nothing to move.", code="removed")
        if CustomDomain.objects.filter(tenant=to, domain=claim.domain).exclude(status=Status.REMOVED).exists():
            raise DomainConflict(f"{to.name} already has {display_name(claim.domain)}.", code="already_added")
        if claim.status == Status.VERIFIED:
            _unroute(claim)
            Domain.objects.create(domain=claim.domain, tenant=to, is_primary=False)
        claim.tenant = to
        claim.save(update_fields=["tenant"])
    logger.info("domain %s moved to tenant %s", claim.domain, to.pk)
    return claim


# ----------------------------------------------------------------------------------------------
# The sweeper
# ----------------------------------------------------------------------------------------------
def lease_due_domains(*, limit: int = 500, now: datetime | None = None) -> list[int]:
    """The ids of claims due for a check, each leased to its check for `schedule.LEASE`, so two
    sweeps (or a sweep and a slow check) never pick one claim twice."""
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            CustomDomain.objects.select_for_update(skip_locked=True)
            .filter(next_check_at__lte=now, status__in=[Status.PENDING, Status.VERIFIED])
            .order_by("next_check_at")
        )
        ids = list(due.values_list("pk", flat=True)[:limit])
        CustomDomain.objects.filter(pk__in=ids).update(next_check_at=now + schedule.LEASE)
    return ids
