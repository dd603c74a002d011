"""Stripe objects as API version 2026-05-27.dahlia shapes them, built and changed the way Stripe
would. Every function here runs under `state.locked()` and stores what it changes.

In this version a subscription's period lives on its items (`items.data[].current_period_*`)
and an invoice names its subscription under `parent.subscription_details.subscription`.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

from billing.fake_stripe import state
from billing.fake_stripe.state import Obj
from tenants.urls_helpers import platform_url

DAY = 24 * 60 * 60


def listing(data: list[Obj], url: str) -> Obj:
    return {"object": "list", "data": data, "has_more": False, "url": url}


def add_interval(start: int, interval: str, count: int = 1) -> int:
    """`start` moved on by whole calendar months or years, as Stripe bills (Jan 31 -> Feb 28)."""
    moment = datetime.fromtimestamp(start, tz=UTC)
    months = count * (12 if interval == "year" else 1) if interval in ("month", "year") else 0
    if not months:
        return start + count * (7 * DAY if interval == "week" else DAY)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def customer(params: dict[str, Any]) -> Obj:
    return {
        "id": state.new_id("cus"),
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": state.now(),
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": params.get("description"),
        "email": params.get("email"),
        "invoice_prefix": state.new_id("x")[2:10].upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": params.get("metadata") or {},
        "name": params.get("name"),
        "next_invoice_sequence": 1,
        "phone": params.get("phone"),
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


def product(params: dict[str, Any]) -> Obj:
    created = state.now()
    return {
        "id": params.get("id") or state.new_id("prod"),
        "object": "product",
        "active": as_bool(params.get("active", True)),
        "created": created,
        "default_price": None,
        "description": params.get("description"),
        "images": [],
        "livemode": False,
        "marketing_features": [],
        "metadata": params.get("metadata") or {},
        "name": params.get("name", ""),
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "type": "service",
        "unit_label": params.get("unit_label"),
        "updated": created,
        "url": None,
    }


def price(params: dict[str, Any]) -> Obj:
    recurring = params.get("recurring")
    amount = int(params.get("unit_amount", 0))
    return {
        "id": state.new_id("price"),
        "object": "price",
        "active": as_bool(params.get("active", True)),
        "billing_scheme": "per_unit",
        "created": state.now(),
        "currency": params.get("currency", "usd").lower(),
        "custom_unit_amount": None,
        "livemode": False,
        "lookup_key": params.get("lookup_key"),
        "metadata": params.get("metadata") or {},
        "nickname": params.get("nickname"),
        "product": params.get("product"),
        "recurring": None
        if not recurring
        else {
            "interval": recurring.get("interval", "month"),
            "interval_count": int(recurring.get("interval_count", 1)),
            "meter": None,
            "usage_type": recurring.get("usage_type", "licensed"),
        },
        "tax_behavior": params.get("tax_behavior", "unspecified"),
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": amount,
        "unit_amount_decimal": str(amount),
    }


def subscription(
    *, customer_id: str, price_obj: Obj, quantity: int, metadata: dict[str, Any], trial_days: int
) -> tuple[Obj, Obj]:
    """A new subscription after a completed checkout, and its first invoice, still to be paid
    (zero during a trial)."""
    start = state.now()
    sub_id = state.new_id("sub")
    interval = (price_obj.get("recurring") or {}).get("interval", "month")
    trial_end = start + trial_days * DAY if trial_days else None
    period_end = trial_end or add_interval(start, interval)
    item = {
        "id": state.new_id("si"),
        "object": "subscription_item",
        "created": start,
        "current_period_end": period_end,
        "current_period_start": start,
        "discounts": [],
        "metadata": {},
        "price": price_obj,
        "quantity": quantity,
        "subscription": sub_id,
        "tax_rates": [],
    }
    sub = {
        "id": sub_id,
        "object": "subscription",
        "application": None,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor": period_end,
        "billing_mode": {"flexible": None, "type": "classic"},
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically",
        "created": start,
        "currency": price_obj["currency"],
        "customer": customer_id,
        "days_until_due": None,
        "default_payment_method": None,
        "description": None,
        "discounts": [],
        "ended_at": None,
        "items": listing([item], f"/v1/subscription_items?subscription={sub_id}") | {"total_count": 1},
        "latest_invoice": None,
        "livemode": False,
        "metadata": metadata,
        "pending_update": None,
        "start_date": start,
        "status": "trialing" if trial_end else "active",
        "test_clock": None,
        "trial_end": trial_end,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": start if trial_end else None,
    }
    invoice_obj = invoice(sub=sub, amount=0 if trial_end else None, reason="subscription_create")
    sub["latest_invoice"] = invoice_obj["id"]
    return sub, invoice_obj


def item_of(sub: Obj) -> Obj:
    return sub["items"]["data"][0]


def invoice(*, sub: Obj, amount: int | None = None, reason: str = "subscription_cycle") -> Obj:
    """A finalized, open invoice for the subscription's current period (`amount` None: price
    times quantity)."""
    item = item_of(sub)
    price_obj = item["price"]
    total = price_obj["unit_amount"] * item["quantity"] if amount is None else amount
    created = state.now()
    invoice_id = state.new_id("in")
    customer_obj = state.get(sub["customer"]) or {}
    sequence = int(customer_obj.get("next_invoice_sequence", 1))
    if customer_obj:
        customer_obj["next_invoice_sequence"] = sequence + 1
        state.put(customer_obj)
    hosted = platform_url(f"/billing/test-invoice/{invoice_id}/")
    return {
        "id": invoice_id,
        "object": "invoice",
        "account_country": "US",
        "account_name": "Test mode",
        "amount_due": total,
        "amount_overpaid": 0,
        "amount_paid": 0,
        "amount_remaining": total,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": True,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None, "status": None},
        "billing_reason": reason,
        "collection_method": "charge_automatically",
        "created": created,
        "currency": price_obj["currency"],
        "customer": sub["customer"],
        "customer_email": customer_obj.get("email"),
        "customer_name": customer_obj.get("name"),
        "description": None,
        "due_date": None,
        "ending_balance": 0,
        "hosted_invoice_url": hosted,
        "invoice_pdf": hosted + "?format=pdf",
        "lines": listing(
            [
                {
                    "id": state.new_id("il"),
                    "object": "line_item",
                    "amount": total,
                    "currency": price_obj["currency"],
                    "description": f"{item['quantity']} seat(s)",
                    "livemode": False,
                    "metadata": {},
                    "parent": {
                        "invoice_item_details": None,
                        "subscription_item_details": {
                            "invoice_item": None,
                            "proration": False,
                            "proration_details": {"credited_items": None},
                            "subscription": sub["id"],
                            "subscription_item": item["id"],
                        },
                        "type": "subscription_item_details",
                    },
                    "period": {"end": item["current_period_end"], "start": item["current_period_start"]},
                    "pricing": {
                        "price_details": {"price": price_obj["id"], "product": price_obj["product"]},
                        "type": "price_details",
                        "unit_amount_decimal": price_obj["unit_amount_decimal"],
                    },
                    "quantity": item["quantity"],
                }
            ],
            f"/v1/invoices/{invoice_id}/lines",
        ),
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None,
        "number": f"{customer_obj.get('invoice_prefix', 'TEST')}-{sequence:04d}",
        "parent": {
            "quote_details": None,
            "subscription_details": {"metadata": sub.get("metadata") or {}, "subscription": sub["id"]},
            "type": "subscription_details",
        },
        "period_end": item["current_period_end"],
        "period_start": item["current_period_start"],
        "starting_balance": 0,
        "status": "open",
        "status_transitions": {
            "finalized_at": created,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        "subtotal": total,
        "total": total,
        "webhooks_delivered_at": None,
    }


def pay(invoice_obj: Obj) -> None:
    invoice_obj["status"] = "paid"
    invoice_obj["attempted"] = True
    invoice_obj["attempt_count"] = max(invoice_obj["attempt_count"], 1)
    invoice_obj["amount_paid"] = invoice_obj["amount_due"]
    invoice_obj["amount_remaining"] = 0
    invoice_obj["next_payment_attempt"] = None
    invoice_obj["status_transitions"]["paid_at"] = state.now()


def fail(invoice_obj: Obj) -> None:
    invoice_obj["attempted"] = True
    invoice_obj["attempt_count"] += 1
    invoice_obj["next_payment_attempt"] = state.now() + 3 * DAY


def webhook_endpoint(params: dict[str, Any]) -> Obj:
    events = params.get("enabled_events") or ["*"]
    secret = "whsec_" + state.new_id("x")[2:] + state.new_id("x")[2:10]
    return {
        "id": state.new_id("we"),
        "object": "webhook_endpoint",
        "api_version": params.get("api_version"),
        "application": None,
        "created": state.now(),
        "description": params.get("description"),
        "enabled_events": list(events.values()) if isinstance(events, dict) else events,
        "livemode": False,
        "metadata": params.get("metadata") or {},
        "status": "enabled",
        "url": params.get("url"),
        "_secret": secret,
    }


def account() -> Obj:
    return {
        "id": "acct_1StandinTestMode0",
        "object": "account",
        "business_profile": {"mcc": None, "name": "Test mode", "support_email": None, "url": None},
        "business_type": "company",
        "capabilities": {"card_payments": "active"},
        "charges_enabled": True,
        "country": "US",
        "created": 1700000000,
        "default_currency": "usd",
        "details_submitted": True,
        "email": None,
        "metadata": {},
        "payouts_enabled": True,
        "settings": {
            "branding": {"icon": None, "logo": None, "primary_color": None, "secondary_color": None},
            "dashboard": {"display_name": "Test mode", "timezone": "Etc/UTC"},
        },
        "type": "standard",
    }


def as_bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() == "true"
