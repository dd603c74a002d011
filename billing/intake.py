"""Taking in a Stripe webhook: check the signature against the endpoint's secret, store the event
once, have it applied. Nothing else: no Stripe call, no tenant work, so Stripe gets its answer
fast under a burst and never times out and sends again.

Two doors share this: under daphne `billing.webhook_asgi` answers before Django's handler, on the
event loop; every other server (the test client, a WSGI server) reaches `billing.webhooks`.
Both run the same checks and the same two statements (`ENDPOINT_SQL`, `INSERT_SQL`).

dj-stripe's own view is not routed: in DEBUG it accepts an `X-Djstripe-Webhook-Secret` header
in place of a signature, which would let anyone who learns the endpoint's secret post unsigned
events. The signature is the only way in here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import stripe
from djstripe.models import WebhookEndpoint

from billing.models import StripeEvent
from billing.stripe_data import timestamp
from config.api.errors import error_payload

logger = logging.getLogger(__name__)

# Stripe's events are a few KiB; a subscription with many items stays far below this.
MAX_BODY_BYTES = 512 * 1024

ENDPOINT_SQL = (
    f'SELECT secret, djstripe_tolerance FROM public."{WebhookEndpoint._meta.db_table}" '  # noqa: S608  # nosec B608
    "WHERE djstripe_uuid = %s"
)
# A replay (Stripe sends again when an answer was lost) stores nothing: no row comes back.
INSERT_SQL = (
    f'INSERT INTO public."{StripeEvent._meta.db_table}" '  # noqa: S608  # nosec B608
    "(id, type, created, livemode, api_version, payload, status, attempts, error, received_at) "
    "VALUES (%s, %s, %s, %s, %s, %s::jsonb, 'pending', 0, '', now()) "
    "ON CONFLICT (id) DO NOTHING RETURNING id"
)


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def refusal(status: int, detail: str, code: str) -> Answer:
    return Answer(status, error_payload(detail, code))


NO_ENDPOINT = refusal(404, "No such webhook endpoint.", "not_found")
TOO_LARGE = refusal(413, f"An event is at most {MAX_BODY_BYTES // 1024} KiB.", "too_large")
NOT_POST = refusal(405, "Stripe posts events here.", "method_not_allowed")


def check(uuid: UUID | str, body: bytes, signature: str | None, secret: str, tolerance: int) -> Answer | dict[str, Any]:
    """The event, if `body` is one signed with `secret` within `tolerance` seconds; else the 400."""
    try:
        stripe.WebhookSignature.verify_header(body, signature, secret, tolerance)
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
        logger.warning("stripe webhook %s: signature refused (%s)", uuid, exc)
        return refusal(400, "The Stripe-Signature header does not match this endpoint.", "bad_signature")
    event = _parse(body)
    if event is None:
        return refusal(400, "The body is not a Stripe event.", "bad_payload")
    return event


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
    if not isinstance(event.get("type"), str) or not event["type"] or len(event["type"]) > 100:
        return None
    if not isinstance(event.get("created"), int) or isinstance(event.get("created"), bool):
        return None
    return event


def insert_params(event: dict[str, Any], body: bytes) -> list[Any]:
    """INSERT_SQL's parameters: the event as Stripe signed it (the body, not a re-encoding)."""
    return [
        event["id"],
        event["type"],
        timestamp(event["created"]),
        bool(event.get("livemode", False)),
        str(event.get("api_version") or "")[:64],
        body.decode(),
    ]


def stored(event: dict[str, Any], *, new: bool) -> Answer:
    return Answer(200, {"id": event["id"], "stored": new})


def enqueue(event_ids: list[str]) -> None:
    """Have stored events applied (after their commit), in one task."""
    from billing.tasks import process_events

    process_events.delay(event_ids)
