"""Reads for the staff pages: every client's figures as annotations (one query for a page of
1,000 clients, sortable by the database), the clients near a limit or going quiet, and the totals.

Usage against limits reads billing's `Usage` (the counters the limit checks enforce); activity
reads `ClientActivity` (rewritten by each analytics fill); MRR is `billing.mrr`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import BigIntegerField, Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Coalesce, Greatest

from billing.entitlements import MB
from billing.mrr import PAYING_STATUSES, TRIAL_STATUS, mrr_expression
from tenants.models import Client

# "Near a limit": this share of a plan's limit used, or more (billing's meters turn amber here).
NEAR_PERCENT = 80
QUIET_DAYS = 30
LIST_LENGTH = 50


def _percent(used: str, limit: Combinable, limit_field: str) -> Case:
    """`used` as a whole percentage of a limit above 0; NULL when the plan has no such limit."""
    return Case(
        When(**{f"{limit_field}__gt": 0}, then=Cast(F(used), BigIntegerField()) * 100 / limit),
        default=None,
        output_field=IntegerField(),
    )


def with_figures(clients: QuerySet[Client]) -> QuerySet[Client]:
    """Each client's figures, named `fig_*` so they never meet a field's name. Percentages are
    NULL where the plan sets no limit; a client without a usage row counts as using nothing."""
    plan = "entitlement__plan__"
    storage_limit = Cast(F(f"{plan}max_storage_mb"), BigIntegerField()) * MB
    return clients.annotate(
        fig_seats=Coalesce(F("usage__seats"), 0),
        fig_seat_limit=F(f"{plan}max_users"),
        fig_seats_pct=_percent("usage__seats", F(f"{plan}max_users"), f"{plan}max_users"),
        fig_storage_pct=_percent("usage__storage_bytes", storage_limit, f"{plan}max_storage_mb"),
        fig_pages_pct=_percent(
            "usage__pages_this_period", F(f"{plan}max_pages_per_month"), f"{plan}max_pages_per_month"
        ),
        # GREATEST skips NULLs: the fullest of the limits the plan has.
        fig_fullest_pct=Greatest("fig_seats_pct", "fig_storage_pct", "fig_pages_pct"),
        fig_messages_month=Coalesce(F("activity__messages_this_month"), 0),
        fig_storage_bytes=Coalesce(F("activity__storage_bytes"), Value(0, output_field=BigIntegerField())),
        fig_last_7=Coalesce(F("activity__messages_last_7_days"), 0),
        fig_previous_28=Coalesce(F("activity__messages_previous_28_days"), 0),
        fig_last_activity=F("activity__last_activity_at"),
        fig_mrr=mrr_expression(),
    )


def near_limit_q() -> Q:
    """Seats, storage or this period's document pages at NEAR_PERCENT of the plan's limit."""
    return (
        Q(fig_seats_pct__gte=NEAR_PERCENT) | Q(fig_storage_pct__gte=NEAR_PERCENT) | Q(fig_pages_pct__gte=NEAR_PERCENT)
    )


def going_quiet_q() -> Q:
    """`ClientActivity.is_going_quiet` in SQL: last week < half the weekly average of the four
    weeks before, i.e. 8 x last week < those four weeks (which excludes four empty weeks)."""
    return Q(fig_previous_28__gt=F("fig_last_7") * 8)


def inactive_q(now: datetime) -> Q:
    """Nothing seen for QUIET_DAYS, or never anything."""
    return Q(fig_last_activity__isnull=True) | Q(fig_last_activity__lt=now - timedelta(days=QUIET_DAYS))


def clients() -> QuerySet[Client]:
    """Every client (the platform's own public row is not one)."""
    return Client.objects.exclude(schema_name="public")


def near_limit(*, limit: int = LIST_LENGTH) -> list[Client]:
    """The fullest first, with their plan and usage loaded."""
    found = with_figures(clients()).filter(near_limit_q()).select_related("usage", "entitlement__plan")
    return list(found.order_by(F("fig_fullest_pct").desc(nulls_last=True), "name")[:limit])


def going_quiet(*, limit: int = LIST_LENGTH) -> list[Client]:
    """The steepest drop first (the last week against the weekly average before it)."""
    found = with_figures(clients()).filter(going_quiet_q())
    drop = Cast(F("fig_last_7"), BigIntegerField()) * 4 * 1000 / F("fig_previous_28")
    return list(found.annotate(fig_drop=drop).order_by("fig_drop", "-fig_previous_28", "name")[:limit])


@dataclass(frozen=True)
class Totals:
    clients: int
    messages_this_month: int
    storage_bytes: int
    mrr_cents: int
    paying: int
    trialing: int
    near_limit: int
    going_quiet: int
    inactive: int


def totals(*, now: datetime, among: QuerySet[Client] | None = None) -> Totals:
    """The figures of every client (or of `among`) summed, in one query."""
    rows = with_figures(clients() if among is None else among)
    paying = Q(entitlement__status__in=sorted(PAYING_STATUSES), fig_mrr__gt=0)
    found = rows.aggregate(
        clients=Count("pk"),
        messages=Coalesce(Sum("fig_messages_month"), Value(0, output_field=BigIntegerField())),
        storage=Coalesce(Sum("fig_storage_bytes"), Value(0, output_field=BigIntegerField())),
        mrr=Coalesce(Sum("fig_mrr"), Value(0, output_field=BigIntegerField())),
        paying=Count("pk", filter=paying),
        trialing=Count("pk", filter=Q(entitlement__status=TRIAL_STATUS)),
        near=Count("pk", filter=near_limit_q()),
        quiet=Count("pk", filter=going_quiet_q()),
        inactive=Count("pk", filter=inactive_q(now)),
    )
    return Totals(
        clients=found["clients"],
        messages_this_month=found["messages"],
        storage_bytes=found["storage"],
        mrr_cents=found["mrr"],
        paying=found["paying"],
        trialing=found["trialing"],
        near_limit=found["near"],
        going_quiet=found["quiet"],
        inactive=found["inactive"],
    )
