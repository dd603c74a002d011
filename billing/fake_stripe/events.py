"""Events of the stand-in, delivered like Stripe delivers them: from outside the request, signed
with each endpoint's secret, retried until the endpoint answers 2xx.

An event is stored when its change is made; its deliveries are queued on commit of the caller's
transaction (a page that changes a subscription and rolls back announces nothing), and a
Celery task POSTs each to the endpoint's URL exactly as written (host and port).
"""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

import requests
from celery import shared_task
from django.conf import settings
from django.db import transaction
from stripe import WebhookSignature

from billing.fake_stripe import state
from billing.fake_stripe.state import Obj

logger = logging.getLogger(__name__)

DELIVERY_TIMEOUT_SECONDS = 10
DELIVERY_MAX_RETRIES = 8


def emit(event_type: str, obj: Obj, previous: dict[str, Any] | None = None) -> Obj:
    """Record `event_type` about `obj` (as it is now) and queue it for every endpoint that
    listens to it. Precondition: `obj` is stored already."""
    data: dict[str, Any] = {"object": state.public(obj)}
    if previous is not None:
        data["previous_attributes"] = previous
    endpoints = [
        endpoint
        for endpoint in state.all_of("webhook_endpoint")
        if endpoint["status"] == "enabled"
        and ("*" in endpoint["enabled_events"] or event_type in endpoint["enabled_events"])
    ]
    event = state.put(
        {
            "id": state.new_id("evt"),
            "object": "event",
            "api_version": settings.STRIPE_API_VERSION,
            "created": state.now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": len(endpoints),
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }
    )
    for endpoint in endpoints:
        transaction.on_commit(partial(deliver.delay, event["id"], endpoint["id"]))
    return event


def signed_delivery(event: Obj, secret: str, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and headers Stripe sends: `Stripe-Signature: t=<ts>,v1=<HMAC-SHA256 of
    "<ts>.<body>">`, computed by stripe-python's own helper."""
    body = json.dumps(state.public(event), indent=2)
    header = WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    return body.encode(), {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": header,
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    }


@shared_task(name="billing.fake_stripe_deliver", bind=True, acks_late=True, max_retries=DELIVERY_MAX_RETRIES)
def deliver(self: Any, event_id: str, endpoint_id: str) -> int | None:
    """POST one event to one endpoint; a refused or failed delivery is retried with backoff,
    as Stripe retries. Returns the endpoint's status code (None: nothing left to deliver)."""
    event, endpoint = state.get(event_id), state.get(endpoint_id)
    if event is None or endpoint is None or endpoint["status"] != "enabled":
        return None
    body, headers = signed_delivery(event, endpoint["_secret"])
    try:
        response = requests.post(endpoint["url"], data=body, headers=headers, timeout=DELIVERY_TIMEOUT_SECONDS)
        status = response.status_code
    except requests.RequestException as exc:
        logger.warning("test-mode webhook %s to %s failed: %s", event_id, endpoint["url"], exc)
        status = 0
    if not 200 <= status < 300:
        raise self.retry(countdown=min(2**self.request.retries, 60))
    return status
