"""Forms of the people page and of the accept-invitation page.

They check shapes only (types, lengths, known choices). Who may give which role, the last-owner
rule and everything else about state is decided by the actions, so a form never second-guesses
them and the page shows the action's own message.
"""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from accounts.selectors import MAX_CURSOR_LENGTH, MAX_QUERY_LENGTH


class PeopleSearchForm(forms.Form):
    """`?q=&after=&before=` of the people page. An unusable cursor is dropped, not an error:
    it only ever comes from an old or edited link, and the first page is the useful answer."""

    q = forms.CharField(required=False, max_length=MAX_QUERY_LENGTH, strip=True)
    after = forms.CharField(required=False, max_length=MAX_CURSOR_LENGTH)
    before = forms.CharField(required=False, max_length=MAX_CURSOR_LENGTH)


class InviteForm(forms.Form):
    # Every role is a valid choice here: whether this actor may give it is the action's call.
    email = forms.EmailField(label="E-mail", max_length=254)
    role = forms.ChoiceField(label="Role", choices=User.Role.choices, initial=User.Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=User.Role.choices)


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=150, strip=True)
    password = forms.CharField(label="Password", max_length=128, strip=False, widget=forms.PasswordInput)
    password_confirmation = forms.CharField(
        label="Confirm password", max_length=128, strip=False, widget=forms.PasswordInput
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        password, confirmation = self.cleaned_data.get("password"), self.cleaned_data.get("password_confirmation")
        if password and confirmation and password != confirmation:
            self.add_error("password_confirmation", "The two passwords do not match.")
        return self.cleaned_data
