"""The page behind an invitation link (and an open sign-up link, which is the same mechanism):
choose a name and password, and arrive signed in.

The link's secret is looked up in the schema of the Host's tenant only, so another tenant's
link, like a used, revoked or expired one, simply is not found: a branded 404 page says so.

Someone already signed in who opens a link sees a note saying who they are signed in as; on
accepting they are signed out of that account and into the new one. Nothing happens to their
session on a GET, so a link planted in a page cannot sign anyone out.

The secret is in the URL: the site-wide `Referrer-Policy: same-origin` keeps it out of requests
to other sites. Do not tighten it to `no-referrer` here: browsers then post the form with
`Origin: null`, which Django's CSRF check refuses.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.actions import do_accept_invitation
from accounts.actions.invitations import find_invitation
from accounts.actions.seats import seat_refusal
from accounts.models import User
from accounts.people_forms import AcceptInvitationForm
from accounts.selectors import account_exists
from branding.theme import theme_for
from config.api.errors import AccessDenied, Refused

# Sessions made here are the password backend's: the person just chose that password.
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/invitation_invalid.html", status=404)


@never_cache
@sensitive_post_parameters("password", "password_confirmation")
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = find_invitation(token)
    if invitation is None:
        return _invalid(request)
    context = {
        "invitation": invitation,
        "role_label": User.Role(invitation.role).label,
        "signed_in_as": request.user if request.user.is_authenticated else None,
    }
    if account_exists(invitation.email):
        return render(request, "accounts/accept_invitation.html", {**context, "account_exists": True})
    refused = seat_refusal(tenant=request.tenant, join=True)  # type: ignore[attr-defined]
    if refused is not None:
        status = 402 if request.method == "POST" else 200
        return render(request, "accounts/accept_invitation.html", {**context, "refused": refused}, status=status)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_accept_invitation(
                tenant=request.tenant,  # type: ignore[attr-defined]
                token=token,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
            )
        except AccessDenied:
            # Used, revoked or expired between the page load and the submit.
            return _invalid(request)
        except ValidationError as exc:
            form.add_error(None, exc)  # password rules arrive keyed to `password`
        except Refused as exc:
            # The plan's seats are taken, or the workspace is read-only: no form can help.
            full = {**context, "refused": str(exc.detail)}
            return render(request, "accounts/accept_invitation.html", full, status=402)
        else:
            if request.user.is_authenticated:
                logout(request)
            login(request, user, backend=BACKEND)
            brand = theme_for(request.tenant).display_name  # type: ignore[attr-defined]
            messages.success(request, f"Welcome to {brand}, {user.get_short_name()}!")
            return redirect("home")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/accept_invitation.html", {**context, "form": form}, status=status)
