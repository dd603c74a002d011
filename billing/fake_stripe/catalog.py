"""The stand-in's account, customers, products and prices: what billing.stripe_api pushes
when plans change, and what dj-stripe reads back while syncing."""

from __future__ import annotations

from billing.fake_stripe import objects, state
from billing.fake_stripe.events import emit
from billing.fake_stripe.shapes import Answer, Params, StripeError, filtered, load, merge


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
