"""Billing fixtures others reuse: an empty test-mode Stripe account, and a webhook endpoint
registered on it (dj-stripe's row, with its signing secret)."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from djstripe.models import WebhookEndpoint

from billing import stripe_api
from billing.fake_stripe import state


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
