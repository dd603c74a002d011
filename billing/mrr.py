"""Monthly recurring revenue of one subscription: the one rule, for billing's admin, the staff
client list, the overview's totals and the revenue history (analytics.platform).

A subscription brings MRR while it bills: `active`, or `past_due` (still subscribed while Stripe
retries the payment). A trial, a plan given by staff (comped), the free plan and every ended or
unstarted state bring nothing. A yearly price counts a twelfth a month, rounded down to the cent.
Metered prices (no unit amount) bring nothing here: usage is not recurring revenue.

`mrr_cents` is the rule; `mrr_expression` is the same rule as SQL, so 1,000 clients are summed
and sorted by the database (tests hold the two against each other for every status).
"""

from __future__ import annotations

from django.db.models import BigIntegerField, Case, F, Q, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast

from billing.models import Entitlement

# Stripe's subscription statuses and the entitlement's share these values.
PAYING_STATUSES = frozenset({Entitlement.Status.ACTIVE.value, Entitlement.Status.PAST_DUE.value})
TRIAL_STATUS = Entitlement.Status.TRIALING.value
YEAR = Entitlement.Interval.YEAR.value


def mrr_cents(*, status: str, interval: str, unit_cents: int | None, quantity: int, comped: bool = False) -> int:
    """What the subscription brings a month, in the smallest unit of its currency."""
    if comped or status not in PAYING_STATUSES or not unit_cents or quantity <= 0:
        return 0
    total = unit_cents * quantity
    return total // 12 if interval == YEAR else total


def mrr_expression(prefix: str = "entitlement__") -> Combinable:
    """`mrr_cents` over an entitlement reached through `prefix` (plan price by interval times
    the seats paid for); 0 when there is no entitlement."""

    def field(name: str) -> Cast:
        return Cast(F(f"{prefix}{name}"), BigIntegerField())

    per_month = Case(
        When(**{f"{prefix}interval": YEAR}, then=field("plan__yearly_price_cents") * field("quantity") / 12),
        default=field("plan__monthly_price_cents") * field("quantity"),
        output_field=BigIntegerField(),
    )
    bills = Q(
        **{f"{prefix}is_comped": False, f"{prefix}status__in": sorted(PAYING_STATUSES), f"{prefix}quantity__gt": 0}
    )
    return Case(When(bills, then=per_month), default=Value(0), output_field=BigIntegerField())


def entitlement_mrr(entitlement: Entitlement) -> int:
    """`mrr_cents` of a loaded entitlement (its plan's price for its interval)."""
    plan = entitlement.plan
    unit = plan.yearly_price_cents if entitlement.interval == YEAR else plan.monthly_price_cents
    return mrr_cents(
        status=entitlement.status,
        interval=entitlement.interval,
        unit_cents=unit,
        quantity=entitlement.quantity,
        comped=entitlement.is_comped,
    )
