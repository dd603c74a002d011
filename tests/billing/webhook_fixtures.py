"""Fixtures for the webhook tests: a dj-stripe webhook endpoint with its secret, and the two
shared tenants as Stripe customers on the free plan (put back as they were afterwards).

Import the fixtures into a test module: `from tests.billing.webhook_fixtures import *`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django_tenants.utils import schema_context
from djstripe.models import WebhookEndpoint

from billing.entitlements import forget
from billing.models import Entitlement, Plan
from billing.selectors import default_plan
from tests.billing.stripe_payloads import API_VERSION, new_id
from tests.conftest import TenantInfo

__all__ = [
    "Payer",
    "free_state",
    "make_endpoint",
    "payers",
    "restore_entitlement",
    "saved_entitlement",
    "webhook_endpoint",
]


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


@pytest.fixture
def webhook_endpoint(db: None) -> WebhookEndpoint:
    with schema_context("public"):
        return make_endpoint()


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


def saved_entitlement(client_id: int) -> dict[str, Any]:
    row = Entitlement.objects.get(client_id=client_id)
    saved = model_to_dict(row, exclude=["id", "client", "updated_at"])
    saved["plan"] = Plan.objects.get(pk=saved["plan"])
    return saved


def restore_entitlement(client_id: int, saved: dict[str, Any]) -> None:
    Entitlement.objects.filter(client_id=client_id).update(**saved)
    forget(client_id)


@pytest.fixture
def payers(db: None, tenant_a: TenantInfo, tenant_b: TenantInfo) -> Iterator[tuple[Payer, Payer]]:
    """acme and globex, each a Stripe customer of its own on the free plan. The test's writes
    are rolled back with its transaction; the cached entitlements it read are dropped after."""
    pair = (Payer(tenant_a, new_id("cus")), Payer(tenant_b, new_id("cus")))
    with schema_context("public"):
        for payer in pair:
            Entitlement.objects.filter(client_id=payer.client_id).update(**free_state(payer.customer))
            forget(payer.client_id)
    yield pair
    for payer in pair:
        forget(payer.client_id)
