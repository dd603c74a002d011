"""The API's rate per workspace: its plan's `api_requests_per_minute` (config.limits), counted
for all of the tenant's token clients together (integrations, mobile and desktop apps), beside
the per-person and per-address rates. The product's own pages (session sign-in) are not counted:
a plan sells API use, and the web app must not stop working for a busy team.

A fixed window of a minute in Redis (config.ratelimit): one INCR per request, however high the
plan's rate, where DRF's own throttles keep a list of every request's time.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_tenants.utils import get_public_schema_name
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from config import limits
from config.ratelimit import consume
from tenants.models import Client

WINDOW_SECONDS = 60


class TenantRateThrottle(BaseThrottle):
    """429 with Retry-After (the seconds left in the minute) past the plan's rate."""

    def __init__(self) -> None:
        self.retry_after: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        tenant = getattr(request._request, "tenant", None)
        if not settings.BILLING_API_THROTTLE or not isinstance(tenant, Client):
            return True
        if tenant.schema_name == get_public_schema_name():
            return True
        if isinstance(request.successful_authenticator, SessionAuthentication):
            return True
        rate = limits.limit_of(tenant, "api_requests_per_minute")
        if rate is None:
            return True
        self.retry_after = consume(f"api-tenant:{tenant.pk}", limit=rate, window_seconds=WINDOW_SECONDS)
        return self.retry_after is None

    def wait(self) -> float | None:
        return self.retry_after
