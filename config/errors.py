"""Error pages: JSON under /api/, a themed page elsewhere."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from config.api.errors import error_payload


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_payload("Not found.", "not_found"), status=404)
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Access-layer refusals carry a message written for the person (config.api.errors.AccessDenied).
    reason = getattr(exception, "message", "")
    if request.path.startswith("/api/"):
        return JsonResponse(error_payload(reason or "You do not have permission.", "permission_denied"), status=403)
    return render(request, "403.html", {"reason": reason}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_payload("Something went wrong on our side.", "server_error"), status=500)
    try:
        # In the tenant's brand (its theme is usually cached, so this rarely needs the database).
        return render(request, "500.html", status=500)
    except Exception:  # the database or the cache may be what failed: the page without a brand
        from django.template import loader

        return HttpResponse(loader.get_template("500.html").render(), status=500)
