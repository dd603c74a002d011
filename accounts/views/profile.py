"""The signed-in person's profile, and profile pictures served to their colleagues."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.actions import do_update_profile
from accounts.models import User
from accounts.settings_forms import ProfileForm, posted, posted_files
from config.files import private_file


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    initial = {"name": user.name, "time_zone": user.time_zone}
    form = ProfileForm(posted(request), posted_files(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        do_update_profile(
            user=user,
            name=form.cleaned_data["name"],
            time_zone=form.cleaned_data["time_zone"],
            avatar=form.cleaned_data["avatar"],
            remove_avatar=form.cleaned_data["remove_avatar"],
        )
        messages.success(request, "Your profile was saved.")
        return redirect("accounts:profile")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/profile.html", {"form": form, "section": "settings"}, status=status)


@login_required
@require_safe
def avatar(request: HttpRequest, user_id: int) -> FileResponse:
    """Only to people signed in to this host: the lookup runs in this tenant's schema, so an id
    of another tenant finds this tenant's person of that id (or nobody), never the other's file."""
    person = User.objects.filter(pk=user_id).only("avatar").first()
    # Every stored avatar was re-encoded to PNG by accounts.avatars.
    return private_file(
        person.avatar if person else None, missing="No picture.", content_type="image/png", max_age=3600
    )
