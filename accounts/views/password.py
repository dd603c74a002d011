"""Password reset by e-mail link (anonymous, branded pages) and password change (signed in)."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.actions import do_request_password_reset, do_revoke_credentials
from accounts.models import User
from accounts.reset import TenantPasswordResetTokenGenerator
from accounts.settings_forms import ChangePasswordForm, EmailForm, ResetPasswordForm, posted
from config.ratelimit import client_address, consume


def address_retry_after(request: HttpRequest, scope: str) -> int | None:
    """Count one anonymous request from this client address; seconds to wait once over the limit."""
    bucket = f"{scope}:{client_address(request.META)}"
    return consume(bucket, limit=settings.ACCOUNT_FORMS_PER_ADDRESS_PER_HOUR, window_seconds=3600)


def too_many_attempts(request: HttpRequest, template: str, context: dict[str, Any], retry_after: int) -> HttpResponse:
    """The page again with a message, as 429 with Retry-After so scripts back off too."""
    minutes = max(retry_after // 60, 1)
    refusal = f"Too many attempts. Please wait {minutes} minute{'s' if minutes != 1 else ''} and try again."
    response = render(request, template, {**context, "refusal": refusal}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def request_reset(request: HttpRequest) -> HttpResponse:
    template = "accounts/password_reset.html"
    form = EmailForm(posted(request))
    if request.method == "POST" and form.is_valid():
        retry_after = address_retry_after(request, "password-reset")
        if retry_after is not None:
            return too_many_attempts(request, template, {"form": form}, retry_after)
        do_request_password_reset(tenant=request.tenant, email=form.cleaned_data["email"])  # type: ignore[attr-defined]
        # The same page whether or not the address has an account: it reveals none.
        return redirect("accounts:password-reset-sent")
    return render(request, template, {"form": form}, status=400 if form.is_bound else 200)


@require_safe
def reset_sent(request: HttpRequest) -> HttpResponse:
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    return render(request, "accounts/password_reset_sent.html", {"valid_minutes": minutes})


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view, with links bound to this host's tenant (`accounts.reset`).

    On the first visit Django moves the token into the session and redirects to
    `.../set-password/`, so the token never appears in a Referer. A link of another tenant, a
    used or expired one, or one for a deactivated account renders the page's invalid state.
    """

    template_name = "accounts/password_reset_confirm.html"
    form_class = ResetPasswordForm
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.token_generator = TenantPasswordResetTokenGenerator(request.tenant)  # type: ignore[attr-defined]
        return super().dispatch(request, *args, **kwargs)

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        return user if isinstance(user, User) and user.is_active else None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["tenant"] = self.request.tenant  # type: ignore[attr-defined]
        return kwargs

    def form_invalid(self, form: ResetPasswordForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        response.status_code = 400  # like every other form page here
        return response

    def form_valid(self, form: ResetPasswordForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        messages.success(self.request, "Your password was changed. Sign in with your new password.")
        return response


@sensitive_post_parameters()
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    template = "accounts/password_change.html"
    user = cast(User, request.user)
    form = ChangePasswordForm(user, posted(request), tenant=request.tenant)  # type: ignore[attr-defined]
    if request.method == "POST":
        retry_after = consume(
            f"password-change:{user.pk}", limit=settings.PASSWORD_CHANGES_PER_HOUR, window_seconds=3600
        )
        if retry_after is not None:
            # A fresh form: validating this one would tell whether the current password is right.
            blank = ChangePasswordForm(user, tenant=request.tenant)  # type: ignore[attr-defined]
            return too_many_attempts(request, template, {"form": blank, "section": "settings"}, retry_after)
        if form.is_valid():
            form.save()
            # The action ended every session, this one included; keep this one going.
            update_session_auth_hash(request, user)
            messages.success(request, "Your password was changed. You were signed out everywhere else.")
            return redirect("accounts:password-change")
    return render(request, template, {"form": form, "section": "settings"}, status=400 if form.is_bound else 200)


@login_required
@require_POST
def sign_out_elsewhere(request: HttpRequest) -> HttpResponse:
    """End every other session and every API token of this person (a lost phone, a shared
    computer); this session carries on."""
    user = cast(User, request.user)
    do_revoke_credentials(tenant=request.tenant, user=user)  # type: ignore[attr-defined]
    update_session_auth_hash(request, user)
    messages.success(request, "You were signed out on every other device and app.")
    return redirect("accounts:password-change")
