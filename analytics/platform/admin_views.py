"""The staff overview (totals, clients near a limit, clients going quiet) and the revenue page,
served inside the admin by the client admin's URLs (analytics.platform.admin), so the admin's
login and staff check guard them like every other admin page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from analytics.platform.freshness import freshness
from analytics.platform.revenue import MONTHS_SHOWN, MonthRow, first_of_month, revenue_history
from analytics.platform.selectors import NEAR_PERCENT, going_quiet, near_limit, totals
from billing.entitlements import MB, human_bytes
from billing.presentation import money
from billing.selectors import default_plan
from tenants.models import Client

MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")
OLDEST_YEAR = 2000


@dataclass(frozen=True)
class Gauge:
    label: str
    text: str
    percent: int | None

    @property
    def near(self) -> bool:
        return self.percent is not None and self.percent >= NEAR_PERCENT


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    x: int
    y: int
    height: int


def _gauge(label: str, used: int, limit: int | None, shown: str, limit_shown: str) -> Gauge:
    if not limit:
        return Gauge(label, f"{shown} (no limit)", None)
    return Gauge(label, f"{shown} of {limit_shown}", used * 100 // limit)


def _gauges(client: Client) -> list[Gauge]:
    usage = getattr(client, "usage", None)
    entitlement = getattr(client, "entitlement", None)
    plan = entitlement.plan if entitlement is not None else None
    seats, stored, pages = (usage.seats, usage.storage_bytes, usage.pages_this_period) if usage else (0, 0, 0)
    storage_limit = plan.max_storage_mb * MB if plan and plan.max_storage_mb is not None else None
    return [
        _gauge("Seats", seats, plan.max_users if plan else None, f"{seats:,}", f"{plan.max_users if plan else 0:,}"),
        _gauge("Storage", stored, storage_limit, human_bytes(stored), human_bytes(storage_limit or 0)),
        _gauge(
            "Pages this period",
            pages,
            plan.max_pages_per_month if plan else None,
            f"{pages:,}",
            f"{(plan.max_pages_per_month or 0) if plan else 0:,}",
        ),
    ]


def _change_url(client: Client) -> str:
    return reverse("admin:tenants_client_change", args=[client.pk])


class StaffPage:
    """A page of the client admin's: staff with the right to view clients only."""

    template = ""

    def __init__(self, model_admin: ModelAdmin[Client]) -> None:
        self.model_admin = model_admin

    def context(self, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        return {
            **self.model_admin.admin_site.each_context(request),
            "title": title,
            "opts": self.model_admin.model._meta,
            "list_url": reverse("admin:tenants_client_changelist"),
            "overview_url": reverse("admin:analytics_overview"),
            "revenue_url": reverse("admin:analytics_revenue"),
            **extra,
        }


class OverviewView(StaffPage):
    def render(self, request: HttpRequest) -> TemplateResponse:
        now = timezone.now()
        currency = default_plan().currency
        found = totals(now=now)
        near = [{"client": c, "url": _change_url(c), "gauges": _gauges(c)} for c in near_limit()]
        quiet = [
            {
                "client": c,
                "url": _change_url(c),
                "last_7": f"{c.fig_last_7:,}",
                "weekly_before": f"{round(c.fig_previous_28 / 4):,}",
                "drop": 100 - round(c.fig_last_7 * 400 / c.fig_previous_28),
                "last_activity": c.fig_last_activity,
            }
            for c in going_quiet()
        ]
        context = self.context(
            request,
            "Staff overview",
            totals=found,
            mrr_text=money(found.mrr_cents, currency),
            messages_text=f"{found.messages_this_month:,}",
            storage_text=human_bytes(found.storage_bytes),
            near=near,
            quiet=quiet,
            near_percent=NEAR_PERCENT,
            freshness=freshness(now),
        )
        return TemplateResponse(request, "admin/analytics/overview.html", context)


class RevenueView(StaffPage):
    def render(self, request: HttpRequest) -> TemplateResponse:
        now = timezone.now()
        current = first_of_month(now)
        last, error = parse_month(request.GET.get("to", ""), latest=current)
        if error:
            context = self.context(request, "Revenue", error=error, rows=[], bars=[])
            return TemplateResponse(request, "admin/analytics/revenue.html", context, status=400)
        currency = default_plan().currency
        history = revenue_history(last=last, now=now)
        rows = [_row(row, currency) for row in history]
        context = self.context(
            request,
            "Revenue",
            rows=rows,
            bars=bars(history, currency),
            months=MONTHS_SHOWN,
            current=history[-1] if history else None,
            current_mrr=money(history[-1].mrr_cents, currency) if history else "",
            last=last,
            is_current=last == current,
        )
        return TemplateResponse(request, "admin/analytics/revenue.html", context)


def parse_month(value: str, *, latest: date) -> tuple[date, str]:
    """The month `YYYY-MM` names (its first day), or `latest` when empty; else an error to show."""
    if not value:
        return latest, ""
    match = MONTH.match(value)
    if match is None or not 1 <= int(match["month"]) <= 12:
        return latest, f"“{value[:20]}” is not a month: write it as YYYY-MM, for example {latest:%Y-%m}."
    month = date(int(match["year"]), int(match["month"]), 1)
    if month > latest:
        return latest, f"{month:%B %Y} has not begun: the latest month is {latest:%B %Y}."
    if month.year < OLDEST_YEAR:
        return latest, f"Months before {OLDEST_YEAR} hold no revenue."
    return month, ""


def _row(row: MonthRow, currency: str) -> dict[str, Any]:
    moved = row.movements
    return {
        "month": row.month,
        "mrr": money(row.mrr_cents, currency),
        "new": money(moved.new, currency),
        "reactivation": money(moved.reactivation, currency),
        "expansion": money(moved.expansion, currency),
        "contraction": money(moved.contraction, currency),
        "churn": money(moved.churn, currency),
        "net_new": signed_money(moved.net_new, currency),
        "net_negative": moved.net_new < 0,
        "paying": row.paying_clients,
    }


def signed_money(cents: int, currency: str) -> str:
    """+$40, minus $96 or $0 (with a minus sign): a change, signed."""
    sign = "+" if cents > 0 else "\N{MINUS SIGN}" if cents < 0 else ""
    return sign + money(abs(cents), currency)


CHART_HEIGHT = 160
BAR_STEP = 60


def bars(history: list[MonthRow], currency: str) -> list[Bar]:
    """MRR at each month's end as bars of an inline SVG chart (no script, no CDN)."""
    top = max((row.mrr_cents for row in history), default=0) or 1
    shown = []
    for index, row in enumerate(history):
        height = round(row.mrr_cents * CHART_HEIGHT / top)
        shown.append(
            Bar(
                label=f"{row.month:%b %y}",
                value_text=money(row.mrr_cents, currency),
                x=index * BAR_STEP + 10,
                y=20 + CHART_HEIGHT - height,
                height=height,
            )
        )
    return shown
