"""Platform staff manage every client here (platform host only: tenant URLconfs have no admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelChoiceField, ModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.html import format_html

from billing.models import Plan
from billing.selectors import default_plan
from tenants import admin_domains, admin_people
from tenants.actions import do_reactivate_client, do_suspend_client
from tenants.forms import WorkspaceForm, provision_from
from tenants.models import Client, CustomDomain, Domain
from tenants.selectors import user_counts
from tenants.urls_helpers import tenant_url


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

    # Not a column of Client: the plan is the tenant's billing entitlement, opened with it.
    plan = ModelChoiceField(queryset=Plan.objects.all(), required=True)
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
    list_display = ["name", "slug", "primary_domain", "plan", "status", "users", "created_at"]
    list_filter = ["status", "entitlement__plan", "entitlement__status", "open_signup", "created_at"]
    search_fields = ["name", "slug", "email", "domains__domain"]
    list_select_related = ["entitlement__plan"]
    readonly_fields = ["schema_name", "slug", "created_at", "suspended_at", "workspace_url", "people_link"]
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
        "people_link",
    ]
    actions = ["suspend", "reactivate"]
    inlines = [DomainInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Client]:
        return super().get_queryset(request).exclude(schema_name="public").prefetch_related("domains")

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        self._user_counts = user_counts(changelist.result_list)
        return changelist

    @admin.display(description="Users")
    def users(self, obj: Client) -> int | str:
        counts = getattr(self, "_user_counts", None) or user_counts([obj])
        return counts.get(obj.pk, "—")

    @admin.display(description="Plan", ordering="entitlement__plan__position")
    def plan(self, obj: Client) -> str:
        entitlement = getattr(obj, "entitlement", None)
        return entitlement.plan.name if entitlement is not None else "—"

    @admin.display(description="Primary domain")
    def primary_domain(self, obj: Client) -> str:
        return next((d.domain for d in obj.domains.all() if d.is_primary), "—")

    @admin.display(description="Workspace")
    def workspace_url(self, obj: Client) -> str:
        return tenant_url(obj) if obj.pk else "—"

    @admin.display(description="People")
    def people_link(self, obj: Client) -> str:
        if not obj.pk:
            return "—"
        count = user_counts([obj]).get(obj.pk, 0)
        return format_html(
            '<a href="{}">{} active {} — search, send a password reset, lift sign-in locks</a>',
            admin_people.people_url(obj),
            count,
            "person" if count == 1 else "people",
        )

    def get_urls(self) -> list[URLPattern]:
        def bound(view: Any) -> Any:
            def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                return view(request, *args, model_admin=self, **kwargs)

            return self.admin_site.admin_view(wrapped)

        return [
            path("<int:client_id>/people/", bound(admin_people.people_page), name="tenants_client_people"),
            path(
                "<int:client_id>/people/<int:user_id>/reset/",
                bound(admin_people.send_reset),
                name="tenants_client_people_reset",
            ),
            path("<int:client_id>/people/unlock/", bound(admin_people.unlock), name="tenants_client_people_unlock"),
            *super().get_urls(),
        ]

    def get_form(self, request: HttpRequest, obj: Client | None = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ClientAddForm
            kwargs["fields"] = ["name", "slug", "plan", "owner_name", "owner_email", "password"]
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.base_fields["plan"].initial = default_plan()
        return form

    def get_fields(self, request: HttpRequest, obj: Client | None = None) -> Any:
        if obj is None:
            return ["name", "slug", "plan", "owner_name", "owner_email", "password"]
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
            workspace = provision_from(form.cleaned_data, plan=form.cleaned_data["plan"])
        except ValidationError as exc:  # lost a race since clean(); nothing was created
            messages.error(request, "; ".join(exc.messages))
            raise
        # The admin goes on with `obj` (log entry, redirect): make it the provisioned row.
        obj.pk = workspace.client.pk
        obj.schema_name = workspace.client.schema_name
        obj._state.adding = False

    def has_delete_permission(self, request: HttpRequest, obj: Client | None = None) -> bool:
        return False  # tenants are suspended, not deleted from here

    @admin.action(description="Suspend selected workspaces")
    def suspend(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        for client in queryset:
            do_suspend_client(client, reason=f"Suspended by {request.user}")
        self.message_user(request, f"Suspended {queryset.count()} workspace(s).", messages.SUCCESS)

    @admin.action(description="Reactivate selected workspaces")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        for client in queryset:
            do_reactivate_client(client)
        self.message_user(request, f"Reactivated {queryset.count()} workspace(s).", messages.SUCCESS)


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

admin.site.site_header = "Platform administration"
admin.site.site_title = "Platform admin"
admin.site.index_title = "Clients, plans and staff"
