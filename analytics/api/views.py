"""`/api/analytics/` on tenant hosts, for the workspace's owners and admins: one metric's series,
every metric at once, and the busiest channels and people, over whole days of the workspace's
time zone. Read from the rollups (analytics.queries), never from the raw messages."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from analytics.access import require_analytics_access
from analytics.api import serializers as s
from analytics.queries import overview, series, today_for, top
from config.api.common import person, valid
from tenants.models import Client

BAD_QUERY = OpenApiResponse(
    description="`unknown_metric`, `unknown_kind`, `invalid_interval` (the message names the allowed values), "
    "`invalid_date` (not YYYY-MM-DD), `invalid_range` (from after to, to after today, both range and "
    "from/to) or `range_too_long` (over two years)"
)
FORBIDDEN = OpenApiResponse(description="Signed in, but not an owner or admin of this workspace")


def admin_query(request: Request, serializer: type[Serializer[Any]]) -> tuple[Client, dict[str, Any]]:
    """The workspace (of the request's host) and the checked query, once the person is known to
    be one of its owners or admins."""
    require_analytics_access(person(request))
    tenant = cast(Client, request.tenant)  # set by the tenant middleware
    return tenant, valid(serializer, request.query_params, today=today_for(tenant))


class SeriesView(APIView):
    @extend_schema(
        parameters=[s.SeriesQuerySerializer],
        responses={200: s.SeriesSerializer, 400: BAD_QUERY, 403: FORBIDDEN},
        operation_id="analytics_series",
        summary="One metric over a range of days, by day, week or month, with the previous range",
        description="Every period of the range has a point (zeros filled in; a median is null where "
        "there was no response), up to `filled_through`: days not counted yet have no point. `t` is the "
        "period's first day. `previous` covers as many days just before `from`.",
    )
    def get(self, request: Request) -> Response:
        tenant, query = admin_query(request, s.SeriesQuerySerializer)
        return Response(series(tenant, metric=query["metric"], range=query["days"], interval=query["interval"]))


class OverviewView(APIView):
    @extend_schema(
        parameters=[s.IntervalQuerySerializer],
        responses={200: s.OverviewSerializer, 400: BAD_QUERY, 403: FORBIDDEN},
        operation_id="analytics_overview",
        summary="Every metric over a range of days, as the dashboard shows them",
        description="Each metric as `/api/analytics/series/` gives it, all cut at one `filled_through`.",
    )
    def get(self, request: Request) -> Response:
        tenant, query = admin_query(request, s.IntervalQuerySerializer)
        return Response(overview(tenant, range=query["days"], interval=query["interval"]))


class TopView(APIView):
    @extend_schema(
        parameters=[s.TopQuerySerializer],
        responses={200: s.TopSerializer, 400: BAD_QUERY, 403: FORBIDDEN},
        operation_id="analytics_top",
        summary="The busiest channels or people of a range of days",
        description="`rooms`: channels by messages sent, with their median first response (direct "
        "messages left out). `people`: people by messages sent, then read, then documents uploaded "
        "(bots left out).",
    )
    def get(self, request: Request) -> Response:
        tenant, query = admin_query(request, s.TopQuerySerializer)
        return Response(top(tenant, kind=query["kind"], range=query["days"], limit=query["limit"]))
