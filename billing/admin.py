from django.contrib import admin

from billing.models import Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin[Plan]):
    list_display = ["name", "code", "max_users", "max_storage_mb", "max_upload_mb", "monthly_price_cents", "is_default"]
    list_filter = ["is_default"]
    search_fields = ["name", "code"]
