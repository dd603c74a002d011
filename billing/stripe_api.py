"""The one module that calls Stripe. Every call names the pinned API version
(settings.STRIPE_API_VERSION) and dj-stripe's secret key, so answers and webhook payloads keep
one shape whatever the account's default version is.

Nothing here runs inside a request that sends a message or uploads a file: seat counts reach
Stripe from billing.seats and usage from billing.meters, both Celery tasks. The subscription's
state is never read back from these answers either; it arrives through webhooks
(billing.events), so an answer lost on the way changes nothing the product relies on.

In test mode (settings.BILLING_TEST_MODE) stripe-python's transport is billing.fake_stripe, so
these functions run unchanged and nothing reaches Stripe.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any, cast

import stripe
from django.conf import settings
from djstripe.models import Customer as DjCustomer
from djstripe.models import Price as DjPrice
from djstripe.models import Product as DjProduct
from djstripe.models import WebhookEndpoint
from djstripe.settings import djstripe_settings

from billing.actions import do_link_customer, do_record_synced_quantity, do_set_plan_stripe_ids
from billing.models import Entitlement, Plan
from tenants.models import Client

# dj-stripe's own follow-up calls (a product's features when it syncs one) name no version:
# the library default would differ from the pinned one.
stripe.api_version = settings.STRIPE_API_VERSION

# What billing.events handles; the endpoint asks Stripe for these only.
WEBHOOK_EVENTS = [
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "customer.subscription.trial_will_end",
    "invoice.created",
    "invoice.finalized",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.payment_succeeded",
    "invoice.updated",
    "invoice.voided",
    "invoice.marked_uncollectible",
]
WEBHOOK_PATH = "/stripe/webhook/"
LOOKUP_SUFFIX = {"month": "monthly", "year": "yearly"}


class PlanNotForSale(Exception):
    """The plan has no Stripe price for that interval (free, or not pushed yet:
    `manage.py billing_setup`)."""


def _options() -> dict[str, Any]:
    return {"api_key": djstripe_settings.STRIPE_SECRET_KEY, "stripe_version": settings.STRIPE_API_VERSION}


def lookup_key(plan: Plan, interval: str) -> str:
    """How a Stripe price is found back as a plan when its id is not on the Plan row."""
    return f"{plan.code}-{LOOKUP_SUFFIX[interval]}"


def ensure_customer(*, client: Client) -> str:
    """The tenant's Stripe customer id, created through dj-stripe on first need (subscriber =
    the tenant, metadata client_id) and kept on its Entitlement. dj-stripe's idempotency key
    per subscriber makes two first needs at once end with one customer."""
    known = Entitlement.objects.filter(client=client).values_list("stripe_customer_id", flat=True).first()
    if known:
        return known
    customer, _ = DjCustomer.get_or_create(
        subscriber=client, api_key=djstripe_settings.STRIPE_SECRET_KEY, metadata={"client_id": str(client.pk)}
    )
    do_link_customer(client=client, customer_id=customer.id)
    return str(customer.id)


def checkout_url(*, client: Client, plan: Plan, interval: str, seats: int, success_url: str, cancel_url: str) -> str:
    """A Stripe Checkout page subscribing the tenant to `plan` for `seats` seats. A trial is
    offered only to a tenant that never had one."""
    price_id = _price_id(plan, interval)
    if not price_id and settings.BILLING_TEST_MODE:
        # The stand-in's account starts empty (a fresh Redis): sell the plan as billing_setup would.
        push_plan(plan=plan)
        price_id = _price_id(plan, interval)
    if not price_id:
        raise PlanNotForSale(f"{plan.name} has no {interval}ly price on Stripe.")
    customer_id = ensure_customer(client=client)
    had_trial = Entitlement.objects.filter(client=client, trial_ends_at__isnull=False).exists()
    subscription_data: dict[str, Any] = {"metadata": {"client_id": str(client.pk), "plan": plan.code}}
    if plan.trial_days and not had_trial:
        subscription_data["trial_period_days"] = plan.trial_days
    session = stripe.checkout.Session.create(
        mode="subscription",
        customer=customer_id,
        client_reference_id=str(client.pk),
        line_items=[{"price": price_id, "quantity": max(seats, 1)}],
        subscription_data=cast(Any, subscription_data),
        metadata={"client_id": str(client.pk), "plan": plan.code},
        allow_promotion_codes=True,
        success_url=success_url,
        cancel_url=cancel_url,
        **_options(),
    )
    return str(session.url)


def _price_id(plan: Plan, interval: str) -> str:
    return plan.stripe_price_monthly_id if interval == Entitlement.Interval.MONTH else plan.stripe_price_yearly_id


def portal_url(*, client: Client, return_url: str) -> str:
    """Stripe's customer portal for the tenant (cards, invoices, cancellation)."""
    session = stripe.billing_portal.Session.create(
        customer=ensure_customer(client=client), return_url=return_url, **_options()
    )
    return str(session.url)


def set_quantity(*, entitlement: Entitlement, quantity: int) -> None:
    """Set the subscription's seat count, prorated as settings.BILLING_PRORATION_BEHAVIOR says.

    The idempotency key names the change and the sync window (billing.seats pushes a tenant at
    most once per window), so a retry after a lost answer is applied once while a later change
    back to the same number is a new request."""
    subscription = stripe.Subscription.retrieve(entitlement.stripe_subscription_id, **_options())
    item_id = subscription["items"]["data"][0]["id"]
    window = int(time.time()) // max(settings.BILLING_SEAT_SYNC_SECONDS, 1)
    stripe.SubscriptionItem.modify(
        item_id,
        quantity=quantity,
        proration_behavior=settings.BILLING_PRORATION_BEHAVIOR,
        idempotency_key=f"seats-{item_id}-{entitlement.synced_quantity}-{quantity}-{window}",
        **_options(),
    )
    do_record_synced_quantity(entitlement=entitlement, quantity=quantity)


def cancel_subscription(*, entitlement: Entitlement, at_period_end: bool) -> None:
    """Staff: end the subscription now, or let it run to the end of the paid period."""
    if at_period_end:
        stripe.Subscription.modify(entitlement.stripe_subscription_id, cancel_at_period_end=True, **_options())
    else:
        stripe.Subscription.cancel(entitlement.stripe_subscription_id, **_options())


def extend_trial(*, entitlement: Entitlement, until: datetime) -> None:
    """Staff: move a trialing subscription's trial end (no proration: nothing was charged)."""
    stripe.Subscription.modify(
        entitlement.stripe_subscription_id,
        trial_end=int(until.timestamp()),
        proration_behavior="none",
        **_options(),
    )


def report_meter_event(*, event_name: str, customer_id: str, value: int, identifier: str, timestamp: datetime) -> None:
    """Send usage to a Stripe Billing Meter. Stripe counts an `identifier` once, so sending a
    report again after a lost answer never counts it twice."""
    stripe.billing.MeterEvent.create(
        event_name=event_name,
        payload={"stripe_customer_id": customer_id, "value": str(value)},
        identifier=identifier,
        timestamp=int(timestamp.timestamp()),
        **_options(),
    )


def push_plan(*, plan: Plan) -> None:
    """Create or update the plan's Stripe product, and its monthly and yearly per-seat prices
    when missing or when the amount changed (a Stripe price's amount cannot change: a new price
    takes over the lookup key and the old one is archived; subscriptions keep theirs). Free
    plans and zero amounts get no price. dj-stripe's rows and the Plan's ids follow."""
    product_fields: dict[str, Any] = {"name": plan.name, "metadata": {"plan": plan.code}, "active": True}
    if plan.tagline:
        product_fields["description"] = plan.tagline
    product = None
    if plan.stripe_product_id:
        try:
            product = stripe.Product.modify(plan.stripe_product_id, **product_fields, **_options())
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404:
                raise
    if product is None:
        product = stripe.Product.create(**product_fields, **_options())
    DjProduct.sync_from_stripe_data(product, api_key=djstripe_settings.STRIPE_SECRET_KEY)
    price_ids = {
        interval: _push_price(plan=plan, product_id=product.id, interval=interval, amount=amount)
        for interval, amount in (("month", plan.monthly_price_cents), ("year", plan.yearly_price_cents))
    }
    do_set_plan_stripe_ids(
        plan=plan, product_id=product.id, monthly_price_id=price_ids["month"], yearly_price_id=price_ids["year"]
    )


def _push_price(*, plan: Plan, product_id: str, interval: str, amount: int) -> str:
    """The id of the active price for `amount` per seat, made if needed ("" for no price)."""
    key = lookup_key(plan, interval)
    found = stripe.Price.list(lookup_keys=[key], limit=1, **_options()).data
    current = found[0] if found else None
    if (
        current is not None
        and current.active
        and current.unit_amount == amount
        and current.currency == plan.currency.lower()
        and current.product == product_id
        and current.recurring is not None
        and current.recurring.interval == interval
    ):
        price = current
    elif amount <= 0:
        price = None
    else:
        price = stripe.Price.create(
            product=product_id,
            currency=plan.currency.lower(),
            unit_amount=amount,
            recurring={"interval": interval, "usage_type": "licensed"},
            lookup_key=key,
            transfer_lookup_key=True,
            nickname=f"{plan.name} ({LOOKUP_SUFFIX[interval]}, per seat)",
            metadata={"plan": plan.code},
            **_options(),
        )
    replaced = {current.id if current is not None else "", getattr(plan, f"stripe_price_{LOOKUP_SUFFIX[interval]}_id")}
    for old_id in replaced - {"", price.id if price is not None else ""}:
        try:
            archived = stripe.Price.modify(old_id, active=False, **_options())
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404:  # a price Stripe no longer knows has nothing to archive
                raise
            continue
        DjPrice.sync_from_stripe_data(archived, api_key=djstripe_settings.STRIPE_SECRET_KEY)
    if price is None:
        return ""
    DjPrice.sync_from_stripe_data(price, api_key=djstripe_settings.STRIPE_SECRET_KEY)
    return str(price.id)


def ensure_webhook_endpoint(*, base_url: str) -> WebhookEndpoint:
    """dj-stripe's endpoint row for `<base_url>/stripe/webhook/<djstripe_uuid>/`, registered on
    Stripe with the pinned API version and the events billing handles; its signing secret is
    kept by dj-stripe. Idempotent: a row whose URL starts with the base and that Stripe still
    knows is reused."""
    prefix = base_url.rstrip("/") + WEBHOOK_PATH
    for endpoint in WebhookEndpoint.objects.filter(url__startswith=prefix).order_by("-created"):
        try:
            found = stripe.WebhookEndpoint.retrieve(endpoint.id, **_options())
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404:
                raise
            endpoint.delete()
            continue
        if found.status == "enabled" and endpoint.secret:
            return endpoint
    endpoint_uuid = uuid.uuid4()
    created = stripe.WebhookEndpoint.create(
        url=f"{prefix}{endpoint_uuid}/",
        api_version=settings.STRIPE_API_VERSION,
        enabled_events=cast(Any, WEBHOOK_EVENTS),
        metadata={"djstripe_uuid": str(endpoint_uuid)},
        description="Workspace billing",
        **_options(),
    )
    endpoint = WebhookEndpoint.sync_from_stripe_data(created, api_key=djstripe_settings.STRIPE_SECRET_KEY)
    endpoint.djstripe_uuid = endpoint_uuid
    endpoint.secret = created.secret
    endpoint.save(update_fields=["djstripe_uuid", "secret"])
    return endpoint
