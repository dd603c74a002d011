"""The signed-in person's profile, and profile pictures served to their colleagues."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.actions import do_update_profile
from accounts.actions.notifications import do_update_notification_settings
from accounts.models import User
from accounts.notifications import notification_settings_for
from accounts.settings_forms import DIGEST_OFF, NotificationSettingsForm, ProfileForm, posted, posted_files
from config.files import private_file

NOTIFICATIONS_FORM = "notifications"


def _notifications_initial(user: User) -> dict[str, object]:
    stored = notification_settings_for(user)
    digest = DIGEST_OFF if stored.digest_delay is None else str(stored.digest_delay)
    return {"desktop": stored.desktop, "sound": stored.sound, "digest": digest}


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: HttpRequest) -> HttpResponse:
    """Two forms on one page, told apart by the `form` field: the profile and the notifications."""
    user = cast(User, request.user)
    ours = request.method == "POST" and request.POST.get("form") == NOTIFICATIONS_FORM
    notifications = NotificationSettingsForm(
        posted(request) if ours else None, initial=_notifications_initial(user), prefix=NOTIFICATIONS_FORM
    )
    if ours:
        if notifications.is_valid():
            do_update_notification_settings(
                user=user,
                desktop=notifications.cleaned_data["desktop"],
                sound=notifications.cleaned_data["sound"],
                digest_delay=notifications.cleaned_data["digest"],
            )
            messages.success(request, "Your notification settings were saved.")
            return redirect("accounts:profile")
        form = ProfileForm(initial={"name": user.name, "time_zone": user.time_zone})
        context = {"form": form, "notifications": notifications, "section": "settings"}
        return render(request, "accounts/profile.html", context, status=400)
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
    context = {"form": form, "notifications": notifications, "section": "settings"}
    return render(request, "accounts/profile.html", context, status=status)


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
