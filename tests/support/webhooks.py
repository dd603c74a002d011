"""The webhook tests' Stripe side: a dj-stripe webhook endpoint with its secret, the two shared
tenants as Stripe customers on the free plan, and their entitlements saved and put back.
(The `webhook_endpoint` and `payers` fixtures in tests/billing/conftest.py are built from these.)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.forms.models import model_to_dict
from django_tenants.utils import schema_context
from djstripe.models import WebhookEndpoint

from billing.entitlements import forget
from billing.models import Entitlement, Plan
from billing.selectors import default_plan
from tests.support.stripe_payloads import API_VERSION, new_id
from tests.support.tenants import TenantInfo


def saved_entitlement(client_id: int) -> dict[str, Any]:
    row = Entitlement.objects.get(client_id=client_id)
    saved = model_to_dict(row, exclude=["id", "client", "updated_at"])
    saved["plan"] = Plan.objects.get(pk=saved["plan"])
    return saved


def restore_entitlement(client_id: int, saved: dict[str, Any]) -> None:
    Entitlement.objects.filter(client_id=client_id).update(**saved)
    forget(client_id)


def make_endpoint() -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        id=new_id("we"),
        url="https://platform.test/stripe/webhook/",
        enabled_events=["*"],
        status="enabled",
        secret=f"whsec_{secrets.token_hex(16)}",
        api_version=API_VERSION,
        livemode=False,
    )


@dataclass(frozen=True)
class Payer:
    """A tenant and the Stripe customer it pays through."""

    tenant: TenantInfo
    customer: str

    @property
    def client_id(self) -> int:
        return int(self.tenant.client.pk)

    def entitlement(self) -> Entitlement:
        with schema_context("public"):
            return Entitlement.objects.select_related("plan").get(client_id=self.client_id)


def free_state(customer: str) -> dict[str, Any]:
    """A tenant that has a Stripe customer and no subscription yet."""
    return {
        "plan": default_plan(),
        "status": Entitlement.Status.FREE,
        "interval": "",
        "quantity": 1,
        "synced_quantity": None,
        "trial_ends_at": None,
        "current_period_start": None,
        "current_period_end": None,
        "cancel_at_period_end": False,
        "past_due_since": None,
        "stripe_customer_id": customer,
        "stripe_subscription_id": "",
        "state_at": None,
        "is_comped": False,
        "comped_until": None,
    }
