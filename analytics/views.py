"""The analytics page (`/analytics/`, owners and admins): how the workspace is used over a range
of days, against the days before.

Complete without JavaScript: the range is a plain GET form and links, kept in the URL; every
total, change and data table is in the HTML. The figures are embedded as JSON as well
(`json_script`), from which static/js/analytics/ draws the charts with no request of its own.
A range that cannot be read is a 400 page saying why, with the default range shown.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from analytics.access import require_analytics_access
from analytics.dashboard import (
    INTERVAL_LABELS,
    PRESET_LABELS,
    card,
    choose,
    day_label,
    is_empty,
    range_label,
    top_people,
    top_rooms,
)
from analytics.fill import tenant_zone
from analytics.queries import overview, today_for, top
from tenants.models import Client

TOP_LIMIT = 10


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_analytics_access(request.user)
    tenant = cast(Client, request.tenant)  # type: ignore[attr-defined]
    today = today_for(tenant)
    choice = choose(request.GET, today=today)
    figures = overview(tenant, range=choice.range, interval=choice.interval)
    days = choice.range
    filled_through = figures["filled_through"]
    context: dict[str, Any] = {
        "section": "analytics",
        "choice": choice,
        "presets": PRESET_LABELS.items(),
        "intervals": INTERVAL_LABELS.items(),
        "today": today,
        "range_label": range_label(days),
        "time_zone": tenant_zone(tenant).key,
        "filled_through": day_label(date.fromisoformat(filled_through)) if filled_through else "",
        "export_url": f"{reverse('analytics-export')}?{choice.query}",
        "empty": is_empty(figures),
        # A workspace younger than the days compared: nothing has happened yet, rather than
        # a quiet stretch of an older one.
        "is_new": tenant.created_at.astimezone(tenant_zone(tenant)).date() > days.previous.start,
        "cards": [card(metrics, days=days) for metrics in figures["metrics"].values()],
        "tops": [
            top_rooms(top(tenant, kind="rooms", range=days, limit=TOP_LIMIT)["results"]),
            top_people(top(tenant, kind="people", range=days, limit=TOP_LIMIT)["results"]),
        ],
        "dashboard_data": {"overview": figures},
    }
    return render(request, "analytics/page.html", context, status=400 if choice.error else 200)
