"""Pages of the platform host: the landing page and self-serve sign-up."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tenants.actions import do_provision_workspace
from tenants.forms import WorkspaceForm
from tenants.urls_helpers import tenant_url


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/landing.html")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workspace = do_provision_workspace(
                slug=data["slug"],
                name=data["name"],
                owner_email=data["owner_email"],
                owner_name=data["owner_name"],
                owner_password=data["password"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return HttpResponseRedirect(tenant_url(workspace.client, "/login/?welcome=1"))
    status = 400 if request.method == "POST" else 200
    return render(request, "tenants/signup.html", {"form": form}, status=status)
