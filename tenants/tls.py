"""`/internal/tls/ask?domain=<host>`: may the TLS front end (Caddy's on-demand TLS) get a
certificate for this host? Yes (200) for a tenant's platform subdomain and its verified
domains, which are exactly the tenants' `Domain` rows; no (404) for anything else; 400 when
`domain` is missing or not a host name.

Answered here, before the tenant is resolved, from the unique index on `Domain.domain`: one
indexed query, no DNS, no session, no tenant. Only on the platform host, or when the front end
calls by IP address (`ask http://127.0.0.1:8000/...`): IP hosts belong to no tenant, since
claims refuse addresses. Every answer is logged (logger `tenants.tls`), so an operator sees
which names were asked for.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from config.api.errors import error_payload
from tenants.domains.names import host_key
from tenants.models import Domain

logger = logging.getLogger(__name__)

PATH = "/internal/tls/ask"
# What an SNI name looks like: ASCII letters, digits, hyphens, dots (and a trailing dot).
HOST_NAME = re.compile(
    r"^(?=.{1,254}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$"
)


def is_platform_host(host: str) -> bool:
    if host == settings.PLATFORM_DOMAIN.lower():
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def may_issue(host: str) -> bool:
    return host != settings.PLATFORM_DOMAIN.lower() and Domain.objects.filter(domain=host).exists()


def ask(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("domain", "")
    if not raw:
        return JsonResponse(error_payload("Say which host: ?domain=<host>.", "missing_domain"), status=400)
    name = raw.strip().lower()
    if not HOST_NAME.match(name):
        return JsonResponse(error_payload("Not a host name.", "invalid_domain"), status=400)
    host = name.rstrip(".")
    allowed = may_issue(host)
    logger.info("tls ask %s: %s", host, "allowed" if allowed else "refused")
    return HttpResponse(status=200 if allowed else 404)


class TlsAskMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != PATH or not is_platform_host(host_key(request.META.get("HTTP_HOST", ""))):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse(error_payload("Use GET.", "method_not_allowed"), status=405)
        return ask(request)
