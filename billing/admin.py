from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from billing.entitlements import forget_plan
from billing.models import Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin[Plan]):
    list_display = [
        "name",
        "code",
        "max_users",
        "max_storage_mb",
        "max_upload_mb",
        "monthly_price_cents",
        "can_hide_powered_by",
        "is_default",
    ]
    list_filter = ["is_default", "can_hide_powered_by"]
    search_fields = ["name", "code"]

    def save_model(self, request: HttpRequest, obj: Plan, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_plan(obj)  # every tenant on the plan sees the change on its next page
