"""Pages of the platform host: the landing page and self-serve sign-up."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from config.ratelimit import client_address, consume
from tenants.forms import WorkspaceForm, add_errors, provision_from
from tenants.urls_helpers import tenant_url


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/landing.html")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        retry_after = consume(
            f"signup:{client_address(request.META)}",
            limit=settings.SIGNUP_LIMIT_PER_HOUR,
            window_seconds=3600,
        )
        if retry_after is not None:
            minutes = max(retry_after // 60, 1)
            form.add_error(None, f"Too many workspaces were created from your network. Try again in {minutes} minutes.")
            response = render(request, "tenants/signup.html", {"form": form}, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        try:
            workspace = provision_from(form.cleaned_data)
        except ValidationError as exc:  # lost a race for the slug since validation
            add_errors(form, exc)
        else:
            return HttpResponseRedirect(tenant_url(workspace.client, "/login/?welcome=1"))
    status = 400 if request.method == "POST" else 200
    return render(request, "tenants/signup.html", {"form": form}, status=status)
