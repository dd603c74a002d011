"""Custom domains in the staff admin: every claim with its state, and the staff actions
(force-verify, remove, move to another client), which go through tenants.domains.actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from tenants.domains.actions import do_force_verify, do_move_domain, do_remove_domain
from tenants.domains.errors import DomainError
from tenants.domains.names import display_name
from tenants.models import Client, CustomDomain


class FailingFilter(admin.SimpleListFilter):
    title = "DNS failing"
    parameter_name = "failing"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Failing (still routing)"), ("no", "Not failing")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[CustomDomain]) -> QuerySet[CustomDomain]:
        if self.value() == "yes":
            return queryset.filter(failing_since__isnull=False)
        if self.value() == "no":
            return queryset.filter(failing_since__isnull=True)
        return queryset


class MoveForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Client.objects.exclude(schema_name="public").order_by("name"), label="Move to client"
    )


class CustomDomainAdmin(admin.ModelAdmin[CustomDomain]):
    """Read-only rows: every change is one of the actions below, which keep the routing table
    (`Domain`) consistent with the claims."""

    list_display = [
        "domain",
        "unicode",
        "tenant",
        "status",
        "is_apex",
        "failing_since",
        "checked_at",
        "next_check_at",
        "problem",
    ]
    list_filter = ["status", "is_apex", FailingFilter, "created_at"]
    search_fields = ["domain", "tenant__name", "tenant__slug", "created_by"]
    list_select_related = ["tenant"]
    ordering = ["domain", "pk"]
    actions = ["force_verify", "remove", "move"]
    readonly_fields = [
        "domain",
        "unicode",
        "tenant",
        "status",
        "is_apex",
        "token",
        "checked_at",
        "next_check_at",
        "verified_at",
        "failing_since",
        "attempts",
        "problem_code",
        "problem",
        "created_at",
        "created_by",
        "removed_at",
    ]
    fields = list(readonly_fields)

    @admin.display(description="Name for people")
    def unicode(self, obj: CustomDomain) -> str:
        return display_name(obj.domain)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CustomDomain | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CustomDomain | None = None) -> bool:
        return False

    def _each(self, request: HttpRequest, queryset: QuerySet[CustomDomain], action: Any, done: str) -> None:
        changed = 0
        for claim in queryset.select_related("tenant"):
            try:
                action(claim)
            except DomainError as exc:
                self.message_user(request, f"{claim.domain}: {exc.message}", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, done.format(count=changed), messages.SUCCESS)

    @admin.action(description="Verify selected domains without DNS (force-verify)")
    def force_verify(self, request: HttpRequest, queryset: QuerySet[CustomDomain]) -> None:
        self._each(request, queryset, lambda claim: do_force_verify(claim=claim), "Verified {count} domain(s).")

    @admin.action(description="Remove selected domains (they stop routing at once)")
    def remove(self, request: HttpRequest, queryset: QuerySet[CustomDomain]) -> None:
        self._each(request, queryset, lambda claim: do_remove_domain(claim=claim), "Removed {count} domain(s).")

    @admin.action(description="Move selected domains to another client")
    def move(self, request: HttpRequest, queryset: QuerySet[CustomDomain]) -> HttpResponse | None:
        form = MoveForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            target = form.cleaned_data["tenant"]
            self._each(
                request,
                queryset,
                lambda claim: do_move_domain(claim=claim, to=target),
                f"Moved {{count}} domain(s) to {target.name}.",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Move domains to another client",
            "form": form,
            "domains": queryset.select_related("tenant"),
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/tenants/customdomain/move.html", context)
