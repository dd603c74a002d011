"""Billing fixtures: an empty test-mode Stripe account, and a webhook endpoint registered on it
(dj-stripe's row, with its signing secret); for the webhook tests, an endpoint row of their own,
the two shared tenants as Stripe customers on the free plan, and Stripe sending them events."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from django.test import Client as HttpClient
from django_tenants.utils import schema_context
from djstripe.models import WebhookEndpoint

from billing import stripe_api
from billing.entitlements import forget
from billing.fake_stripe import state
from billing.models import Entitlement
from tests.support.lifecycle import Stripe
from tests.support.stripe_payloads import new_id
from tests.support.tenants import TenantInfo
from tests.support.webhooks import Payer, free_state, make_endpoint


@pytest.fixture
def fake_stripe(settings: Any) -> Iterator[ModuleType]:
    """The stand-in's state (billing.fake_stripe.state), empty before and after the test."""
    assert settings.BILLING_TEST_MODE, "billing tests run against the test-mode stand-in"
    state.reset()
    yield state
    state.reset()


@pytest.fixture
def registered_webhook_endpoint(fake_stripe: ModuleType, db: None) -> WebhookEndpoint:
    """dj-stripe's endpoint row for the platform host (`endpoint.secret` signs every event the
    stand-in sends to `endpoint.url`)."""
    from tenants.urls_helpers import platform_url

    return stripe_api.ensure_webhook_endpoint(base_url=platform_url("").rstrip("/"))


@pytest.fixture
def webhook_endpoint(db: None) -> WebhookEndpoint:
    with schema_context("public"):
        return make_endpoint()


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


@pytest.fixture
def stripe(
    platform_client: HttpClient, webhook_endpoint: WebhookEndpoint, django_capture_on_commit_callbacks: Any
) -> Stripe:
    """Stripe and the worker delivering events to `webhook_endpoint`, with their commit's side effects."""
    return Stripe(platform_client, webhook_endpoint, django_capture_on_commit_callbacks)
