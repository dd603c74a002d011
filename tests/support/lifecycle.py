"""A subscription's events as Stripe and the worker together deliver them (signed to the webhook
endpoint, then applied), one subscription per payer, and what the lifecycle tests read back:
whether the workspace takes writes, and the owners' payment mail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core import mail
from django.test import Client as HttpClient
from django_tenants.utils import schema_context
from djstripe.models import WebhookEndpoint

from billing import events
from billing.models import StripeEvent
from config import limits
from config.limits import ReadOnlyWorkspace
from tests.support.stripe_payloads import DAY, event, now, post_event, subscription
from tests.support.webhooks import Payer

T0 = now() - 30 * DAY


@dataclass
class Stripe:
    """Sends events the way Stripe and the worker together do: signed to the endpoint, then
    applied (with the commit's side effects, such as mail, carried out)."""

    http: HttpClient
    endpoint: WebhookEndpoint
    capture: Callable[..., Any]

    def send(self, payload: dict[str, Any]) -> StripeEvent:
        with self.capture(execute=False):  # the worker's task is not sent: applied below
            response = post_event(self.http, self.endpoint, payload)
        assert response.status_code == 200, response.content
        with self.capture(execute=True):
            events.process_event(payload["id"])
        with schema_context("public"):
            return StripeEvent.objects.get(pk=payload["id"])


def sub_event(
    payer: Payer, event_type: str, status: str, at: int, *, sub_id: str = "sub_main", **fields: Any
) -> dict[str, Any]:
    return event(
        f"customer.subscription.{event_type}",
        subscription(customer=payer.customer, status=status, sub_id=f"{sub_id}_{payer.client_id}", **fields),
        created=at,
    )


def writable(payer: Payer) -> bool:
    try:
        limits.check_writable(payer.tenant.client)
    except ReadOnlyWorkspace:
        return False
    return True


def owner_mail() -> list[Any]:
    return [message for message in mail.outbox if "payment" in message.subject.lower()]
