"""The stand-in's subscriptions and their items: the changes the product asks for (plan,
quantity, cancellation at the period's end, the end of a trial), each announced by the event
Stripe would send."""

from __future__ import annotations

from billing.fake_stripe import objects, state
from billing.fake_stripe.events import emit
from billing.fake_stripe.shapes import Answer, Params, StripeError, filtered, load, merge
from billing.fake_stripe.state import Obj


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
