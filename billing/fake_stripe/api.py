"""The stand-in's answers to Stripe's v1 API: what the product calls (billing.stripe_api) and
what dj-stripe calls while syncing. A path it does not know answers Stripe's 404 error shape.

`handle` returns (status, body); state changes that Stripe would announce emit their events.
The routes are here with the answers about invoices, webhook endpoints, meter events and events;
the catalog, the sessions and the subscriptions answer from modules of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from billing.fake_stripe import objects, state
from billing.fake_stripe.catalog import (
    create_customer,
    create_price,
    create_product,
    get_account,
    list_customers,
    list_prices,
    list_products,
    product_features,
    update_customer,
    update_price,
    update_product,
)
from billing.fake_stripe.sessions import checkout_line_items, create_checkout_session, create_portal_session
from billing.fake_stripe.shapes import Answer, Params, StripeError, expand_of, expanded, filtered, load, merge
from billing.fake_stripe.subscriptions import (
    cancel_subscription,
    get_subscription_item,
    list_subscription_items,
    list_subscriptions,
    update_subscription,
    update_subscription_item,
)


def list_invoices(params: Params) -> Answer:
    listed = filtered("invoice", params | {"limit": 100}, "/v1/invoices", customer=params.get("customer"))
    if params.get("subscription"):
        listed["data"] = [
            row
            for row in listed["data"]
            if row["parent"]["subscription_details"]["subscription"] == params["subscription"]
        ]
    if params.get("status"):
        listed["data"] = [row for row in listed["data"] if row["status"] == params["status"]]
    limit = int(params.get("limit", 10))
    listed["has_more"] = len(listed["data"]) > limit
    listed["data"] = listed["data"][:limit]
    return 200, listed


def create_webhook_endpoint(params: Params) -> Answer:
    if not params.get("url"):
        raise StripeError(400, "Missing required param: url.", code="parameter_missing", param="url")
    obj = state.put(objects.webhook_endpoint(params))
    # The secret is shown once, in the answer to the creation.
    return 200, state.public(obj) | {"secret": obj["_secret"]}


def update_webhook_endpoint(params: Params, object_id: str) -> Answer:
    obj = load(object_id, "webhook_endpoint")
    if "disabled" in params:
        obj["status"] = "disabled" if objects.as_bool(params["disabled"]) else "enabled"
    merge(obj, params, ("url", "description", "metadata", "enabled_events"))
    if isinstance(obj["enabled_events"], dict):
        obj["enabled_events"] = list(obj["enabled_events"].values())
    return 200, state.put(obj)


def delete_webhook_endpoint(params: Params, object_id: str) -> Answer:
    obj = load(object_id, "webhook_endpoint")
    obj.update(deleted=True, status="disabled")
    state.put(obj)
    return 200, {"id": object_id, "object": "webhook_endpoint", "deleted": True}


def list_webhook_endpoints(params: Params) -> Answer:
    listed = filtered("webhook_endpoint", params | {"limit": 100}, "/v1/webhook_endpoints")
    return 200, listed


def create_meter_event(params: Params) -> Answer:
    """Stripe counts an identifier once (within 24 hours at least): a repeat changes nothing."""
    identifier = params.get("identifier") or state.new_id("mev")
    payload = params.get("payload") or {}
    if not params.get("event_name") or not payload.get("stripe_customer_id"):
        raise StripeError(400, "Missing required param: event_name or payload[stripe_customer_id].")
    key = f"meter_event:{identifier}"
    found = state.recall(key)
    if found is not None:
        return 200, found
    obj = {
        "object": "billing.meter_event",
        "created": state.now(),
        "event_name": params["event_name"],
        "identifier": identifier,
        "livemode": False,
        "payload": payload,
        "timestamp": int(params.get("timestamp") or state.now()),
    }
    state.remember(key, obj, seconds=35 * objects.DAY)
    state.connection().hincrby(
        f"{state.PREFIX}meter_totals:{params['event_name']}",
        payload["stripe_customer_id"],
        int(payload.get("value", 1)),
    )
    return 200, obj


def meter_total(event_name: str, customer_id: str) -> int:
    """What the meter counted for a customer (tests, and the test-mode portal page)."""
    raw = state.connection().hget(f"{state.PREFIX}meter_totals:{event_name}", customer_id)
    return int(raw or 0)


def list_events(params: Params) -> Answer:
    return 200, filtered("event", params, "/v1/events", type=params.get("type"))


def retrieve(object_type: str) -> Callable[[Params, str], Answer]:
    def handler(params: Params, object_id: str) -> Answer:
        return 200, load(object_id, object_type)

    return handler


_TABLE: list[tuple[str, str, Callable[..., Answer]]] = [
    ("GET", "account", get_account),
    ("POST", "customers", create_customer),
    ("GET", "customers", list_customers),
    ("GET", r"customers/(cus_\w+)", retrieve("customer")),
    ("POST", r"customers/(cus_\w+)", update_customer),
    ("POST", "products", create_product),
    ("GET", "products", list_products),
    ("GET", r"products/([\w-]+)/features", product_features),
    ("GET", r"products/([\w-]+)", retrieve("product")),
    ("POST", r"products/([\w-]+)", update_product),
    ("POST", "prices", create_price),
    ("GET", "prices", list_prices),
    ("GET", r"prices/(price_\w+)", retrieve("price")),
    ("POST", r"prices/(price_\w+)", update_price),
    ("POST", "checkout/sessions", create_checkout_session),
    ("GET", r"checkout/sessions/(cs_\w+)/line_items", checkout_line_items),
    ("GET", r"checkout/sessions/(cs_\w+)", retrieve("checkout.session")),
    ("POST", "billing_portal/sessions", create_portal_session),
    ("GET", "subscriptions", list_subscriptions),
    ("GET", r"subscriptions/(sub_\w+)", retrieve("subscription")),
    ("POST", r"subscriptions/(sub_\w+)", update_subscription),
    ("DELETE", r"subscriptions/(sub_\w+)", cancel_subscription),
    ("GET", "subscription_items", list_subscription_items),
    ("GET", r"subscription_items/(si_\w+)", get_subscription_item),
    ("POST", r"subscription_items/(si_\w+)", update_subscription_item),
    ("GET", "invoices", list_invoices),
    ("GET", r"invoices/(in_\w+)", retrieve("invoice")),
    ("POST", "webhook_endpoints", create_webhook_endpoint),
    ("GET", "webhook_endpoints", list_webhook_endpoints),
    ("GET", r"webhook_endpoints/(we_\w+)", retrieve("webhook_endpoint")),
    ("POST", r"webhook_endpoints/(we_\w+)", update_webhook_endpoint),
    ("DELETE", r"webhook_endpoints/(we_\w+)", delete_webhook_endpoint),
    ("POST", "billing/meter_events", create_meter_event),
    ("GET", "events", list_events),
    ("GET", r"events/(evt_\w+)", retrieve("event")),
]
ROUTES = [(method, re.compile(f"^/v1/{pattern}$"), handler) for method, pattern, handler in _TABLE]


def handle(method: str, path: str, params: Params) -> Answer:
    """Answer one API request, as Stripe would (errors in Stripe's shape)."""
    for route_method, pattern, handler in ROUTES:
        match = pattern.match(path)
        if route_method == method and match:
            try:
                status, body = handler(params, *match.groups())
            except StripeError as exc:
                return exc.status, exc.body()
            return status, expanded(body, expand_of(params)) if body.get("object") != "list" else body
    message = f"Unrecognized request URL ({method}: {path}). The test-mode stand-in does not serve it."
    return 404, {"error": {"type": "invalid_request_error", "message": message}}
