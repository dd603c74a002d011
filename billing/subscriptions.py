"""A tenant's subscription as Stripe's events tell it: checkout links the customer, the
subscription's own events set the entitlement (plan, status, period), Stripe's trial notice
mails the owners. Called by billing.events, with the event row locked; each function then locks
the tenant's entitlement (always in that order, so two workers never deadlock).

Order is restored by Stripe's `created` time: the entitlement remembers the `created` of the
event that set it (`state_at`), and an older event changes nothing, so a late `past_due` never
undoes a newer `active`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db.models import Q

from billing.entitlements import forget
from billing.models import Entitlement, Plan, StripeEvent
from billing.selectors import default_plan
from billing.stripe_data import id_of, is_older, timestamp

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

# A price's lookup key when no plan holds its id: "<plan code>-monthly" or "<plan code>-yearly".
LOOKUP_KEY = re.compile(r"^(?P<code>[-a-z0-9_]+)-(?P<interval>monthly|yearly)$")
LOOKUP_INTERVALS = {"monthly": Entitlement.Interval.MONTH, "yearly": Entitlement.Interval.YEAR}


class UnknownPrice(Exception):
    """A subscription's price belongs to no plan (plans not pushed or synced yet): the event
    fails and is applied by a later retry, once the plan holds the price."""


def locked_entitlement(client_id: int) -> Entitlement:
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


def apply_checkout(event: StripeEvent, session: dict[str, Any], client_id: int) -> None:
    """Link the customer and the subscription the checkout made. The subscription's own events
    set its state; a checkout older than the state does not move the pointer back."""
    entitlement = locked_entitlement(client_id)
    customer, subscription = id_of(session.get("customer")), id_of(session.get("subscription"))
    changed: list[str] = []
    if customer and entitlement.stripe_customer_id != customer:
        entitlement.stripe_customer_id = customer
        changed.append("stripe_customer_id")
    if (
        subscription
        and session.get("mode", "subscription") == "subscription"
        and entitlement.stripe_subscription_id != subscription
        and not is_older(event.created, entitlement.state_at)
    ):
        entitlement.stripe_subscription_id = subscription
        changed.append("stripe_subscription_id")
    if changed:
        entitlement.save(update_fields=[*changed, "updated_at"])
        forget(client_id)


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


def apply_subscription(event: StripeEvent, subscription: dict[str, Any], client_id: int) -> None:
    entitlement = locked_entitlement(client_id)
    if is_older(event.created, entitlement.state_at):
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
        back_to_default_plan(entitlement)
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


def back_to_default_plan(entitlement: Entitlement) -> None:
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


def apply_trial_will_end(event: StripeEvent, subscription: dict[str, Any], client_id: int) -> None:
    """Stripe's notice three days before a trial ends: the owners hear of it, once (the event
    is applied once), while the trial is still the tenant's current one."""
    entitlement = locked_entitlement(client_id)
    if (
        entitlement.status != Status.TRIALING
        or entitlement.stripe_subscription_id != id_of(subscription)
        or subscription.get("status") != "trialing"
    ):
        return
    from billing.notify import notify_trial_ending

    notify_trial_ending(entitlement, trial_ends_at=timestamp(subscription.get("trial_end")))
