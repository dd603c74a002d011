"""Billing for platform staff: plans, every workspace's entitlement (plan, status, MRR, next
invoice) with the comp, trial and cancel actions, and the stored Stripe events and invoices.

Actions go through billing.actions; a subscription's trial and cancellation change at Stripe and
come back by webhook, so the list shows them once the event is processed.
"""

from __future__ import annotations

from typing import Any

import stripe
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from billing.actions import StaffRefused, do_cancel_subscription, do_comp_plan, do_extend_trial, do_recount_usage
from billing.entitlements import forget_plan
from billing.models import Entitlement, Invoice, Plan, StripeEvent
from billing.mrr import mrr_expression
from billing.presentation import day, money

Status = Entitlement.Status
# Statuses with a next invoice (a trial is invoiced when it ends); comps never are.
BILLING_STATUSES = (Status.ACTIVE, Status.TRIALING, Status.PAST_DUE)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin[Plan]):
    list_display = [
        "name",
        "code",
        "position",
        "is_public",
        "monthly_price_cents",
        "yearly_price_cents",
        "trial_days",
        "max_users",
        "max_storage_mb",
        "max_upload_mb",
        "max_pages_per_month",
        "max_custom_domains",
        "api_requests_per_minute",
        "can_hide_powered_by",
        "is_default",
    ]
    list_filter = ["is_public", "is_default", "can_hide_powered_by", "currency"]
    search_fields = ["name", "code", "stripe_product_id", "stripe_price_monthly_id", "stripe_price_yearly_id"]
    ordering = ["position", "monthly_price_cents"]
    fieldsets = [
        (None, {"fields": ["code", "name", "tagline", "position", "is_public", "is_default"]}),
        ("Price per seat", {"fields": ["currency", "monthly_price_cents", "yearly_price_cents", "trial_days"]}),
        (
            "Limits (empty: unlimited)",
            {
                "fields": [
                    "max_users",
                    "max_storage_mb",
                    "max_upload_mb",
                    "max_pages_per_month",
                    "max_custom_domains",
                    "api_requests_per_minute",
                    "can_hide_powered_by",
                    "meter_event_name",
                ]
            },
        ),
        (
            "Stripe (set by billing_push_plans)",
            {"fields": ["stripe_product_id", "stripe_price_monthly_id", "stripe_price_yearly_id"]},
        ),
    ]

    def save_model(self, request: HttpRequest, obj: Plan, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_plan(obj)  # every tenant on the plan sees the change on its next page


def with_mrr(queryset: QuerySet[Entitlement]) -> QuerySet[Entitlement]:
    """`mrr_cents`: the monthly revenue of the subscription (billing.mrr's rule: a yearly price
    counts a twelfth; trials, comped, free and ended subscriptions bring nothing)."""
    return queryset.annotate(mrr_cents=mrr_expression(prefix=""))


class PastDueFilter(admin.SimpleListFilter):
    title = "payment"
    parameter_name = "payment"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("past_due", "Past due"), ("read_only", "Read-only (canceled or unpaid)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Entitlement]) -> QuerySet[Entitlement]:
        if self.value() == "past_due":
            return queryset.filter(status=Status.PAST_DUE)
        if self.value() == "read_only":
            return queryset.filter(status__in=[Status.CANCELED, Status.UNPAID])
        return queryset


class CompForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all())
    until = forms.DateTimeField(required=False, help_text="Empty: for good. YYYY-MM-DD HH:MM.")
    note = forms.CharField(max_length=500, help_text="Why (kept on the workspace's record).")


class TrialForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=365)


class CancelForm(forms.Form):
    when = forms.ChoiceField(
        choices=[("period_end", "At the end of the paid period"), ("now", "Now")], widget=forms.RadioSelect
    )


@admin.register(Entitlement)
class EntitlementAdmin(admin.ModelAdmin[Entitlement]):
    """The staff view of who pays for what."""

    list_display = [
        "client",
        "plan",
        "status",
        "interval",
        "quantity",
        "mrr",
        "next_invoice",
        "past_due_since",
        "is_comped",
        "comped_until",
    ]
    list_filter = ["plan", "status", "is_comped", PastDueFilter, "interval", "cancel_at_period_end"]
    search_fields = [
        "client__name",
        "client__slug",
        "client__email",
        "stripe_customer_id",
        "stripe_subscription_id",
    ]
    list_select_related = ["client", "plan"]
    ordering = ["client__name"]
    readonly_fields = [
        "client",
        "status",
        "interval",
        "quantity",
        "trial_ends_at",
        "current_period_start",
        "current_period_end",
        "cancel_at_period_end",
        "past_due_since",
        "stripe_customer_id",
        "stripe_subscription_id",
        "state_at",
        "synced_quantity",
        "updated_at",
    ]
    fields = ["client", "plan", "is_comped", "comped_until", "note", *readonly_fields[1:]]
    actions = ["comp_plan", "extend_trial", "cancel_subscription", "recount_usage"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entitlement]:
        return with_mrr(super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made with the workspace (billing.actions.do_open_account)

    def has_delete_permission(self, request: HttpRequest, obj: Entitlement | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Entitlement | None = None) -> bool:
        return False  # changed through the actions only, so every change goes through billing.actions

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            total = context["cl"].queryset.aggregate(total=Coalesce(Sum("mrr_cents"), 0))["total"]
            context["mrr_total_cents"] = total
            context["title"] = f"Entitlements · MRR of this list {money(total, 'usd')}"
        return response

    @admin.display(description="MRR", ordering="mrr_cents")
    def mrr(self, obj: Entitlement) -> str:
        return money(getattr(obj, "mrr_cents", 0), obj.plan.currency)

    @admin.display(description="next invoice", ordering="current_period_end")
    def next_invoice(self, obj: Entitlement) -> str:
        if obj.is_comped or obj.cancel_at_period_end or obj.status not in BILLING_STATUSES:
            return "—"
        if obj.current_period_end is None:
            return "—"
        per_seat = (
            obj.plan.yearly_price_cents if obj.interval == Entitlement.Interval.YEAR else obj.plan.monthly_price_cents
        )
        return f"{day(obj.current_period_end)}: {money(per_seat * obj.quantity, obj.plan.currency)}"

    def _form_step(
        self,
        request: HttpRequest,
        queryset: QuerySet[Entitlement],
        form_class: type[forms.Form],
        action: str,
        title: str,
    ) -> tuple[forms.Form | None, HttpResponse | None]:
        """The intermediate page of an action: the form, until it is posted back valid."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            return form, None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "action": action,
            "queryset": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return None, TemplateResponse(request, "admin/billing/entitlement_action.html", context)

    def _each(self, request: HttpRequest, queryset: QuerySet[Entitlement], act: Any, done: str) -> None:
        changed = 0
        for entitlement in queryset.select_related("client"):
            try:
                act(entitlement)
            except StaffRefused as exc:
                self.message_user(request, str(exc), messages.WARNING)
            except stripe.StripeError as exc:
                self.message_user(request, f"{entitlement.client}: Stripe refused ({exc}).", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{done} for {changed} workspace{'s' if changed != 1 else ''}.")

    @admin.action(description="Comp a plan")
    def comp_plan(self, request: HttpRequest, queryset: QuerySet[Entitlement]) -> HttpResponse | None:
        form, page = self._form_step(request, queryset, CompForm, "comp_plan", "Give a plan free of charge")
        if form is None:
            return page
        data = form.cleaned_data
        note = f"{data['note']} ({request.user}, {timezone.now():%Y-%m-%d})"
        self._each(
            request,
            queryset,
            lambda row: do_comp_plan(client=row.client, plan=data["plan"], until=data["until"], note=note),
            f"{data['plan']} given",
        )
        return None

    @admin.action(description="Extend trial")
    def extend_trial(self, request: HttpRequest, queryset: QuerySet[Entitlement]) -> HttpResponse | None:
        form, page = self._form_step(request, queryset, TrialForm, "extend_trial", "Extend the trial")
        if form is None:
            return page
        days = form.cleaned_data["days"]
        self._each(request, queryset, lambda row: do_extend_trial(client=row.client, days=days), "Trial extended")
        return None

    @admin.action(description="Cancel subscription")
    def cancel_subscription(self, request: HttpRequest, queryset: QuerySet[Entitlement]) -> HttpResponse | None:
        form, page = self._form_step(request, queryset, CancelForm, "cancel_subscription", "Cancel the subscription")
        if form is None:
            return page
        at_period_end = form.cleaned_data["when"] == "period_end"
        self._each(
            request,
            queryset,
            lambda row: do_cancel_subscription(client=row.client, at_period_end=at_period_end),
            "Cancellation sent",
        )
        return None

    @admin.action(description="Recount seats and storage")
    def recount_usage(self, request: HttpRequest, queryset: QuerySet[Entitlement]) -> None:
        self._each(request, queryset, lambda row: do_recount_usage(client=row.client), "Usage recounted")


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "created", "status", "attempts", "client", "received_at", "processed_at"]
    list_filter = ["status", "type", "livemode"]
    search_fields = ["id", "type", "client__name", "client__slug"]
    list_select_related = ["client"]
    date_hierarchy = "created"


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "client", "status", "amount", "created_at", "period_end"]
    list_filter = ["status", "currency"]
    search_fields = ["number", "stripe_id", "client__name", "client__slug"]
    list_select_related = ["client"]
    date_hierarchy = "created_at"

    @admin.display(description="total", ordering="total_cents")
    def amount(self, obj: Invoice) -> str:
        return money(obj.total_cents, obj.currency)
