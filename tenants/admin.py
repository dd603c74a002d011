"""Platform staff manage every client here (platform host only: tenant URLconfs have no admin).

The apps above tenants add their parts of the client pages (billing the plan, accounts the
people pages) through `extend_client_admin`, from their `AppConfig.ready()`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.template.response import TemplateResponse

from tenants import admin_domains
from tenants.actions import SUSPENSION_REASON_MAX, do_reactivate_client, do_suspend_client
from tenants.forms import WorkspaceForm, provision_from
from tenants.models import Client, CustomDomain, Domain, SuspensionRecord
from tenants.selectors import user_counts
from tenants.urls_helpers import tenant_url


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=SUSPENSION_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why these workspaces are suspended. Kept with them and shown to staff.",
        error_messages={"required": "Say why these workspaces are suspended."},
    )


class SuspensionRecordInline(admin.TabularInline[SuspensionRecord, Client]):
    """The history of suspensions and reactivations: written by the actions only."""

    model = SuspensionRecord
    extra = 0
    fields = ["at", "action", "reason", "by"]
    readonly_fields = ["at", "action", "reason", "by"]
    can_delete = False
    max_num = 0
    verbose_name = "suspension history line"
    verbose_name_plural = "Suspension history"

    def has_add_permission(self, request: HttpRequest, obj: Client | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Client | None = None) -> bool:
        return False


class DomainInline(admin.TabularInline[Domain, Client]):
    """Read-only: a tenant's hosts come from provisioning and from verified custom domains,
    whose actions keep the rows and the one primary consistent (see "Custom domains")."""

    model = Domain
    extra = 0
    fields = ["domain", "is_primary", "created_at"]
    readonly_fields = ["domain", "is_primary", "created_at"]
    can_delete = False
    max_num = 0

    def has_add_permission(self, request: HttpRequest, obj: Client | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Client | None = None) -> bool:
        return False


class ClientAddForm(ModelForm[Client]):
    """The add page provisions through the same action and rules as self-serve sign-up."""

    class Meta:
        model = Client
        fields = ["name", "slug"]

    owner_name = WorkspaceForm.base_fields["owner_name"]
    owner_email = WorkspaceForm.base_fields["owner_email"]
    password = WorkspaceForm.base_fields["password"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        form = WorkspaceForm(data={**self.data, **{k: v for k, v in data.items() if isinstance(v, str)}})
        if not form.is_valid():
            for field, errors in form.errors.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        return data

    def validate_unique(self) -> None:
        pass  # checked by the provisioning action's rules in clean()


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    list_display = ["name", "slug", "primary_domain", "status", "suspension_reason", "users", "created_at"]
    list_filter = ["status", "open_signup", "created_at"]
    search_fields = ["name", "slug", "email", "domains__domain"]
    # Suspension goes through the actions (a reason, a confirmation, a history line), never the form.
    readonly_fields = [
        "schema_name",
        "slug",
        "created_at",
        "status",
        "suspended_at",
        "suspension_reason",
        "workspace_url",
    ]
    fields = [
        "name",
        "slug",
        "schema_name",
        "email",
        "status",
        "suspended_at",
        "suspension_reason",
        "open_signup",
        "signup_domains",
        "created_at",
        "workspace_url",
    ]
    # The add page provisions a workspace: these fields, through this form.
    add_form: type[ClientAddForm] = ClientAddForm
    add_fields = ["name", "slug", "owner_name", "owner_email", "password"]
    actions = ["suspend", "reactivate"]
    inlines = [DomainInline, SuspensionRecordInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Client]:
        return super().get_queryset(request).exclude(schema_name="public").prefetch_related("domains")

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        self._user_counts = user_counts(changelist.result_list)
        return changelist

    @admin.display(description="Users")
    def users(self, obj: Client) -> int | str:
        counts = getattr(self, "_user_counts", None)
        if counts is None:  # an empty dict is an answer (no schema on the page), not a miss
            counts = user_counts([obj])
        return counts.get(obj.pk, "—")

    @admin.display(description="Primary domain")
    def primary_domain(self, obj: Client) -> str:
        return next((d.domain for d in obj.domains.all() if d.is_primary), "—")

    @admin.display(description="Workspace")
    def workspace_url(self, obj: Client) -> str:
        return tenant_url(obj) if obj.pk else "—"

    def get_form(self, request: HttpRequest, obj: Client | None = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
            kwargs["fields"] = self.add_fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Client | None = None) -> Any:
        if obj is None:
            return self.add_fields
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Client | None = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj: Client | None) -> Any:
        return [] if obj is None else self.inlines

    def save_model(self, request: HttpRequest, obj: Client, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            workspace = provision_from(form.cleaned_data, plan_code=self.chosen_plan_code(form.cleaned_data))
        except ValidationError as exc:  # lost a race since clean(); nothing was created
            messages.error(request, "; ".join(exc.messages))
            raise
        # The admin goes on with `obj` (log entry, redirect): make it the provisioned row.
        obj.pk = workspace.client.pk
        obj.schema_name = workspace.client.schema_name
        obj._state.adding = False

    def chosen_plan_code(self, data: dict[str, Any]) -> str | None:
        """The plan the add page provisions with; None (the default plan) unless billing's part
        of the page offers a choice."""
        return None

    def has_delete_permission(self, request: HttpRequest, obj: Client | None = None) -> bool:
        return False  # tenants are suspended, not deleted from here

    @admin.action(description="Suspend selected workspaces…")
    def suspend(self, request: HttpRequest, queryset: QuerySet[Client]) -> TemplateResponse | None:
        """Through a confirmation page that asks why: the reason is shown to staff on the
        client's pages and kept in its history."""
        form = SuspendForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            by = str(getattr(request.user, "email", "") or request.user)
            done = [c for c in queryset if do_suspend_client(c, reason=form.cleaned_data["reason"], by=by)]
            self.message_user(request, f"Suspended {len(done)} workspace(s).", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Suspend workspaces",
            "form": form,
            "queryset": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        status = 400 if "apply" in request.POST else 200
        return TemplateResponse(request, "admin/tenants/client/suspend_confirmation.html", context, status=status)

    @admin.action(description="Reactivate selected workspaces")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        by = str(getattr(request.user, "email", "") or request.user)
        done = [c for c in queryset if do_reactivate_client(c, by=by)]
        self.message_user(request, f"Reactivated {len(done)} workspace(s).", messages.SUCCESS)


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin[Domain]):
    """The routing table, to look at: rows are written by provisioning and the custom-domain
    actions only (force-verify, remove and move are on Custom domains)."""

    list_display = ["domain", "tenant", "is_primary", "created_at"]
    list_filter = ["is_primary"]
    search_fields = ["domain", "tenant__name", "tenant__slug"]
    list_select_related = ["tenant"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Domain | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Domain | None = None) -> bool:
        return False


admin.site.register(CustomDomain, admin_domains.CustomDomainAdmin)


def extend_client_admin(part: type[ClientAdmin]) -> None:
    """Register `part`, a subclass of ClientAdmin that adds an app's columns, fields or pages,
    over the client admin registered so far. Parts call `super()` in what they override, so
    every app's part stays in the page whatever order the apps are ready in."""
    registered = type(admin.site.get_model_admin(Client))
    if issubclass(registered, part):
        return  # in the page already
    admin.site.unregister(Client)
    admin.site.register(Client, type("ClientAdmin", (part, registered), {}))


admin.site.site_header = "Platform administration"
admin.site.site_title = "Platform admin"
admin.site.index_title = "Clients, plans and staff"
