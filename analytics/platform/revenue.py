"""MRR month by month, from the subscription events Stripe signed.

The source: `billing.StripeEvent`, the `customer.subscription.*` events applied to a client
(their `client` is set once processed). Each carries the whole subscription as it stood at the
event's `created` time (items with price and quantity, status), so replaying them in that order
gives every subscription's MRR at any past instant, and each month end is read from it. The
other sources hold only the present: dj-stripe's Subscription, SubscriptionItem and Price rows
and billing's `Entitlement` are overwritten by each event (`previous_attributes` keeps one step
back, not a history), and paid invoices are cash (a yearly plan is one lump, prorations are
mixed in), not recurring revenue.

So what staff give without Stripe (a comped plan) is not revenue here, as it is not in
`billing.mrr`. Amounts are summed in the smallest unit of the plans' one currency.
Month ends are UTC; the current month ends now (month to date).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from analytics.platform.movements import Movements, month_movements
from billing.events import SUBSCRIPTION_EVENTS
from billing.models import StripeEvent
from billing.mrr import mrr_cents
from billing.stripe_data import id_of
from billing.subscriptions import plan_for_price

MONTHS_SHOWN = 12


@dataclass(frozen=True)
class Change:
    """A subscription's MRR from `at` on (until its next change)."""

    at: datetime
    client_id: int
    subscription_id: str
    mrr_cents: int


@dataclass(frozen=True)
class MonthRow:
    month: date  # the first day of the month
    mrr_cents: int  # at the month's end (now, for the current month)
    movements: Movements
    paying_clients: int


def month_start(day: date) -> datetime:
    return datetime(day.year, day.month, 1, tzinfo=UTC)


def add_months(day: date, count: int) -> date:
    index = day.year * 12 + day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def subscription_mrr(subscription: dict[str, Any], prices: dict[str, tuple[str, int | None]]) -> int:
    """`mrr_cents` of a subscription object as an event carries it: the sum over its items.
    A price not expanded in the payload (or without an amount) is the plan's that holds it;
    `prices` keeps what was looked up, by price id."""
    status = str(subscription.get("status") or "")
    total = 0
    for item in (subscription.get("items") or {}).get("data") or []:
        if not isinstance(item, dict):
            continue
        interval, unit = _price_terms(item.get("price"), prices)
        quantity = item.get("quantity")
        quantity = quantity if isinstance(quantity, int) and not isinstance(quantity, bool) else 1
        total += mrr_cents(status=status, interval=interval, unit_cents=unit, quantity=quantity)
    return total


def _price_terms(price: Any, prices: dict[str, tuple[str, int | None]]) -> tuple[str, int | None]:
    if isinstance(price, dict):
        unit = price.get("unit_amount")
        interval = (price.get("recurring") or {}).get("interval")
        if isinstance(unit, int) and not isinstance(unit, bool) and isinstance(interval, str):
            return interval, unit
    price_id = id_of(price)
    if price_id not in prices:
        found = plan_for_price(price if isinstance(price, dict) else {"id": price_id})
        if found is None:
            prices[price_id] = ("", None)
        else:
            plan, interval = found
            prices[price_id] = (interval, plan.yearly_price_cents if interval == "year" else plan.monthly_price_cents)
    return prices[price_id]


def changes(*, until: datetime) -> Iterator[Change]:
    """Every subscription's MRR changes before `until`, oldest first."""
    rows = (
        StripeEvent.objects.filter(type__in=sorted(SUBSCRIPTION_EVENTS), client__isnull=False, created__lt=until)
        .order_by("created", "received_at")
        .values_list("client_id", "created", "payload__data__object")
    )
    prices: dict[str, tuple[str, int | None]] = {}
    for client_id, created, subscription in rows.iterator(chunk_size=2000):
        if isinstance(subscription, dict) and id_of(subscription):
            yield Change(created, client_id, id_of(subscription), subscription_mrr(subscription, prices))


def monthly(changes: Iterable[Change], *, first: date, last: date, now: datetime) -> list[MonthRow]:
    """One row per month from `first` to `last` (first days of months), from `changes` sorted
    by time. A month's end is the next month's first instant, or `now` when that is earlier."""
    by_subscription: dict[str, tuple[int, int]] = {}
    paid_earlier: set[int] = set()

    def at_end() -> dict[int, int]:
        per_client: dict[int, int] = {}
        for client_id, cents in by_subscription.values():
            per_client[client_id] = per_client.get(client_id, 0) + cents
        return {client_id: cents for client_id, cents in per_client.items() if cents > 0}

    pending = iter(changes)
    change = next(pending, None)

    def replay(until: datetime) -> None:
        nonlocal change
        while change is not None and change.at < until:
            by_subscription[change.subscription_id] = (change.client_id, change.mrr_cents)
            change = next(pending, None)

    # From the oldest change on, so "paid at an earlier month end" looks back past the window.
    month = first if change is None else min(first, first_of_month(change.at))
    replay(month_start(month))
    before = at_end()
    paid_earlier.update(before)
    rows = []
    while month <= last:
        replay(min(month_start(add_months(month, 1)), now))
        after = at_end()
        if month >= first:
            rows.append(
                MonthRow(
                    month=month,
                    mrr_cents=sum(after.values()),
                    movements=month_movements(before, after, paid_earlier=paid_earlier),
                    paying_clients=len(after),
                )
            )
        # Paid at any month end so far: a later first payment is a return, not a new client.
        paid_earlier.update(after)
        before = after
        month = add_months(month, 1)
    return rows


def first_of_month(moment: datetime) -> date:
    moment = moment.astimezone(UTC)
    return date(moment.year, moment.month, 1)


def revenue_history(*, last: date, now: datetime, months: int = MONTHS_SHOWN) -> list[MonthRow]:
    """The `months` months ending with `last` (a first day of a month, not after now's)."""
    first = add_months(last, 1 - months)
    until = min(month_start(add_months(last, 1)), now)
    return monthly(changes(until=until), first=first, last=last, now=now)
