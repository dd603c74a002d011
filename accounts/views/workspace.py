"""Workspace settings that owners and admins change from their own host: open sign-up and the
workspace's time zone."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import require_workspace_admin
from accounts.models import User
from accounts.settings_forms import WorkspaceSettingsForm, posted
from tenants.models import Client
from tenants.urls_helpers import tenant_url
from tenants.workspace_actions import do_update_workspace_settings


@login_required
@require_http_methods(["GET", "POST"])
def edit_workspace(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    require_workspace_admin(user)
    tenant = cast(Client, request.tenant)  # type: ignore[attr-defined]
    initial = {
        "open_signup": tenant.open_signup,
        "signup_domains": tenant.signup_domains,
        "time_zone": tenant.time_zone,
    }
    form = WorkspaceSettingsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        do_update_workspace_settings(
            client=tenant,
            open_signup=form.cleaned_data["open_signup"],
            signup_domains=form.cleaned_data["signup_domains"],
            time_zone=form.cleaned_data["time_zone"] or None,
        )
        messages.success(request, "The workspace settings were saved.")
        return redirect("accounts:workspace-settings")
    context = {
        "form": form,
        "section": "settings",
        "workspace_url": tenant_url(tenant),
        "signup_url": tenant_url(tenant, "/signup/"),
    }
    return render(request, "accounts/workspace_settings.html", context, status=400 if form.is_bound else 200)
