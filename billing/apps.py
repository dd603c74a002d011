from django.apps import AppConfig
from django.conf import settings


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from billing.entitlements import BillingGate, can_hide_powered_by
        from branding.hooks import register_powered_by_rule
        from config import limits

        register_powered_by_rule(can_hide_powered_by)
        # Off only to measure what the checks cost (bench/billing.py); never in production.
        if settings.BILLING_ENFORCE_LIMITS:
            limits.register(BillingGate())
        if settings.BILLING_TEST_MODE:
            from billing import fake_stripe

            fake_stripe.install()
