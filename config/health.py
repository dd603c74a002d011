"""`/healthz`: 200 when PostgreSQL and Redis answer, 503 otherwise, on every host.

`/healthz/analytics`: for monitoring, not load balancers: when each analytics stat was last
filled and how far, 503 when one is older than it should be (analytics.platform.freshness).

It runs before the tenant is resolved: resolving needs the database, and a load balancer
probing a dead database must get a clean 503, not a 500.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

PATHS = {"/healthz", "/healthz/"}
ANALYTICS_PATHS = {"/healthz/analytics", "/healthz/analytics/"}


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means "not healthy"
        return type(exc).__name__  # the class only: messages can carry hosts and paths
    return None


def check_redis() -> str | None:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return type(exc).__name__  # the class only: messages can carry hosts and paths
    return None


def health_response() -> JsonResponse:
    started = time.monotonic()
    checks = {"database": check_database(), "redis": check_redis()}
    healthy = all(error is None for error in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: "ok" if error is None else error for name, error in checks.items()},
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if healthy else 503)


def analytics_response() -> JsonResponse:
    from analytics.platform.freshness import as_json, freshness

    try:
        state = freshness()
    except Exception as exc:  # the database is down: say so, as /healthz does
        return JsonResponse({"status": "unavailable", "error": type(exc).__name__}, status=503)
    return JsonResponse(as_json(state), status=503 if state.is_stale else 200)


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in PATHS and request.method in ("GET", "HEAD"):
            return health_response()
        if request.path in ANALYTICS_PATHS and request.method in ("GET", "HEAD"):
            return analytics_response()
        return self.get_response(request)
