"""`/healthz`: 200 when PostgreSQL and Redis answer, 503 otherwise, on every host.

Apps add reports of their own under `/healthz/<name>` (`register_report`), for monitoring rather
than load balancers: analytics says there how fresh each stat is.

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
# "/healthz/<name>" -> what answers it (registered by the apps, which sit above config).
_REPORTS: dict[str, Callable[[], JsonResponse]] = {}


def register_report(name: str, respond: Callable[[], JsonResponse]) -> None:
    """Answer `/healthz/<name>` with `respond()`; it must answer even when the database is down."""
    _REPORTS[f"/healthz/{name}"] = respond
    _REPORTS[f"/healthz/{name}/"] = respond


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


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in PATHS and request.method in ("GET", "HEAD"):
            return health_response()
        report = _REPORTS.get(request.path)
        if report is not None and request.method in ("GET", "HEAD"):
            return report()
        return self.get_response(request)
