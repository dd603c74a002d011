"""What a tenant may do: the one place plans' limits and subscriptions' statuses are enforced.

Every check reads the tenant's `Entitlement` (cached per tenant, forgotten on commit of any
change) and its `Usage` row; nothing here calls Stripe. Apps ask through config.limits, which
this module answers (registered in billing.apps).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from billing.models import Entitlement, Plan, Usage
from config.cache import cache
from config.limits import PlanLimitReached, ReadOnlyWorkspace
from tenants.db import in_public
from tenants.models import Client

CACHE_SECONDS = 300
MB = 1024 * 1024

# Statuses in which people read, search and download but write nothing.
READ_ONLY_STATUSES = frozenset({Entitlement.Status.CANCELED, Entitlement.Status.UNPAID})

# The usage counters `reserve` may raise, by key; each is a column of billing_usage.
PERIOD_COUNTERS = {"pages_this_period", "messages_this_period"}
COUNTERS = {"seats", "storage_bytes", *PERIOD_COUNTERS}


@dataclass(frozen=True)
class Entitled:
    """A tenant's entitlement as the checks need it (cached: plain values only)."""

    client_id: int
    plan_id: int
    plan_code: str
    plan_name: str
    status: str
    limits: dict[str, int | None]
    hide_powered_by: bool
    # The subscription's period, None on a plan without one (counted by calendar month).
    period_start: datetime | None
    period_end: datetime | None
    # Past due: writes stay open until then.
    grace_ends_at: datetime | None

    @property
    def read_only(self) -> bool:
        return is_read_only(self.status, self.grace_ends_at)

    def usage_period_start(self, now: datetime | None = None) -> datetime:
        """Where `pages_this_period` and `messages_this_period` start counting."""
        if self.period_start is not None:
            return self.period_start
        now = now or timezone.now()
        return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def grace_end(status: str, past_due_since: datetime | None) -> datetime | None:
    """Until when a past-due workspace stays writable."""
    if status != Entitlement.Status.PAST_DUE or past_due_since is None:
        return None
    return past_due_since + timedelta(days=settings.BILLING_GRACE_DAYS)


def is_read_only(status: str, grace_ends_at: datetime | None) -> bool:
    return status in READ_ONLY_STATUSES or (grace_ends_at is not None and timezone.now() >= grace_ends_at)


def plan_limits(plan: Plan) -> dict[str, int | None]:
    def mb(value: int | None) -> int | None:
        return None if value is None else value * MB

    return {
        "seats": plan.max_users,
        "storage_bytes": mb(plan.max_storage_mb),
        "upload_bytes": min(plan.max_upload_mb * MB, settings.DOCUMENTS_MAX_UPLOAD_BYTES),
        "pages_this_period": plan.max_pages_per_month,
        "messages_this_period": None,
        "custom_domains": plan.max_custom_domains,
        "api_requests_per_minute": plan.api_requests_per_minute,
    }


def _key(client_id: int) -> str:
    return f"billing:entitled:{client_id}"


def _load(client_id: int) -> Entitled:
    row = Entitlement.objects.select_related("plan").filter(client_id=client_id).first()
    if row is None:
        # A tenant made before billing had rows (or the platform's own): the default plan, free.
        from billing.selectors import default_plan

        plan = default_plan()
        status: str
        status, period_start, period_end, grace = Entitlement.Status.FREE, None, None, None
    else:
        plan, status = row.plan, row.status
        period_start, period_end = row.current_period_start, row.current_period_end
        grace = grace_end(row.status, row.past_due_since)
    return Entitled(
        client_id=client_id,
        plan_id=plan.pk,
        plan_code=plan.code,
        plan_name=plan.name,
        status=status,
        limits=plan_limits(plan),
        hide_powered_by=plan.can_hide_powered_by,
        period_start=period_start,
        period_end=period_end,
        grace_ends_at=grace,
    )


def entitled(client: Client | int) -> Entitled:
    """The tenant's plan, status and limits (cached; see `forget`)."""
    client_id = client if isinstance(client, int) else client.pk
    # Kept in the public schema's key space: the same entry answers every host of the tenant.
    with in_public():
        found = cache.get(_key(client_id))
        if found is None:
            found = _load(client_id)
            cache.set(_key(client_id), found, CACHE_SECONDS)
    return found


# Message sends read the entitlement from the process's memory for this long: a send cost a
# tenth more with a cache round trip on its path (bench/billing.py). Other processes see a change
# within it; this one at once (`forget`).
SEND_CACHE_SECONDS = 1.0
_send_cache: dict[int, tuple[float, Entitled]] = {}


def _for_sends(client_id: int) -> Entitled:
    now = time.monotonic()
    kept = _send_cache.get(client_id)
    if kept is not None and now - kept[0] < SEND_CACHE_SECONDS:
        return kept[1]
    if len(_send_cache) > 10_000:
        _send_cache.clear()
    current = entitled(client_id)
    _send_cache[client_id] = (now, current)
    return current


def forget(client_id: int) -> None:
    """Call in the transaction that changes a tenant's entitlement (or its plan): the cached
    entry goes once it commits, and again now, so no check reads the old one for long."""

    def drop() -> None:
        _send_cache.pop(client_id, None)
        with in_public():
            cache.delete(_key(client_id))

    drop()
    transaction.on_commit(drop)


def forget_plan(plan: Plan) -> None:
    """Call after a plan's limits or features change: every tenant on it sees the change."""
    for client_id in Entitlement.objects.filter(plan=plan).values_list("client_id", flat=True):
        forget(client_id)


# -- the checks (config.limits) --------------------------------------------------------------


def check_writable(tenant: Client) -> None:
    current = entitled(tenant)
    if current.read_only:
        raise ReadOnlyWorkspace(read_only_sentence(current.status))


def read_only_sentence(status: str) -> str:
    if status == Entitlement.Status.CANCELED:
        why, what = "subscription has ended", "choose a plan"
    elif status == Entitlement.Status.UNPAID:
        why, what = "invoices are unpaid", "pay them"
    else:
        why, what = "payment is overdue", "update the payment method"
    return f"This workspace's {why}, so it is read-only. An owner can {what} on the billing page."


def limit_of(tenant: Client, key: str) -> int | None:
    return entitled(tenant).limits.get(key)


def check_room(tenant: Client, key: str, *, used: int, adding: int = 1) -> None:
    check_writable(tenant)
    limit = limit_of(tenant, key)
    if limit is not None and used + adding > limit:
        raise PlanLimitReached(limit_sentence(key, limit, used), limit=key)


def limit_sentence(key: str, limit: int, used: int | None = None) -> str:
    upgrade = "An owner can upgrade on the billing page."
    or_upgrade = "or an owner can upgrade on the billing page."
    if key == "seats":
        return f"Your plan has {limit} seats and all are taken. {upgrade}"
    if key == "storage_bytes":
        return f"This would take the workspace past its {human_bytes(limit)} of storage. Delete documents, {or_upgrade}"
    if key == "upload_bytes":
        return f"Files on your plan can be at most {human_bytes(limit)}. {upgrade}"
    if key == "pages_this_period":
        return f"Your workspace has used its {limit:,} document pages this month. {upgrade}"
    if key == "custom_domains":
        return f"Your plan allows {limit} custom domain{'s' if limit != 1 else ''}. Remove one, {or_upgrade}"
    return f"Your plan's limit is reached. {upgrade}"


def human_bytes(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", MB), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def _usage_sql(key: str, *, bounded: bool, period: bool) -> str:
    """One UPDATE that starts a new period when it has begun, adds %(n)s to `key` and, when
    bounded, does so only while the result stays within %(limit)s. Returns the new value."""
    current = key
    sets = [f"{key} = {key} + %(n)s"]
    if period:
        current = f"(CASE WHEN period_start < %(start)s THEN 0 ELSE {key} END)"
        sets = [
            f"{other} = (CASE WHEN period_start < %(start)s THEN 0 ELSE {other} END)"
            for other in sorted(PERIOD_COUNTERS - {key})
        ]
        sets += [f"{key} = {current} + %(n)s", "period_start = GREATEST(period_start, %(start)s)"]
    if key == "messages_this_period":
        sets.append("messages_total = messages_total + %(n)s")
    where = "client_id = %(client)s"
    if bounded:
        where += f" AND {current} + %(n)s <= %(limit)s"
    return f"UPDATE billing_usage SET {', '.join(sets)} WHERE {where} RETURNING {key}"  # noqa: S608  # nosec B608


def _update_usage(tenant: Client, key: str, amount: int, limit: int | None, start: datetime) -> bool:
    """True when the row changed. Runs on the caller's connection and transaction whatever
    schema it is set to: billing_usage is in public, which every tenant's search path holds."""
    sql = _usage_sql(key, bounded=limit is not None, period=key in PERIOD_COUNTERS)
    params: dict[str, Any] = {"n": amount, "client": tenant.pk, "limit": limit, "start": start}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.fetchone() is not None:
            return True
    return False


def ensure_usage(client: Client) -> None:
    """The tenant's usage row (made at provisioning; this covers tenants older than billing)."""
    with in_public():
        Usage.objects.get_or_create(client=client, defaults={"period_start": entitled(client).usage_period_start()})


def reserve(tenant: Client, key: str, amount: int = 1) -> None:
    if key not in COUNTERS:
        raise ValueError(f"unknown usage counter {key}")
    current = entitled(tenant)
    if current.read_only:
        raise ReadOnlyWorkspace(read_only_sentence(current.status))
    limit = current.limits.get(key)
    start = current.usage_period_start()
    if _update_usage(tenant, key, amount, limit, start):
        return
    if not Usage.objects.filter(client_id=tenant.pk).exists():
        ensure_usage(tenant)
        if _update_usage(tenant, key, amount, limit, start):
            return
    assert limit is not None  # an unbounded update fails only without a row
    raise PlanLimitReached(limit_sentence(key, limit), limit=key)


def release(tenant: Client, key: str, amount: int = 1) -> None:
    if key not in COUNTERS:
        raise ValueError(f"unknown usage counter {key}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE billing_usage SET {key} = GREATEST({key} - %s, 0) WHERE client_id = %s",  # noqa: S608  # nosec B608
            [amount, tenant.pk],
        )


def record_message(tenant: Client, count: int = 1) -> None:
    """Precondition: inside the send's transaction, which a refusal rolls back. Reads the
    entitlement through `_for_sends` (no cache round trip on this, every message's, path) and
    counts with one UPDATE of the usage row."""
    current = _for_sends(tenant.pk)
    if current.read_only:
        raise ReadOnlyWorkspace(read_only_sentence(current.status))
    if not _update_usage(tenant, "messages_this_period", count, None, current.usage_period_start()):
        ensure_usage(tenant)  # a tenant older than billing's rows
        _update_usage(tenant, "messages_this_period", count, None, current.usage_period_start())


def can_hide_powered_by(client: Client) -> bool:
    """Whether the tenant may hide the platform's "Powered by" line from its pages and e-mails."""
    return entitled(client).hide_powered_by


class BillingGate:
    """config.limits' answers, from this module."""

    check_writable = staticmethod(check_writable)
    limit_of = staticmethod(limit_of)
    check_room = staticmethod(check_room)
    reserve = staticmethod(reserve)
    release = staticmethod(release)
    record_message = staticmethod(record_message)
