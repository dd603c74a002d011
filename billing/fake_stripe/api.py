"""The stand-in's answers to Stripe's v1 API: what the product calls (billing.stripe_api) and
what dj-stripe calls while syncing. A path it does not know answers Stripe's 404 error shape.

`handle` returns (status, body); state changes that Stripe would announce emit their events.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from billing.fake_stripe import objects, state
from billing.fake_stripe.events import emit
from billing.fake_stripe.state import Obj
from tenants.urls_helpers import platform_url

Params = dict[str, Any]
Answer = tuple[int, Obj]


class StripeError(Exception):
    def __init__(self, status: int, message: str, *, code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param

    def body(self) -> Obj:
        error: Obj = {"type": "invalid_request_error", "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}


NAMES = {
    "cus": "customer",
    "prod": "product",
    "price": "price",
    "sub": "subscription",
    "si": "subscription_item",
    "in": "invoice",
    "cs": "checkout.session",
    "we": "webhook_endpoint",
    "evt": "event",
}


def load(object_id: str, object_type: str) -> Obj:
    found = state.get(object_id)
    if found is None or found.get("object") != object_type or found.get("deleted"):
        label = object_type.replace("_", " ").replace("checkout.session", "checkout session")
        raise StripeError(404, f"No such {label}: '{object_id}'", code="resource_missing", param="id")
    return found


def expanded(obj: Obj, expand: list[str]) -> Obj:
    """`expand[]`: ids at these paths (`latest_invoice`, `data.customer`...) become objects."""
    shown = state.public(obj)
    for path in expand:
        parts = path.split(".")
        if parts[0] == "data" and isinstance(shown.get("data"), list):
            shown["data"] = [expanded(entry, [".".join(parts[1:])]) for entry in shown["data"]]
            continue
        value = shown.get(parts[0])
        if isinstance(value, str):
            target = state.get(value)
            if target is not None:
                shown[parts[0]] = expanded(target, [".".join(parts[1:])] if len(parts) > 1 else [])
        elif isinstance(value, dict) and len(parts) > 1:
            shown[parts[0]] = expanded(value, [".".join(parts[1:])])
    return shown


def merge(obj: Obj, params: Params, fields: tuple[str, ...]) -> dict[str, Any]:
    """Apply the updatable `fields` of `params`; returns the previous values (Stripe's
    `previous_attributes`). Metadata merges key by key; an empty value removes a key."""
    previous: dict[str, Any] = {}
    for field in fields:
        if field not in params:
            continue
        value = params[field]
        if field == "metadata":
            merged = {**(obj.get("metadata") or {}), **(value or {})}
            value = {key: item for key, item in merged.items() if item != ""}
        elif field in ("active", "cancel_at_period_end"):
            value = objects.as_bool(value)
        if obj.get(field) != value:
            previous[field] = obj.get(field)
            obj[field] = value
    return previous


def filtered(object_type: str, params: Params, url: str, **matches: Any) -> Obj:
    rows = [row for row in state.all_of(object_type) if not row.get("deleted")]
    for field, wanted in matches.items():
        if wanted is not None:
            rows = [row for row in rows if row.get(field) == wanted]
    rows.sort(key=lambda row: row["created"], reverse=True)
    limit = int(params.get("limit", 10))
    return objects.listing([expanded(row, expand_of(params, nested=True)) for row in rows[:limit]], url) | {
        "has_more": len(rows) > limit
    }


def expand_of(params: Params, nested: bool = False) -> list[str]:
    raw = params.get("expand") or []
    paths = list(raw.values()) if isinstance(raw, dict) else list(raw)
    if nested:
        return [path[len("data.") :] for path in paths if path.startswith("data.")]
    return paths


# --- Account, customers, products, prices ----------------------------------------------------


def get_account(params: Params) -> Answer:
    return 200, objects.account()


def create_customer(params: Params) -> Answer:
    obj = state.put(objects.customer(params))
    emit("customer.created", obj)
    return 200, obj


def update_customer(params: Params, object_id: str) -> Answer:
    obj = load(object_id, "customer")
    previous = merge(obj, params, ("email", "name", "description", "metadata", "phone"))
    state.put(obj)
    if previous:
        emit("customer.updated", obj, previous)
    return 200, obj


def list_customers(params: Params) -> Answer:
    return 200, filtered("customer", params, "/v1/customers", email=params.get("email"))


def create_product(params: Params) -> Answer:
    if params.get("id") and state.get(params["id"]) is not None:
        raise StripeError(400, f"Product already exists: '{params['id']}'", code="resource_already_exists")
    return 200, state.put(objects.product(params))


def update_product(params: Params, object_id: str) -> Answer:
    obj = load(object_id, "product")
    merge(obj, params, ("name", "description", "metadata", "active", "unit_label"))
    obj["updated"] = state.now()
    return 200, state.put(obj)


def list_products(params: Params) -> Answer:
    return 200, filtered("product", params, "/v1/products")


def product_features(params: Params, object_id: str) -> Answer:
    load(object_id, "product")
    return 200, objects.listing([], f"/v1/products/{object_id}/features")


def create_price(params: Params) -> Answer:
    load(str(params.get("product")), "product")
    obj = objects.price(params)
    if obj["lookup_key"]:
        holders = [row for row in state.all_of("price") if row["lookup_key"] == obj["lookup_key"]]
        if holders and not objects.as_bool(params.get("transfer_lookup_key", False)):
            raise StripeError(
                400,
                f"A price (`{holders[0]['id']}`) already uses that lookup key.",
                code="lookup_key_already_exists",
                param="lookup_key",
            )
        for holder in holders:
            holder["lookup_key"] = None
            state.put(holder)
    return 200, state.put(obj)


def update_price(params: Params, object_id: str) -> Answer:
    obj = load(object_id, "price")
    merge(obj, params, ("active", "metadata", "nickname", "lookup_key"))
    return 200, state.put(obj)


def list_prices(params: Params) -> Answer:
    lookup = params.get("lookup_keys")
    keys = set(lookup.values() if isinstance(lookup, dict) else lookup or [])
    listed = filtered(
        "price",
        params | {"limit": 100},
        "/v1/prices",
        product=params.get("product"),
        active=None if "active" not in params else objects.as_bool(params["active"]),
    )
    if keys:
        listed["data"] = [row for row in listed["data"] if row["lookup_key"] in keys]
    return 200, listed


# --- Checkout and the billing portal --------------------------------------------------------


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


# --- Subscriptions and their items ------------------------------------------------------------


def update_subscription(params: Params, object_id: str) -> Answer:
    sub = load(object_id, "subscription")
    if sub["status"] == "canceled":
        raise StripeError(400, "A canceled subscription can only update its cancellation_details and metadata.")
    previous = merge(sub, params, ("metadata", "cancel_at_period_end", "description"))
    if "cancel_at_period_end" in previous:
        item = objects.item_of(sub)
        previous["cancel_at"] = sub["cancel_at"]
        sub["cancel_at"] = item["current_period_end"] if sub["cancel_at_period_end"] else None
    if "trial_end" in params and sub["status"] == "trialing":
        trial_end = state.now() if params["trial_end"] == "now" else int(params["trial_end"])
        previous["trial_end"] = sub["trial_end"]
        sub["trial_end"] = trial_end
        item = objects.item_of(sub)
        previous.setdefault("items", state.public(sub)["items"])
        item["current_period_end"] = trial_end
        sub["billing_cycle_anchor"] = trial_end
    items = params.get("items")
    if items:
        change = next(iter(items.values())) if isinstance(items, dict) else items[0]
        item = objects.item_of(sub)
        previous.setdefault("items", state.public(sub)["items"])
        if "quantity" in change:
            item["quantity"] = int(change["quantity"])
        if "price" in change and change["price"] != item["price"]["id"]:
            item["price"] = load(change["price"], "price")
        sub["_last_proration_behavior"] = params.get("proration_behavior", "create_prorations")
    state.put(sub)
    if previous:
        emit("customer.subscription.updated", sub, previous)
    return 200, sub


def cancel_subscription(params: Params, object_id: str) -> Answer:
    sub = load(object_id, "subscription")
    if sub["status"] == "canceled":
        return 200, sub
    return 200, end_subscription(sub)


def end_subscription(sub: Obj) -> Obj:
    """Stripe's immediate cancellation: the subscription ends now and cannot come back."""
    previous = {"status": sub["status"], "ended_at": None, "canceled_at": sub["canceled_at"]}
    now = state.now()
    sub.update(status="canceled", ended_at=now, canceled_at=now)
    sub["cancellation_details"]["reason"] = "cancellation_requested"
    state.put(sub)
    emit("customer.subscription.deleted", sub, previous)
    return sub


def list_subscriptions(params: Params) -> Answer:
    listed = filtered("subscription", params, "/v1/subscriptions", customer=params.get("customer"))
    wanted = params.get("status")
    if wanted and wanted != "all":
        listed["data"] = [row for row in listed["data"] if row["status"] == wanted]
    elif not wanted:
        listed["data"] = [row for row in listed["data"] if row["status"] != "canceled"]
    return 200, listed


def find_item(item_id: str) -> tuple[Obj, Obj]:
    for sub in state.all_of("subscription"):
        for item in sub["items"]["data"]:
            if item["id"] == item_id:
                return sub, item
    raise StripeError(404, f"No such subscription item: '{item_id}'", code="resource_missing", param="id")


def get_subscription_item(params: Params, object_id: str) -> Answer:
    return 200, find_item(object_id)[1]


def update_subscription_item(params: Params, object_id: str) -> Answer:
    sub, item = find_item(object_id)
    previous_items = state.public(sub)["items"]
    changed = False
    if "quantity" in params and int(params["quantity"]) != item["quantity"]:
        item["quantity"], changed = int(params["quantity"]), True
    if "price" in params and params["price"] != item["price"]["id"]:
        item["price"], changed = load(params["price"], "price"), True
    item["metadata"] = {**item["metadata"], **(params.get("metadata") or {})}
    sub["_last_proration_behavior"] = params.get("proration_behavior", "create_prorations")
    state.put(sub)
    if changed:
        emit("customer.subscription.updated", sub, {"items": previous_items})
    return 200, item


def list_subscription_items(params: Params) -> Answer:
    sub = load(str(params.get("subscription")), "subscription")
    return 200, sub["items"]


# --- Invoices, webhook endpoints, meter events, events ---------------------------------------


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
