from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tenants.actions import Workspace, check_new_workspace, do_provision_workspace


def provision_from(data: dict[str, Any], *, plan_code: str | None = None) -> Workspace:
    """Provision from the cleaned fields of a `WorkspaceForm` (or a form with the same fields)."""
    return do_provision_workspace(
        slug=data["slug"],
        name=data["name"],
        owner_email=data["owner_email"],
        owner_name=data["owner_name"],
        owner_password=data["password"],
        plan_code=plan_code,
    )


def add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put an action's field-keyed ValidationError on the form's fields."""
    for field, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


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
                add_errors(self, exc)
        password = data.get("password")
        if password:
            try:
                validate_password(password)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class FindWorkspaceForm(forms.Form):
    email = forms.EmailField(label="Your e-mail", max_length=254)

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()
