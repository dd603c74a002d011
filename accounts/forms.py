from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts import lockout
from accounts.signin import InvalidCredentials, SignInRefused, sign_in


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by e-mail, slowed and then locked after repeated failures (accounts.signin)."""

    username = forms.EmailField(label="E-mail", max_length=254, widget=forms.EmailInput(attrs={"autofocus": True}))
    password = forms.CharField(label="Password", strip=False, max_length=128, widget=forms.PasswordInput)

    # The same words as the API, for an unknown e-mail and a wrong password alike.
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": "Incorrect e-mail or password."}
    refusal: lockout.Refusal | None = None

    def clean(self) -> dict[str, Any]:
        email = str(self.cleaned_data.get("username") or "")
        password = self.cleaned_data.get("password")
        if not email or not password:
            return self.cleaned_data
        assert self.request is not None  # LoginView always passes it
        try:
            self.user_cache = sign_in(self.request, self.request.tenant, email=email, password=password)  # type: ignore[attr-defined]
        except SignInRefused as exc:
            self.refusal = exc.refusal
            raise forms.ValidationError(exc.refusal.message, code=exc.refusal.code) from exc
        except InvalidCredentials as exc:
            raise self.get_invalid_login_error() from exc
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
