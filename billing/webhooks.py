"""`POST /stripe/webhook/<uuid>/` on the platform host: Stripe's events come in here.

The view verifies the signature against the secret of the dj-stripe `WebhookEndpoint` named by
the URL, stores the event and answers; a Celery task applies it (billing.events). Nothing here
calls Stripe or touches a tenant, so the answer stays fast under a burst and Stripe never times
out and resends. dj-stripe's own view is not routed: in DEBUG it accepts an
`X-Djstripe-Webhook-Secret` header in place of a signature, which would let anyone who learns
the endpoint's secret post unsigned events. The signature is the only way in here.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from uuid import UUID

import stripe
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from djstripe.models import WebhookEndpoint

from billing.events import record_event
from config.api.errors import error_payload

logger = logging.getLogger(__name__)

# Stripe's events are a few KiB; a subscription with many items stays far below this.
MAX_BODY_BYTES = 512 * 1024


def _refuse(status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse(error_payload(detail, code), status=status)


def _read_body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY_BYTES (announced or actual)."""
    try:
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    if announced > MAX_BODY_BYTES:
        return None
    body = request.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def _parse(body: bytes) -> dict[str, Any] | None:
    """The event, if the body is one: an object with an id, a type and a `created` time."""
    try:
        event = json.loads(body)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    if not isinstance(event.get("id"), str) or not event["id"] or len(event["id"]) > 255:
        return None
    if not isinstance(event.get("type"), str) or not event["type"]:
        return None
    if not isinstance(event.get("created"), int) or isinstance(event.get("created"), bool):
        return None
    return event


@csrf_exempt
def stripe_webhook(request: HttpRequest, uuid: UUID) -> JsonResponse:
    if request.method != "POST":
        response = _refuse(405, "Stripe posts events here.", "method_not_allowed")
        response["Allow"] = "POST"
        return response
    endpoint = WebhookEndpoint.objects.filter(djstripe_uuid=uuid).values_list("secret", "djstripe_tolerance").first()
    if endpoint is None:
        return _refuse(404, "No such webhook endpoint.", "not_found")
    secret, tolerance = endpoint
    body = _read_body(request)
    if body is None:
        return _refuse(413, f"An event is at most {MAX_BODY_BYTES // 1024} KiB.", "too_large")
    try:
        stripe.WebhookSignature.verify_header(body, request.headers.get("Stripe-Signature"), secret, tolerance)
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
        logger.warning("stripe webhook %s: signature refused (%s)", uuid, exc)
        return _refuse(400, "The Stripe-Signature header does not match this endpoint.", "bad_signature")
    event = _parse(body)
    if event is None:
        return _refuse(400, "The body is not a Stripe event.", "bad_payload")
    stored = record_event(event)
    return JsonResponse({"id": event["id"], "stored": stored})
