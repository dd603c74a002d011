"""Sign in and out of a tenant host."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from accounts.forms import EmailAuthenticationForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form: EmailAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.refusal is not None:
            # 429 tells password managers and scripts to back off; people read the message.
            response.status_code = 429
            response["Retry-After"] = str(form.refusal.retry_after)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["open_signup"] = bool(getattr(self.request.tenant, "open_signup", False))  # type: ignore[attr-defined]
        return context


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link or image cannot sign anyone out."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            # The session was flushed; the message lives in the new one the login page reads.
            messages.info(request, "You have signed out.")
        return response
