"""Stripe's webhook events, applied to tenants: the one write path for a paid subscription's state
and for invoices (billing.webhooks stores, the `billing.process_event` task applies).

Events come more than once and in any order. Each is applied once: its row is locked and only a
pending or failed event is applied, in the same transaction that marks it processed. Order is
restored by Stripe's `created` time: the entitlement and each invoice remember the `created` of
the event that set them (`state_at`), and an older event is stored and marked processed but
changes nothing, so a late `past_due` never undoes a newer `active`.

Lock order, always the same so two workers never deadlock: the event row, then the tenant's
entitlement row (or the invoice row).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from djstripe.models import Customer

from billing.entitlements import forget
from billing.models import Entitlement, Invoice, Plan, StripeEvent
from billing.selectors import default_plan
from tenants.models import Client

logger = logging.getLogger(__name__)

Status = Entitlement.Status

# A subscription in one of these states is the tenant's, whatever else comes along: an event
# of another subscription that is not live itself (an abandoned checkout) leaves it alone.
LIVE_STATUSES = frozenset({Status.TRIALING, Status.ACTIVE, Status.PAST_DUE})

# Stripe's subscription status -> ours. `incomplete_expired` is handled apart (back to the
# default plan); a paused subscription (a trial ended without a payment method) is not paid for.
SUBSCRIPTION_STATUSES: dict[str, str] = {
    "trialing": Status.TRIALING,
    "active": Status.ACTIVE,
    "past_due": Status.PAST_DUE,
    "canceled": Status.CANCELED,
    "unpaid": Status.UNPAID,
    "incomplete": Status.INCOMPLETE,
    "paused": Status.UNPAID,
}

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

# A price's lookup key when no plan holds its id: "<plan code>-monthly" or "<plan code>-yearly".
LOOKUP_KEY = re.compile(r"^(?P<code>[-a-z0-9_]+)-(?P<interval>monthly|yearly)$")
LOOKUP_INTERVALS = {"monthly": Entitlement.Interval.MONTH, "yearly": Entitlement.Interval.YEAR}

MAX_ERROR_LENGTH = 2000


class UnknownPrice(Exception):
    """A subscription's price belongs to no plan (plans not pushed or synced yet): the event
    fails and is applied by a later retry, once the plan holds the price."""


# -- storing ---------------------------------------------------------------------------------


def timestamp(value: object) -> datetime | None:
    """A Stripe time (seconds since the epoch) as an aware datetime; None when absent."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def record_event(event: dict[str, Any]) -> bool:
    """Store a verified event and have it applied after the commit. False when an event of
    that id is already stored (Stripe sends again when an answer was lost): nothing is written
    and nothing sent, the stored one is or will be applied."""
    created = timestamp(event["created"])
    assert created is not None  # billing.webhooks checked it is a number
    try:
        with transaction.atomic():
            StripeEvent.objects.create(
                id=event["id"],
                type=event["type"],
                created=created,
                livemode=bool(event.get("livemode", False)),
                api_version=str(event.get("api_version") or "")[:64],
                payload=event,
            )
            transaction.on_commit(lambda: _enqueue(event["id"]))
    except IntegrityError:
        return False
    return True


def _enqueue(event_id: str) -> None:
    from billing.tasks import process_event as process_event_task

    process_event_task.delay(event_id)


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
    """Failed events with attempts left, and pending ones received before `stale_before` (their
    task was lost: the broker restarted, or the commit hook never ran), oldest first."""
    return list(
        StripeEvent.objects.filter(
            Q(status=StripeEvent.Status.FAILED, attempts__lt=max_attempts)
            | Q(status=StripeEvent.Status.PENDING, received_at__lt=stale_before)
        )
        .order_by("created", "received_at")
        .values_list("pk", flat=True)
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
        return _apply_subscription
    if event_type in INVOICE_EVENTS:
        return _apply_invoice
    if event_type == CHECKOUT_COMPLETED:
        return _apply_checkout
    if event_type == TRIAL_WILL_END:
        return _apply_trial_will_end
    return None


# -- whose event -----------------------------------------------------------------------------


def id_of(value: object) -> str:
    """A reference to another Stripe object, expanded (an object with an id) or not (the id)."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


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


def _locked_entitlement(client_id: int) -> Entitlement:
    """The tenant's entitlement, locked; made on the default plan for a tenant older than billing."""
    entitlement = (
        Entitlement.objects.select_for_update(of=("self",))
        .select_related("client", "plan")
        .filter(client_id=client_id)
        .first()
    )
    if entitlement is None:
        Entitlement.objects.get_or_create(client_id=client_id, defaults={"plan": default_plan()})
        entitlement = (
            Entitlement.objects.select_for_update(of=("self",))
            .select_related("client", "plan")
            .get(client_id=client_id)
        )
    return entitlement


def _is_older(created: datetime, state_at: datetime | None) -> bool:
    return state_at is not None and created < state_at


# -- checkout --------------------------------------------------------------------------------


def _apply_checkout(event: StripeEvent, session: dict[str, Any], client_id: int) -> None:
    """Link the customer and the subscription the checkout made. The subscription's own events
    set its state; a checkout older than the state does not move the pointer back."""
    entitlement = _locked_entitlement(client_id)
    customer, subscription = id_of(session.get("customer")), id_of(session.get("subscription"))
    changed: list[str] = []
    if customer and entitlement.stripe_customer_id != customer:
        entitlement.stripe_customer_id = customer
        changed.append("stripe_customer_id")
    if (
        subscription
        and session.get("mode", "subscription") == "subscription"
        and entitlement.stripe_subscription_id != subscription
        and not _is_older(event.created, entitlement.state_at)
    ):
        entitlement.stripe_subscription_id = subscription
        changed.append("stripe_subscription_id")
    if changed:
        entitlement.save(update_fields=[*changed, "updated_at"])
        forget(client_id)


# -- subscriptions ---------------------------------------------------------------------------


def plan_for_price(price: dict[str, Any]) -> tuple[Plan, str] | None:
    """The plan a Stripe price belongs to and its interval: by the ids billing_push_plans
    stored, else by the price's lookup key."""
    price_id = id_of(price)
    if price_id:
        plan = Plan.objects.filter(Q(stripe_price_monthly_id=price_id) | Q(stripe_price_yearly_id=price_id)).first()
        if plan is not None:
            interval = (
                Entitlement.Interval.MONTH if plan.stripe_price_monthly_id == price_id else Entitlement.Interval.YEAR
            )
            return plan, _price_interval(price) or interval
    match = LOOKUP_KEY.match(str(price.get("lookup_key") or "")) if isinstance(price, dict) else None
    if match:
        plan = Plan.objects.filter(code=match["code"]).first()
        if plan is not None:
            return plan, _price_interval(price) or LOOKUP_INTERVALS[match["interval"]]
    return None


def _price_interval(price: dict[str, Any]) -> str:
    interval = (price.get("recurring") or {}).get("interval")
    return interval if interval in (Entitlement.Interval.MONTH, Entitlement.Interval.YEAR) else ""


def _first_item(subscription: dict[str, Any]) -> dict[str, Any]:
    items = (subscription.get("items") or {}).get("data") or []
    return items[0] if items and isinstance(items[0], dict) else {}


def _apply_subscription(event: StripeEvent, subscription: dict[str, Any], client_id: int) -> None:
    entitlement = _locked_entitlement(client_id)
    if _is_older(event.created, entitlement.state_at):
        return
    stripe_status = "canceled" if event.type == "customer.subscription.deleted" else str(subscription.get("status"))
    if stripe_status != "incomplete_expired" and stripe_status not in SUBSCRIPTION_STATUSES:
        raise ValueError(f"unknown subscription status {stripe_status!r}")
    status = SUBSCRIPTION_STATUSES.get(stripe_status, Status.FREE)
    subscription_id = id_of(subscription)
    if (
        subscription_id != entitlement.stripe_subscription_id
        and entitlement.status in LIVE_STATUSES
        and status not in LIVE_STATUSES
    ):
        return
    previous = entitlement.status
    if stripe_status == "incomplete_expired":
        _back_to_default_plan(entitlement)
    else:
        _take_subscription(entitlement, subscription, status, event.created)
    customer = id_of(subscription.get("customer"))
    if customer:
        entitlement.stripe_customer_id = customer
    entitlement.state_at = event.created
    entitlement.save()
    forget(client_id)
    if entitlement.status == Status.PAST_DUE and previous != Status.PAST_DUE:
        from billing.notify import notify_past_due

        notify_past_due(entitlement)


def _take_subscription(entitlement: Entitlement, subscription: dict[str, Any], status: str, at: datetime) -> None:
    """The entitlement as the subscription stands. A subscription replaces a staff comp."""
    was_past_due = entitlement.status == Status.PAST_DUE
    item = _first_item(subscription)
    found = plan_for_price(item.get("price") or {})
    if found is None:
        if status in LIVE_STATUSES or status == Status.INCOMPLETE:
            raise UnknownPrice(f"price {id_of(item.get('price'))!r} belongs to no plan")
        plan, interval = entitlement.plan, entitlement.interval
    else:
        plan, interval = found
    quantity = item.get("quantity") or subscription.get("quantity") or 1
    entitlement.plan = plan
    entitlement.interval = interval
    entitlement.status = status
    entitlement.quantity = int(quantity)
    entitlement.synced_quantity = int(quantity)
    entitlement.current_period_start = timestamp(
        item.get("current_period_start", subscription.get("current_period_start"))
    )
    entitlement.current_period_end = timestamp(item.get("current_period_end", subscription.get("current_period_end")))
    entitlement.trial_ends_at = timestamp(subscription.get("trial_end"))
    entitlement.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    # The grace period runs from the first failed payment of a spell, not from the latest.
    if status != Status.PAST_DUE:
        entitlement.past_due_since = None
    elif not was_past_due or entitlement.past_due_since is None:
        entitlement.past_due_since = at
    entitlement.stripe_subscription_id = id_of(subscription)
    entitlement.is_comped = False
    entitlement.comped_until = None


def _back_to_default_plan(entitlement: Entitlement) -> None:
    """The first payment never came (`incomplete_expired`): the tenant has no subscription."""
    entitlement.plan = default_plan()
    entitlement.status = Status.FREE
    entitlement.interval = ""
    entitlement.quantity = 1
    entitlement.synced_quantity = None
    entitlement.current_period_start = None
    entitlement.current_period_end = None
    entitlement.trial_ends_at = None
    entitlement.cancel_at_period_end = False
    entitlement.past_due_since = None
    entitlement.stripe_subscription_id = ""
    entitlement.is_comped = False
    entitlement.comped_until = None


def _apply_trial_will_end(event: StripeEvent, subscription: dict[str, Any], client_id: int) -> None:
    """Stripe's notice three days before a trial ends: the owners hear of it, once (the event
    is applied once), while the trial is still the tenant's current one."""
    entitlement = _locked_entitlement(client_id)
    if (
        entitlement.status != Status.TRIALING
        or entitlement.stripe_subscription_id != id_of(subscription)
        or subscription.get("status") != "trialing"
    ):
        return
    from billing.notify import notify_trial_ending

    notify_trial_ending(entitlement, trial_ends_at=timestamp(subscription.get("trial_end")))


# -- invoices --------------------------------------------------------------------------------


def _invoice_values(invoice: dict[str, Any]) -> dict[str, Any]:
    created = timestamp(invoice.get("created"))
    if created is None:
        raise ValueError("an invoice without `created`")
    return {
        "number": str(invoice.get("number") or "")[:64],
        "status": str(invoice.get("status") or "")[:32],
        "total_cents": int(invoice.get("total") or 0),
        "amount_due_cents": int(invoice.get("amount_due") or 0),
        "currency": str(invoice.get("currency") or "usd")[:3],
        "created_at": created,
        "period_end": timestamp(invoice.get("period_end")),
        "hosted_url": str(invoice.get("hosted_invoice_url") or ""),
        "pdf_url": str(invoice.get("invoice_pdf") or ""),
    }


def _apply_invoice(event: StripeEvent, invoice: dict[str, Any], client_id: int) -> None:
    stripe_id = id_of(invoice)
    if not stripe_id:
        raise ValueError("an invoice without an id")
    values = _invoice_values(invoice)
    row = Invoice.objects.select_for_update().filter(stripe_id=stripe_id).first()
    if row is None:
        try:
            with transaction.atomic():
                Invoice.objects.create(stripe_id=stripe_id, client_id=client_id, state_at=event.created, **values)
            return
        except IntegrityError:  # another worker stored it first: compare with its state
            row = Invoice.objects.select_for_update().get(stripe_id=stripe_id)
    if row.client_id != client_id:
        # Stripe ids are unique, so this means a customer moved between tenants: keep the
        # invoice where it was rather than show one tenant's invoice to another.
        logger.warning("invoice %s of client %s named by an event of client %s", stripe_id, row.client_id, client_id)
        return
    if _is_older(event.created, row.state_at):
        return
    for field, value in values.items():
        setattr(row, field, value)
    row.state_at = event.created
    row.save()
