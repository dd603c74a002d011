"""Tenant resolution by exact host, the redirect to the tenant's primary host, and shutting a
suspended tenant out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware

from config.api.errors import error_payload
from tenants.domains.names import host_key
from tenants.domains.selectors import primary_host
from tenants.models import Client
from tenants.urls_helpers import origin_for

# Never redirected: probes, the API (clients call whichever host they were given), the TLS
# front end's questions, static files (served before this by whitenoise, when they exist).
UNREDIRECTED_PREFIXES = ("/healthz", "/api/", "/internal/", "/static/")


class TenantHostMiddleware(TenantMainMiddleware):
    """django-tenants' resolution with the host taken exactly as claimed: its stock
    `hostname_from_request` strips `www.`, so `www.acme.com` would route as `acme.com`, a name
    its owner may never have verified (or another tenant's). Also notes whether the host is the
    tenant's primary one, from the very row the lookup reads."""

    @staticmethod
    def hostname_from_request(request: HttpRequest) -> str:
        return host_key(request.get_host())

    def get_tenant(self, domain_model: Any, hostname: str) -> Client:
        domain = domain_model.objects.select_related("tenant").get(domain=hostname)
        tenant: Client = domain.tenant
        tenant.host_is_primary = domain.is_primary
        return tenant

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        """The product's 404 page ("find your workspace"), rendered here rather than raised, so a
        mistyped workspace address reads the same with DEBUG on as in production."""
        return render(request, "404.html", status=404)


class PrimaryHostRedirectMiddleware:
    """A tenant's pages live on its primary host: any other of its hosts answers 301 there, path
    and query kept (308 for other methods than GET and HEAD, which keeps the body). Free when
    the request came to the primary host: TenantHostMiddleware already knows it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            tenant is None
            or getattr(tenant, "host_is_primary", None) is not False
            or tenant.schema_name == "public"
            or request.path.startswith(UNREDIRECTED_PREFIXES)
        ):
            return self.get_response(request)
        primary = primary_host(tenant)
        if primary is None or primary == host_key(request.get_host()):
            return self.get_response(request)
        response = HttpResponsePermanentRedirect(origin_for(primary) + request.get_full_path())
        if request.method not in ("GET", "HEAD"):
            response.status_code = 308
        return response


# The suspended page wears the tenant's brand: its images and icons still load.
BRAND_PATHS = ("/brand/", "/favicon.ico", "/manifest.webmanifest")


class SuspendedTenantMiddleware:
    """Shut a suspended tenant out: a clear page in browsers, 403 JSON on the API."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is not None and getattr(tenant, "is_suspended", False) and not request.path.startswith(BRAND_PATHS):
            if request.path.startswith("/api/"):
                return JsonResponse(error_payload("This workspace is suspended.", "tenant_suspended"), status=403)
            return render(request, "tenants/suspended.html", {"client": tenant}, status=403)
        return self.get_response(request)
