"""`/internal/tls/ask?domain=<host>`: may the TLS front end (Caddy's on-demand TLS) get a
certificate for this host? Yes (200) for a tenant's platform subdomain and its verified
domains, which are exactly the tenants' `Domain` rows; no (404) for anything else; 400 when
`domain` is missing or not a host name.

Answered before the tenant is resolved, from the unique index on `Domain.domain`: one indexed
query, no DNS, no session, no tenant. Only on the platform host, or when the front end calls by
IP address (`ask http://127.0.0.1:8000/...`): IP hosts belong to no tenant, since claims refuse
addresses. Every answer is logged (logger `tenants.tls`), so an operator sees which names were
asked for.

Under daphne the question never enters Django's request handling: `TlsAskApplication` answers
it at the ASGI level, on the event loop, over an asyncio connection of its own (config.asyncdb).
Django's handler costs several thread hops per request (signals, the middleware chain), which
made up nine tenths of an answer's time on a busy machine (bench/domains.py), and even one hop
to a database thread and back doubled the slowest answers there. `TlsAskMiddleware` gives the
same answer to requests that do go through Django (the test client, any WSGI server).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from config.api.errors import error_payload
from config.asyncdb import LoopConnection, header, respond
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


Answer = tuple[int, dict[str, str] | None]


def question(raw: str) -> tuple[str, dict[str, str] | None]:
    """The host asked about, or the error body of a 400, for `?domain=<raw>`."""
    if not raw:
        return "", error_payload("Say which host: ?domain=<host>.", "missing_domain")
    name = raw.strip().lower()
    if not HOST_NAME.match(name):
        return "", error_payload("Not a host name.", "invalid_domain")
    return name.rstrip("."), None


def verdict(host: str, allowed: bool) -> Answer:
    logger.info("tls ask %s: %s", host, "allowed" if allowed else "refused")
    return (200 if allowed else 404), None


def answer(raw: str) -> Answer:
    host, error = question(raw)
    return (400, error) if error else verdict(host, may_issue(host))


# The unique index on Domain.domain answers it; the table lives in the public schema.
INDEX_QUERY = f'SELECT 1 FROM public."{Domain._meta.db_table}" WHERE domain = %s'  # noqa: S608  # nosec B608
index = LoopConnection()


async def may_issue_async(host: str) -> bool:
    """`may_issue` on the event loop (config.asyncdb): no hop to a database thread and back."""
    if host == settings.PLATFORM_DOMAIN.lower():
        return False
    return await index.fetchone(INDEX_QUERY, [host]) is not None


async def answer_async(raw: str) -> Answer:
    host, error = question(raw)
    return (400, error) if error else verdict(host, await may_issue_async(host))


def ask(request: HttpRequest) -> HttpResponse:
    status, error = answer(request.GET.get("domain", ""))
    return JsonResponse(error, status=status) if error else HttpResponse(status=status)


class TlsAskMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != PATH or not is_platform_host(host_key(request.META.get("HTTP_HOST", ""))):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse(error_payload("Use GET.", "method_not_allowed"), status=405)
        return ask(request)


class TlsAskApplication:
    """ASGI: the ask answered before Django's handler; every other request goes to `inner`."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or not is_platform_host(host_key(header(scope, b"host"))):
            await self.inner(scope, receive, send)
            return
        status: int
        error: dict[str, str] | None
        if scope["method"] not in ("GET", "HEAD"):
            status, error = 405, error_payload("Use GET.", "method_not_allowed")
        else:
            values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("domain", [""])
            status, error = await answer_async(values[0])
        await respond(send, status, json.dumps(error).encode() if error else b"", json=bool(error))
