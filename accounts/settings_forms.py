"""Forms of the self-service account pages: password reset and change, profile, open sign-up,
and the workspace's sign-up settings.

Forms only parse and validate; saving goes through the actions (`accounts.actions`,
`tenants.workspace_actions`), which the password forms' `save()` and the views call.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import DomainNameValidator
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict

from accounts.actions import do_change_password, do_reset_password
from accounts.avatars import process_avatar
from accounts.models import NotificationSettings, User
from accounts.time_zones import grouped_time_zone_choices
from tenants.models import Client

# Long enough for any passphrase, short enough that hashing a submitted value stays cheap.
PASSWORD_MAX_LENGTH = 128
SIGNUP_DOMAINS_MAX_LENGTH = Client._meta.get_field("signup_domains").max_length or 500


TIME_ZONE_ERRORS = {"invalid_choice": "Choose a time zone from the list."}


def posted(request: HttpRequest) -> QueryDict | None:
    """What to bind a form to: the body of a POST, even an empty one (a submission with every
    box unticked must be validated, not shown as a fresh form), and nothing otherwise."""
    return request.POST if request.method == "POST" else None


def posted_files(request: HttpRequest) -> MultiValueDict[str, UploadedFile] | None:
    return request.FILES if request.method == "POST" else None


def _new_password_fields() -> tuple[forms.CharField, forms.CharField]:
    new = forms.CharField(label="New password", strip=False, max_length=PASSWORD_MAX_LENGTH, widget=forms.PasswordInput)
    again = forms.CharField(
        label="New password again", strip=False, max_length=PASSWORD_MAX_LENGTH, widget=forms.PasswordInput
    )
    return new, again


class EmailForm(forms.Form):
    """One e-mail address: the password-reset request and the open sign-up request."""

    email = forms.EmailField(label="E-mail", max_length=254)

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class ResetPasswordForm(SetPasswordForm):
    """A new password chosen through a reset link; `tenant` is the host the link was opened on."""

    new_password1, new_password2 = _new_password_fields()

    def __init__(self, user: User, *args: Any, tenant: Client, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.tenant = tenant

    def save(self, commit: bool = True) -> User:
        do_reset_password(tenant=self.tenant, user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class ChangePasswordForm(PasswordChangeForm):
    """The signed-in person's new password, confirmed with the current one."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        # Messages, not passwords.
        "password_incorrect": "Your current password is not correct. Please enter it again.",  # nosec B105
        "password_mismatch": "The two new passwords are not the same.",  # nosec B105
    }
    old_password = forms.CharField(
        label="Current password", strip=False, max_length=PASSWORD_MAX_LENGTH, widget=forms.PasswordInput
    )
    new_password1, new_password2 = _new_password_fields()

    def __init__(self, user: User, *args: Any, tenant: Client, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.tenant = tenant

    def save(self, commit: bool = True) -> User:
        do_change_password(tenant=self.tenant, user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class ProfileForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150, required=False)
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=grouped_time_zone_choices,
        error_messages=TIME_ZONE_ERRORS,
    )
    # A plain FileField: `process_avatar` decodes only the formats it allows, whereas
    # ImageField would hand the upload to every decoder Pillow has.
    avatar = forms.FileField(label="Picture", required=False)
    remove_avatar = forms.BooleanField(label="Remove picture", required=False)

    def clean_avatar(self) -> ContentFile[bytes] | None:
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        return process_avatar(upload)


DIGEST_OFF = "off"


class NotificationSettingsForm(forms.Form):
    desktop = forms.BooleanField(label="Show a notification on this computer", required=False)
    sound = forms.BooleanField(label="Play a sound", required=False)
    digest = forms.ChoiceField(
        label="E-mail me what I missed",
        choices=[
            (DIGEST_OFF, "Never"),
            *((str(value), label) for value, label in NotificationSettings.DigestDelay.choices),
        ],
        error_messages={"invalid_choice": "Choose when the e-mail goes out, or Never."},
    )

    def clean_digest(self) -> int | None:
        value = self.cleaned_data["digest"]
        return None if value == DIGEST_OFF else int(value)


class WorkspaceSettingsForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Workspace time zone",
        choices=grouped_time_zone_choices,
        # Left out of a submission (an older page, a script), the zone stays as it is.
        required=False,
        error_messages=TIME_ZONE_ERRORS,
        help_text="Where the workspace is based. Each person still sees times in their own zone.",
    )
    open_signup = forms.BooleanField(label="Let people sign up from the sign-in page", required=False)
    signup_domains = forms.CharField(
        label="Allowed e-mail domains",
        required=False,
        # Room for separators the user types; the normalised value is checked against the column.
        max_length=SIGNUP_DOMAINS_MAX_LENGTH * 2,
        help_text="Comma-separated, e.g. acme.com, acme.co.uk. Leave empty to allow any address.",
    )

    def clean_signup_domains(self) -> str:
        raw = str(self.cleaned_data.get("signup_domains") or "")
        parts = [part.lower().lstrip("@") for part in re.split(r"[,;\s]+", raw) if part.strip()]
        validate = DomainNameValidator(accept_idna=False)
        invalid: list[str] = []
        for part in parts:
            try:
                validate(part)
            except ValidationError:
                invalid.append(part)
        if invalid:
            raise ValidationError(
                "Not a domain name: %(domains)s. Use names like acme.com, without “@” or “https://”.",
                code="invalid_domain",
                params={"domains": ", ".join(invalid)},
            )
        value = ", ".join(dict.fromkeys(parts))
        if len(value) > SIGNUP_DOMAINS_MAX_LENGTH:
            raise ValidationError(
                "The list is too long: use at most %(max)d characters.",
                code="max_length",
                params={"max": SIGNUP_DOMAINS_MAX_LENGTH},
            )
        return value
