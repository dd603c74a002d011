"""Seats reach Stripe from here, never from a request: adding a person changes `Usage.seats`
in that person's transaction, and this task (beat, every minute) sets the subscription's
quantity to it, at most once per BILLING_SEAT_SYNC_SECONDS per tenant so a burst of
invitations makes one prorated change, not twenty.
"""

from __future__ import annotations

import logging

import stripe
from celery import shared_task
from django.conf import settings
from django.db.models import F, Q

from billing import stripe_api
from billing.models import Entitlement
from config.cache import cache
from tenants.db import in_public

logger = logging.getLogger(__name__)

# Statuses whose subscription Stripe still bills and lets us change.
SYNCED_STATUSES = (Entitlement.Status.TRIALING, Entitlement.Status.ACTIVE, Entitlement.Status.PAST_DUE)


def _debounce_key(client_id: int) -> str:
    return f"billing:seat-sync:{client_id}"


def entitlements_to_sync() -> list[Entitlement]:
    """Subscribed tenants whose seat count differs from what Stripe bills."""
    return list(
        Entitlement.objects.filter(status__in=SYNCED_STATUSES)
        .exclude(stripe_subscription_id="")
        .filter(client__usage__isnull=False)
        .filter(Q(synced_quantity__isnull=True) | ~Q(synced_quantity=F("client__usage__seats")))
        .select_related("client__usage")
        .order_by("pk")
    )


def sync_seats() -> dict[str, int]:
    """Push every differing seat count whose tenant was not pushed within the window.
    Returns how many were pushed, waited (debounced) and failed (tried again next run)."""
    outcome = {"pushed": 0, "waiting": 0, "failed": 0}
    for entitlement in entitlements_to_sync():
        seats = max(entitlement.client.usage.seats, 1)
        if seats == entitlement.synced_quantity:
            continue
        # Taken before the call, so two runs at once never push one tenant twice.
        if not cache.add(_debounce_key(entitlement.client_id), 1, timeout=settings.BILLING_SEAT_SYNC_SECONDS):
            outcome["waiting"] += 1
            continue
        try:
            stripe_api.set_quantity(entitlement=entitlement, quantity=seats)
        except stripe.StripeError:
            logger.exception("seat sync of client %s failed", entitlement.client_id)
            cache.delete(_debounce_key(entitlement.client_id))
            outcome["failed"] += 1
        else:
            outcome["pushed"] += 1
    return outcome


@shared_task(name="billing.sync_seats", acks_late=True)
def sync_seats_task() -> dict[str, int]:
    """Beat, every minute. Idempotent: a redelivered run finds the counts already equal."""
    with in_public():
        return sync_seats()
