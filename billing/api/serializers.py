"""Shapes of `/api/billing/` (documented in the OpenAPI schema; the payloads are built by
billing.selectors)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from billing.models import Entitlement
from billing.selectors import INVOICE_PAGE_DEFAULT, INVOICE_PAGE_MAX
from config.api.fields import StrictCharField, id_field


class CurrentPlanSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    interval = serializers.ChoiceField(choices=Entitlement.Interval.choices, allow_null=True)
    price_cents = serializers.IntegerField(help_text="Price of one seat for the interval (0 when free or comped).")
    currency = serializers.CharField()


class CountsSerializer(serializers.Serializer[Any]):
    seats = serializers.IntegerField(allow_null=True)
    storage_bytes = serializers.IntegerField(allow_null=True)
    pages_this_period = serializers.IntegerField(allow_null=True)
    messages_this_period = serializers.IntegerField(allow_null=True)
    custom_domains = serializers.IntegerField(allow_null=True)


class PlanLimitsSerializer(CountsSerializer):
    upload_bytes = serializers.IntegerField(allow_null=True)
    api_requests_per_minute = serializers.IntegerField(allow_null=True)


class OfferedPlanSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    tagline = serializers.CharField()
    currency = serializers.CharField()
    monthly_price_cents = serializers.IntegerField(help_text="Per seat, a month.")
    yearly_price_cents = serializers.IntegerField(help_text="Per seat, a year.")
    trial_days = serializers.IntegerField()
    is_free = serializers.BooleanField()
    limits = PlanLimitsSerializer(help_text="null: unlimited")
    can_hide_powered_by = serializers.BooleanField()


class BillingSerializer(serializers.Serializer[Any]):
    plan = CurrentPlanSerializer()
    status = serializers.ChoiceField(choices=Entitlement.Status.choices)
    trial_ends_at = serializers.DateTimeField(allow_null=True)
    current_period_end = serializers.DateTimeField(allow_null=True)
    cancel_at_period_end = serializers.BooleanField()
    past_due_since = serializers.DateTimeField(allow_null=True)
    grace_ends_at = serializers.DateTimeField(
        allow_null=True, help_text="Past due: the workspace becomes read-only at this time unless paid."
    )
    seats_paid = serializers.IntegerField()
    has_customer = serializers.BooleanField(help_text="Whether the payment portal can be opened.")
    usage = CountsSerializer()
    limits = CountsSerializer(help_text="null: unlimited")
    test_mode = serializers.BooleanField(help_text="No card is charged: Stripe is simulated.")
    plans = OfferedPlanSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # `read_only` is also an attribute of every DRF field, so it is added here by name.
        fields = super().get_fields()
        fields["read_only"] = serializers.BooleanField(help_text="Reads work, writes answer 402 `read_only`.")
        return fields


class CheckoutSerializer(serializers.Serializer[Any]):
    plan = StrictCharField(max_length=40, help_text="A public plan's code")
    # Checked by billing.checkout, which answers `invalid_interval` for anything else.
    interval = StrictCharField(max_length=8, help_text="`month` or `year`")


class RedirectSerializer(serializers.Serializer[Any]):
    url = serializers.URLField()


class InvoicesQuerySerializer(serializers.Serializer[Any]):
    before = id_field(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=INVOICE_PAGE_MAX, default=INVOICE_PAGE_DEFAULT)


class InvoiceSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    total_cents = serializers.IntegerField()
    currency = serializers.CharField()
    created_at = serializers.DateTimeField()
    hosted_url = serializers.URLField(allow_null=True)
    pdf_url = serializers.URLField(allow_null=True)


class InvoicePageSerializer(serializers.Serializer[Any]):
    results = InvoiceSerializer(many=True)
    next_before = serializers.IntegerField(allow_null=True, help_text="Pass as `before` for the next page.")
