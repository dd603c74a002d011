from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tenants.actions import check_new_workspace


class WorkspaceForm(forms.Form):
    """Sign-up on the platform host, `create_workspace` and the admin's add page share these rules."""

    name = forms.CharField(label="Workspace name", max_length=100)
    slug = forms.CharField(
        label="Workspace address",
        max_length=40,
        help_text="Lowercase letters, digits and hyphens; your workspace will live at <address>.<domain>.",
    )
    owner_name = forms.CharField(label="Your name", max_length=150)
    owner_email = forms.EmailField(label="Your e-mail", max_length=254)
    password = forms.CharField(label="Password", widget=forms.PasswordInput, max_length=128, strip=False)

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                check_new_workspace(slug=data["slug"], name=data["name"], owner_email=data["owner_email"])
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        self.add_error(field if field in self.fields else None, message)
        password = data.get("password")
        if password:
            try:
                validate_password(password)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data
