"""Analytics' part of the client admin (tenants.admin.extend_client_admin): each client's
billing status, seats against the plan, messages this month, storage, MRR and last activity,
all sortable; filters for clients near a limit, going quiet or silent; and links to the staff
overview and revenue pages (analytics.platform.admin_views)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import admin
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.timesince import timesince

from analytics.platform import admin_views
from analytics.platform.selectors import NEAR_PERCENT, QUIET_DAYS, going_quiet_q, inactive_q, near_limit_q, with_figures
from billing.entitlements import human_bytes
from billing.mrr import TRIAL_STATUS
from billing.presentation import money
from tenants.admin import ClientAdmin
from tenants.models import Client

COLUMNS = ["billing_status", "seats", "messages_this_month", "storage", "mrr", "last_activity"]


def figure(obj: Client, name: str) -> Any:
    """An annotation of `with_figures` (present on every row of the list)."""
    return getattr(obj, f"fig_{name}", None)


def ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    if now - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, now, depth=1)} ago"


class LimitFilter(admin.SimpleListFilter):
    title = "limits"
    parameter_name = "limits"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("near", f"Near a limit (≥ {NEAR_PERCENT}% of seats, storage or pages)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Client]) -> QuerySet[Client]:
        # Any other value is not a choice: the list stays whole, and the sidebar shows "All".
        return queryset.filter(near_limit_q()) if self.value() == "near" else queryset


class ActivityFilter(admin.SimpleListFilter):
    title = "activity"
    parameter_name = "activity"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("quiet", "Going quiet (last week under half the usual)"),
            ("inactive", f"No activity in {QUIET_DAYS} days"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Client]) -> QuerySet[Client]:
        if self.value() == "quiet":
            return queryset.filter(going_quiet_q())
        if self.value() == "inactive":
            return queryset.filter(inactive_q(timezone.now()))
        return queryset


class ClientFiguresAdmin(ClientAdmin):
    # Links to the overview and revenue pages above the list.
    change_list_template = "admin/analytics/client_change_list.html"
    # Sixteen columns a row: rendering the cells is most of a page's time (measured with 1,000
    # clients), so a page holds 50 of them rather than the admin's 100.
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Client]:
        # Every column below reads these annotations: no query per row, whatever the page size.
        return with_figures(super().get_queryset(request))

    def get_list_display(self, request: HttpRequest) -> Any:
        # The business figures right after who the client is and its plan, ahead of the
        # tenants' own columns: on a laptop's width those scroll out of sight first.
        shown = list(super().get_list_display(request))
        head = [name for name in ("name", "plan") if name in shown]
        return [*head, *COLUMNS, *(name for name in shown if name not in head)]

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [*super().get_list_filter(request), LimitFilter, ActivityFilter]

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("overview/", wrap(admin_views.OverviewView(self).render), name="analytics_overview"),
            path("revenue/", wrap(admin_views.RevenueView(self).render), name="analytics_revenue"),
            *super().get_urls(),
        ]

    @admin.display(description="Billing", ordering="entitlement__status")
    def billing_status(self, obj: Client) -> str:
        entitlement = getattr(obj, "entitlement", None)
        return entitlement.get_status_display() if entitlement is not None else "—"

    @admin.display(description="Seats", ordering="fig_seats")
    def seats(self, obj: Client) -> str:
        limit = figure(obj, "seat_limit")
        used = figure(obj, "seats") or 0
        return f"{used} / {limit}" if limit is not None else f"{used} / ∞"

    @admin.display(description="Messages this month", ordering="fig_messages_month")
    def messages_this_month(self, obj: Client) -> str:
        return f"{figure(obj, 'messages_month') or 0:,}"

    @admin.display(description="Storage (yesterday)", ordering="fig_storage_bytes")
    def storage(self, obj: Client) -> str:
        return human_bytes(figure(obj, "storage_bytes") or 0)

    @admin.display(description="MRR", ordering="fig_mrr")
    def mrr(self, obj: Client) -> str:
        entitlement = getattr(obj, "entitlement", None)
        if entitlement is not None and entitlement.status == TRIAL_STATUS:
            return "trial"
        currency = entitlement.plan.currency if entitlement is not None else "usd"
        return money(figure(obj, "mrr") or 0, currency)

    @admin.display(description="Last activity", ordering=F("fig_last_activity").asc(nulls_first=True))
    def last_activity(self, obj: Client) -> str:
        return ago(figure(obj, "last_activity"), timezone.now())
