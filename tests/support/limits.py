"""Putting a shared test tenant on a plan, a status or a usage for one test, and back.

acme and globex serve the whole suite and the test database is kept between runs, so every
change made here is undone in a `finally`, whether the test's data is rolled back or committed
(socket tests). Each change also drops the tenant's cached entitlement (billing.entitlements).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from billing import entitlements
from billing.models import Entitlement, Plan, Usage
from tenants.models import Client

ENTITLEMENT_FIELDS = ("plan_id", "status", "past_due_since", "current_period_start", "current_period_end")
USAGE_FIELDS = ("seats", "storage_bytes", "pages_this_period", "messages_this_period", "messages_total", "period_start")


@contextmanager
def entitlement(
    client: Client, *, plan: str | None = None, status: str | None = None, **changes: Any
) -> Iterator[None]:
    """`client` on plan `plan` (a code) and `status`, and any other Entitlement fields given."""
    with schema_context("public"):
        row = Entitlement.objects.get(client=client)
        before = {name: getattr(row, name) for name in ENTITLEMENT_FIELDS}
        if plan is not None:
            changes["plan_id"] = Plan.objects.get(code=plan).pk
        if status is not None:
            changes["status"] = status
        Entitlement.objects.filter(pk=row.pk).update(**changes)
        entitlements.forget(client.pk)
    try:
        yield
    finally:
        with schema_context("public"):
            Entitlement.objects.filter(pk=row.pk).update(**before)
            entitlements.forget(client.pk)


@contextmanager
def read_only(client: Client, status: str = Entitlement.Status.CANCELED) -> Iterator[None]:
    """A read-only workspace: canceled (default), unpaid, or past due beyond the grace period."""
    extra: dict[str, Any] = {}
    if status == Entitlement.Status.PAST_DUE:
        extra["past_due_since"] = timezone.now() - timedelta(days=30)
    with entitlement(client, status=status, **extra):
        yield


@contextmanager
def usage(client: Client, **values: int) -> Iterator[None]:
    """The tenant's usage counters set to `values` for the test, and back afterwards."""
    with schema_context("public"):
        row = Usage.objects.get(client=client)
        before = {name: getattr(row, name) for name in USAGE_FIELDS}
        Usage.objects.filter(pk=row.pk).update(**values)
    try:
        yield
    finally:
        with schema_context("public"):
            Usage.objects.filter(pk=row.pk).update(**before)


def usage_of(client: Client) -> Usage:
    with schema_context("public"):
        return Usage.objects.get(client=client)


@contextmanager
def plan_limits(plan_code: str, **limits: Any) -> Iterator[None]:
    """Plan `plan_code`'s limit fields (max_users, max_storage_mb...) changed for the test."""
    with schema_context("public"):
        plan = Plan.objects.get(code=plan_code)
        before = {name: getattr(plan, name) for name in limits}
        Plan.objects.filter(pk=plan.pk).update(**limits)
        entitlements.forget_plan(plan)
    try:
        yield
    finally:
        with schema_context("public"):
            Plan.objects.filter(pk=plan.pk).update(**before)
            entitlements.forget_plan(plan)


@contextmanager
def on_plan(client: Client, code: str, **limits: Any) -> Iterator[None]:
    """`client` on plan `code`, whose limit fields are `limits` for the test (no other tenant
    of the suite is on a paid plan, so nobody else sees them)."""
    with entitlement(client, plan=code), plan_limits(code, **limits):
        yield


def invitation_token(schema: str, email: str, *, invited_by: int | None = None) -> str:
    """A usable invitation for `email` in `schema`, and the secret of its link."""
    from accounts.actions.invitations import hash_token
    from accounts.models import Invitation

    token = uuid.uuid4().hex
    with schema_context(schema):
        Invitation.objects.create(
            email=email,
            role="member",
            invited_by_id=invited_by,
            token_hash=hash_token(token),
            expires_at=timezone.now() + timedelta(days=1),
        )
    return token


def usage_from_truth(client: Client) -> None:
    """Set a shared test tenant's counters to what its schema holds, and start a new period.
    Tests that commit (sockets, the Celery worker) add to them run after run otherwise, until a
    plan's monthly pages or storage refuse what the tests expect to pass."""
    from billing.actions import do_recount_usage

    do_recount_usage(client=client)
    with schema_context("public"):
        Usage.objects.filter(client=client).update(
            pages_this_period=0,
            messages_this_period=0,
            period_start=entitlements.entitled(client).usage_period_start(),
        )
