"""Shut a suspended tenant out: a clear page in browsers, 403 JSON on the API."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from config.api.errors import error_payload

# The suspended page wears the tenant's brand: its images and icons still load.
BRAND_PATHS = ("/brand/", "/favicon.ico", "/manifest.webmanifest")


class SuspendedTenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is not None and getattr(tenant, "is_suspended", False) and not request.path.startswith(BRAND_PATHS):
            if request.path.startswith("/api/"):
                return JsonResponse(error_payload("This workspace is suspended.", "tenant_suspended"), status=403)
            return render(request, "tenants/suspended.html", {"client": tenant}, status=403)
        return self.get_response(request)
