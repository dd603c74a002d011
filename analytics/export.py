"""`/analytics/export.csv?from=&to=` (tenant hosts, owners and admins, signed in): the dashboard's
figures one row per day, a column per metric, for spreadsheets.

Only dates and numbers are written, never names; still, every cell goes through `cell()`, so
nothing a spreadsheet would run as a formula (a cell starting = + - @, tab or carriage return)
can ever reach the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from analytics.access import require_analytics_access
from analytics.queries import METRICS, InvalidQuery, overview, parse_range, today_for
from config.api.errors import error_payload
from tenants.models import Client

# Default range of an export without dates: the last 30 whole days, as the page's.
DEFAULT_DAYS = 30
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def columns() -> list[str]:
    """The header: the day, then every metric in the dashboard's order, messages split by who."""
    found = ["date"]
    for name in METRICS:
        found.append(name)
        if name == "messages_sent":
            found += ["messages_sent_people", "messages_sent_bots"]
    return found


def cell(value: Any) -> str:
    """A value as a CSV cell: empty for none, and text a spreadsheet would take for a formula
    quoted as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def rows(figures: dict[str, Any]) -> Iterator[list[str]]:
    """One row per counted day of `overview(..., interval="day")` (days not counted yet have no
    row, rather than zeros)."""
    metrics = figures["metrics"]
    yield columns()
    sent = metrics["messages_sent"]["points"]
    for index, point in enumerate(sent):
        row = [point["t"]]
        for name in METRICS:
            row.append(metrics[name]["points"][index]["value"])
            if name == "messages_sent":
                row += [point["people"], point["bots"]]
        yield [cell(value) for value in row]


class _Echo:
    """A file-like object csv.writer writes a line to and gets it straight back."""

    def write(self, line: str) -> str:
        return line


@require_GET
@login_required
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    require_analytics_access(request.user)
    tenant = cast(Client, request.tenant)  # type: ignore[attr-defined]
    try:
        days = parse_range(request.GET, today=today_for(tenant), default_days=DEFAULT_DAYS)
    except InvalidQuery as exc:
        return JsonResponse(error_payload(str(exc.detail), str(exc.get_codes())), status=400)
    figures = overview(tenant, range=days, interval="day")
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows(figures)), content_type="text/csv")
    name = f"{tenant.slug}-analytics-{days.start.isoformat()}-to-{days.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
