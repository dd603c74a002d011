from django.apps import AppConfig
from django.conf import settings


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from billing.admin_clients import ClientPlanAdmin
        from billing.demo import recount_usage
        from billing.entitlements import BillingGate, can_hide_powered_by
        from billing.provisioning import open_account
        from branding.hooks import register_powered_by_rule
        from config import limits
        from tenants.admin import extend_client_admin
        from tenants.demo import demo_steps
        from tenants.provision_steps import provision_steps

        register_powered_by_rule(can_hide_powered_by)
        provision_steps.register("billing.account", open_account, order=10)
        demo_steps.register("billing.usage", recount_usage, order=90)
        extend_client_admin(ClientPlanAdmin)
        # Off only to measure what the checks cost (bench/billing.py); never in production.
        if settings.BILLING_ENFORCE_LIMITS:
            limits.register(BillingGate())
        if settings.BILLING_TEST_MODE:
            from billing import fake_stripe

            fake_stripe.install()
