"""Billing's part of the client admin (tenants.admin.extend_client_admin): each client's plan in
the list, filters by plan and status, and the plan a workspace added by staff starts on."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelChoiceField
from django.http import HttpRequest

from billing.models import Plan
from billing.selectors import default_plan
from tenants.admin import ClientAddForm, ClientAdmin
from tenants.models import Client


class ClientAddWithPlanForm(ClientAddForm):
    # Not a column of Client: the plan is the tenant's billing entitlement, opened with it.
    plan = ModelChoiceField(queryset=Plan.objects.all(), required=True)


class BillingStatusFilter(admin.ChoicesFieldListFilter):
    """The entitlement's status, titled apart from the client's own (active or suspended)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = "billing status"


def _after(items: list[Any], anchor: str, *added: Any) -> list[Any]:
    at = items.index(anchor) + 1 if anchor in items else len(items)
    return [*items[:at], *added, *items[at:]]


class ClientPlanAdmin(ClientAdmin):
    add_form = ClientAddWithPlanForm
    add_fields = _after(ClientAdmin.add_fields, "slug", "plan")

    def get_list_display(self, request: HttpRequest) -> Any:
        return _after(list(super().get_list_display(request)), "primary_domain", "plan")

    def get_list_filter(self, request: HttpRequest) -> Any:
        return _after(
            list(super().get_list_filter(request)),
            "status",
            "entitlement__plan",
            ("entitlement__status", BillingStatusFilter),
        )

    def get_list_select_related(self, request: HttpRequest) -> Any:
        return ["entitlement__plan"]

    @admin.display(description="Plan", ordering="entitlement__plan__position")
    def plan(self, obj: Client) -> str:
        entitlement = getattr(obj, "entitlement", None)
        return entitlement.plan.name if entitlement is not None else "—"

    def get_form(self, request: HttpRequest, obj: Client | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.base_fields["plan"].initial = default_plan()
        return form

    def chosen_plan_code(self, data: dict[str, Any]) -> str | None:
        plan: Plan = data["plan"]
        return plan.code
