"""The stand-in's Checkout and billing portal sessions. Their URLs are pages on the platform
host (billing.fake_stripe.views), where billing.fake_stripe.simulate acts on them."""

from __future__ import annotations

from billing.fake_stripe import objects, state
from billing.fake_stripe.shapes import Answer, Params, StripeError, load
from tenants.urls_helpers import platform_url


def create_checkout_session(params: Params) -> Answer:
    items = params.get("line_items") or []
    items = list(items.values()) if isinstance(items, dict) else items
    if params.get("mode") != "subscription" or len(items) != 1:
        raise StripeError(400, "The stand-in takes subscription sessions with one line item.", param="line_items")
    price_obj = load(str(items[0].get("price")), "price")
    quantity = int(items[0].get("quantity", 1))
    customer_id = params.get("customer") or state.put(objects.customer({"email": params.get("customer_email")}))["id"]
    load(customer_id, "customer")
    session_id = state.new_id("cs")
    subscription_data = params.get("subscription_data") or {}
    obj = {
        "id": session_id,
        "object": "checkout.session",
        "allow_promotion_codes": objects.as_bool(params.get("allow_promotion_codes", False)),
        "amount_subtotal": price_obj["unit_amount"] * quantity,
        "amount_total": price_obj["unit_amount"] * quantity,
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id"),
        "created": state.now(),
        "currency": price_obj["currency"],
        "customer": customer_id,
        "customer_email": params.get("customer_email"),
        "expires_at": state.now() + objects.DAY,
        "invoice": None,
        "livemode": False,
        "metadata": params.get("metadata") or {},
        "mode": "subscription",
        "payment_status": "unpaid",
        "status": "open",
        "subscription": None,
        "success_url": params.get("success_url"),
        "ui_mode": "hosted",
        "url": platform_url(f"/billing/test-checkout/{session_id}/"),
        "_price": price_obj["id"],
        "_quantity": quantity,
        "_subscription_metadata": subscription_data.get("metadata") or {},
        "_trial_days": int(subscription_data.get("trial_period_days") or 0),
    }
    return 200, state.put(obj)


def checkout_line_items(params: Params, object_id: str) -> Answer:
    session = load(object_id, "checkout.session")
    price_obj = load(session["_price"], "price")
    line = {
        "id": state.new_id("li"),
        "object": "item",
        "amount_subtotal": session["amount_subtotal"],
        "amount_total": session["amount_total"],
        "currency": session["currency"],
        "description": price_obj.get("nickname") or "",
        "price": price_obj,
        "quantity": session["_quantity"],
    }
    return 200, objects.listing([line], f"/v1/checkout/sessions/{object_id}/line_items")


def create_portal_session(params: Params) -> Answer:
    customer_id = str(params.get("customer"))
    load(customer_id, "customer")
    session_id = state.new_id("bps")
    obj = {
        "id": session_id,
        "object": "billing_portal.session",
        "configuration": "bpc_1StandinTestMode0",
        "created": state.now(),
        "customer": customer_id,
        "flow": None,
        "livemode": False,
        "locale": None,
        "on_behalf_of": None,
        "return_url": params.get("return_url"),
        "url": platform_url(f"/billing/test-portal/{session_id}/"),
    }
    return 200, state.put(obj)
