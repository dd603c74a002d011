"""Billing's Celery tasks. All run in the public schema, where billing's tables are: they are
sent from public-schema code (the webhook view, beat), and each enters it explicitly anyway."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from billing import events
from billing.models import StripeEvent
from config.celery import app
from tenants.db import in_public

logger = logging.getLogger(__name__)

# Retries of one delivery, 1, 2, 4 and 8 minutes apart; the nightly sweep takes over after.
TASK_RETRIES = 4
RETRY_SECONDS = 60
# A pending event older than this lost its task (a broker restart, a process killed between
# storing and sending): the minute's sweep applies it.
STALE_PENDING = timedelta(minutes=1)


# No result kept: the event row holds the outcome, and a result write per event slowed the
# webhook's answer, which sends the task (bench/billing.py).
@app.task(name="billing.process_event", bind=True, acks_late=True, ignore_result=True, max_retries=TASK_RETRIES)
def process_event(self: Any, event_id: str) -> str | None:
    """Apply one stored Stripe event. Idempotent: an event already applied is skipped under
    its row lock, so a redelivery or a duplicate task changes nothing."""
    with in_public():
        status = events.process_event(event_id)
        attempts = StripeEvent.objects.filter(pk=event_id).values_list("attempts", flat=True).first() or 0
    failed = status == StripeEvent.Status.FAILED
    if failed and attempts < settings.BILLING_EVENT_MAX_ATTEMPTS and self.request.retries < TASK_RETRIES:
        raise self.retry(countdown=RETRY_SECONDS * 2**self.request.retries)
    return status


@app.task(name="billing.process_events", acks_late=True, ignore_result=True)
def process_events(event_ids: list[str]) -> None:
    """Apply stored Stripe events in the order given (billing.webhook_asgi sends those that came
    together in one task). An event that fails goes on alone, with `process_event`'s retries."""
    with in_public():
        for event_id in event_ids:
            if events.process_event(event_id) == StripeEvent.Status.FAILED:
                process_event.apply_async((event_id,), countdown=RETRY_SECONDS)


@app.task(name="billing.sweep_pending_events", acks_late=True, ignore_result=True)
def sweep_pending_events() -> None:
    """Beat, every minute: events stored but never sent to a worker are applied."""
    with in_public():
        lost = events.stale_pending(before=timezone.now() - STALE_PENDING)
    if lost:
        logger.warning("stripe events applied by the sweep (their task was lost): %d", len(lost))
        process_events(lost)


@app.task(name="billing.retry_failed_events", acks_late=True)
def retry_failed_events() -> dict[str, int]:
    """Beat, nightly: apply again the failed events with attempts left, and the pending ones
    whose task was lost, oldest first. Returns how many ended in each status."""
    outcome: dict[str, int] = {}
    with in_public():
        ids = events.events_to_retry(
            max_attempts=settings.BILLING_EVENT_MAX_ATTEMPTS, stale_before=timezone.now() - STALE_PENDING
        )
        for event_id in ids:
            status = events.process_event(event_id) or "gone"
            outcome[status] = outcome.get(status, 0) + 1
    if ids:
        logger.info("stripe events retried: %s", outcome)
    return outcome


@app.task(name="billing.end_expired_comps", acks_late=True)
def end_expired_comps() -> int:
    """Beat, daily: workspaces whose complimentary plan has run out go back to the default plan."""
    from billing.actions import do_end_expired_comps

    with in_public():
        return do_end_expired_comps()


# Tasks defined beside their logic, registered with the worker through this module.
from billing import meters, seats  # noqa: E402, F401
