from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts import lockout
from config.ratelimit import client_address


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by e-mail, slowed and then locked after repeated failures (accounts.lockout)."""

    username = forms.EmailField(label="E-mail", max_length=254, widget=forms.EmailInput(attrs={"autofocus": True}))
    password = forms.CharField(label="Password", strip=False, max_length=128, widget=forms.PasswordInput)

    # The same words as the API, for an unknown e-mail and a wrong password alike.
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": "Incorrect e-mail or password."}
    refusal: lockout.Refusal | None = None

    def clean(self) -> dict[str, Any]:
        email = str(self.cleaned_data.get("username") or "")
        if not email or not self.cleaned_data.get("password"):
            return self.cleaned_data
        tenant = self.request.tenant  # type: ignore[union-attr]  # only mounted on tenant hosts
        address = client_address(self.request.META)  # type: ignore[union-attr]
        self.refusal = lockout.check(tenant, email=email, address=address)
        if self.refusal is not None:
            raise forms.ValidationError(self.refusal.message, code=self.refusal.code)
        try:
            data = super().clean()
        except forms.ValidationError:
            lockout.record_failure(tenant, email=email, address=address)
            raise
        lockout.record_success(tenant, email=email)
        return data
