"""Stripe's webhook events, applied to tenants: the one write path for a paid subscription's state
and for invoices (billing.intake stores, the `billing.process_event` task applies).

Events come more than once and in any order. Each is applied once: its row is locked and only a
pending or failed event is applied, in the same transaction that marks it processed. Order is
restored by Stripe's `created` time (billing.subscriptions, billing.invoices): an older event
is stored and marked processed but changes nothing.

Lock order, always the same so two workers never deadlock: the event row, then the tenant's
entitlement row (or the invoice row).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from djstripe.models import Customer

from billing.invoices import apply_invoice
from billing.models import Entitlement, StripeEvent
from billing.stripe_data import id_of
from billing.subscriptions import apply_checkout, apply_subscription, apply_trial_will_end
from tenants.models import Client

logger = logging.getLogger(__name__)

SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
    }
)
INVOICE_EVENTS = frozenset(
    {
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_failed",
        "invoice.voided",
        "invoice.marked_uncollectible",
        "invoice.updated",
    }
)
CHECKOUT_COMPLETED = "checkout.session.completed"
TRIAL_WILL_END = "customer.subscription.trial_will_end"

MAX_ERROR_LENGTH = 2000


# -- applying --------------------------------------------------------------------------------


def process_event(event_id: str) -> str | None:
    """Apply one stored event, once. Returns its status afterwards (None: no such event).

    Either the whole outcome commits with the event marked processed (or ignored), or none of
    it does and the event is marked failed, with the error, in a transaction of its own.
    """
    try:
        with transaction.atomic():
            event = StripeEvent.objects.select_for_update().filter(pk=event_id).first()
            if event is None:
                return None
            if event.status not in (StripeEvent.Status.PENDING, StripeEvent.Status.FAILED):
                return str(event.status)
            _apply(event)
            event.attempts += 1
            event.processed_at = timezone.now()
            event.save(update_fields=["status", "client", "error", "attempts", "processed_at"])
            return str(event.status)
    except Exception as exc:
        logger.exception("stripe event %s failed", event_id)
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
        with transaction.atomic():
            StripeEvent.objects.filter(
                pk=event_id, status__in=[StripeEvent.Status.PENDING, StripeEvent.Status.FAILED]
            ).update(status=StripeEvent.Status.FAILED, attempts=F("attempts") + 1, error=error)
        return str(StripeEvent.Status.FAILED)


def events_to_retry(*, max_attempts: int, stale_before: datetime) -> list[str]:
    """Failed events with attempts left, and pending ones received before `stale_before`,
    oldest first."""
    return list(
        StripeEvent.objects.filter(
            Q(status=StripeEvent.Status.FAILED, attempts__lt=max_attempts)
            | Q(status=StripeEvent.Status.PENDING, received_at__lt=stale_before)
        )
        .order_by("created", "received_at")
        .values_list("pk", flat=True)
    )


def stale_pending(*, before: datetime, limit: int = 1000) -> list[str]:
    """Pending events received before `before`, whose task was lost (the web process died
    between storing and sending it, or the broker restarted), oldest first."""
    return list(
        StripeEvent.objects.filter(status=StripeEvent.Status.PENDING, received_at__lt=before)
        .order_by("created", "received_at")
        .values_list("pk", flat=True)[:limit]
    )


def _apply(event: StripeEvent) -> None:
    """Sets `event.status` (and its client); raises to fail the event."""
    obj = (event.payload.get("data") or {}).get("object") or {}
    handler = _handler_for(event.type)
    event.error = ""
    event.status = StripeEvent.Status.PROCESSED
    if handler is None:
        return
    client_id = find_client_id(obj)
    if client_id is None:
        event.status = StripeEvent.Status.IGNORED
        event.error = "unknown customer"
        return
    event.client_id = client_id
    handler(event, obj, client_id)


def _handler_for(event_type: str) -> Callable[[StripeEvent, dict[str, Any], int], None] | None:
    if event_type in SUBSCRIPTION_EVENTS:
        return apply_subscription
    if event_type in INVOICE_EVENTS:
        return apply_invoice
    if event_type == CHECKOUT_COMPLETED:
        return apply_checkout
    if event_type == TRIAL_WILL_END:
        return apply_trial_will_end
    return None


# -- whose event -----------------------------------------------------------------------------


def _metadata_client_ids(obj: dict[str, Any]) -> list[str]:
    """Where our own calls wrote the tenant: a checkout session's `client_reference_id`, the
    subscription's metadata, and (API 2026-05-27) an invoice's copy of it under `parent`."""
    candidates = [(obj.get("metadata") or {}).get("client_id"), obj.get("client_reference_id")]
    details = (obj.get("parent") or {}).get("subscription_details") or {}
    candidates.append((details.get("metadata") or {}).get("client_id"))
    candidates.append(((obj.get("subscription_details") or {}).get("metadata") or {}).get("client_id"))
    return [str(value) for value in candidates if isinstance(value, str | int) and str(value).isdigit()]


def find_client_id(obj: dict[str, Any]) -> int | None:
    """The tenant an event's object belongs to: by its customer (the entitlement that holds it,
    else dj-stripe's customer row and its subscriber), else by the client id our checkout wrote
    into it, unless that tenant is already linked to another customer: an object of a customer
    nobody here knows never reaches a tenant that pays through a different one."""
    customer = id_of(obj.get("customer"))
    if customer:
        found = Entitlement.objects.filter(stripe_customer_id=customer).values_list("client_id", flat=True).first()
        if found is not None:
            return int(found)
        subscriber = (
            Customer.objects.filter(id=customer, subscriber__isnull=False)
            .values_list("subscriber_id", flat=True)
            .first()
        )
        if subscriber is not None:
            return int(subscriber)
    for candidate in _metadata_client_ids(obj):
        client_id = int(candidate)
        if not Client.objects.filter(pk=client_id).exists():
            continue
        linked = Entitlement.objects.filter(client_id=client_id).values_list("stripe_customer_id", flat=True).first()
        if linked and customer and linked != customer:
            logger.warning("stripe customer %s names client %s, which pays through %s", customer, client_id, linked)
            return None
        return client_id
    return None
