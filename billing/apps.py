from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from billing.entitlements import BillingGate, can_hide_powered_by
        from branding.hooks import register_powered_by_rule
        from config import limits

        register_powered_by_rule(can_hide_powered_by)
        limits.register(BillingGate())
