"""What the test-mode checkout and portal pages do: the changes a customer makes on Stripe's
own pages, made to the stand-in's objects as Stripe would make them, each announced by the
events Stripe sends for it (in Stripe's order, each carrying the object as it was then).
"""

from __future__ import annotations

from dataclasses import dataclass

from billing.fake_stripe import objects, state
from billing.fake_stripe.events import emit
from billing.fake_stripe.shapes import StripeError, load
from billing.fake_stripe.state import Obj
from billing.fake_stripe.subscriptions import end_subscription, update_subscription
from billing.models import Plan


class NotPossible(Exception):
    """The change does not apply to the subscription as it is (a sentence to show)."""


@dataclass(frozen=True)
class Offer:
    """A checkout session as its page shows it."""

    session: Obj
    price: Obj
    plan: Plan | None
    quantity: int
    total: int


def plan_of(price: Obj) -> Plan | None:
    """The product's plan, by price id, then by lookup key (the shared convention)."""
    found = Plan.objects.filter(stripe_price_monthly_id=price["id"]).first()
    found = found or Plan.objects.filter(stripe_price_yearly_id=price["id"]).first()
    key = price.get("lookup_key") or ""
    if found is None and "-" in key:
        found = Plan.objects.filter(code=key.rsplit("-", 1)[0]).first()
    return found


def offer(session_id: str) -> Offer:
    session = load(session_id, "checkout.session")
    price = load(session["_price"], "price")
    quantity = int(session["_quantity"])
    return Offer(session, price, plan_of(price), quantity, price["unit_amount"] * quantity)


def invoice_lifecycle(invoice: Obj, *, paid: bool) -> Obj:
    """Draft, finalized, then paid or failed: each step stored and announced."""
    finalized = {key: invoice[key] for key in ("status", "hosted_invoice_url", "invoice_pdf", "number")}
    finalized_at = invoice["status_transitions"]["finalized_at"]
    invoice.update(status="draft", hosted_invoice_url=None, invoice_pdf=None, number=None)
    invoice["status_transitions"]["finalized_at"] = None
    emit("invoice.created", state.put(invoice))
    invoice.update(finalized)
    invoice["status_transitions"]["finalized_at"] = finalized_at
    emit("invoice.finalized", state.put(invoice))
    if paid:
        objects.pay(invoice)
        emit("invoice.paid", state.put(invoice))
        emit("invoice.payment_succeeded", invoice)
    else:
        objects.fail(invoice)
        emit("invoice.payment_failed", state.put(invoice))
    return invoice


def complete_checkout(session_id: str) -> Obj:
    """ "Start subscription": a trial when the session asked for one, else active with a paid
    first invoice. A second click finds the session complete and changes nothing."""
    with state.locked():
        session = load(session_id, "checkout.session")
        if session["status"] == "complete":
            return load(session["subscription"], "subscription")
        if session["status"] != "open":
            raise NotPossible("This checkout has expired.")
        price = load(session["_price"], "price")
        sub, invoice = objects.subscription(
            customer_id=session["customer"],
            price_obj=price,
            quantity=int(session["_quantity"]),
            metadata=session["_subscription_metadata"],
            trial_days=int(session["_trial_days"]),
        )
        state.put(sub)
        emit("customer.subscription.created", sub)
        invoice_lifecycle(invoice, paid=True)
        session.update(
            status="complete",
            subscription=sub["id"],
            invoice=invoice["id"],
            payment_status="no_payment_required" if sub["status"] == "trialing" else "paid",
        )
        emit("checkout.session.completed", state.put(session))
        return sub


def portal_subscription(portal_session_id: str) -> tuple[Obj, Obj | None]:
    """The portal session and its customer's newest subscription (None: never subscribed)."""
    portal = state.get(portal_session_id)
    if portal is None or portal.get("object") != "billing_portal.session":
        raise StripeError(404, f"No such billing portal session: '{portal_session_id}'")
    subs = [row for row in state.all_of("subscription") if row["customer"] == portal["customer"]]
    subs.sort(key=lambda row: (row["status"] != "canceled", row["created"]))
    return portal, subs[-1] if subs else None


def invoices_of(sub: Obj) -> list[Obj]:
    rows = [
        row for row in state.all_of("invoice") if row["parent"]["subscription_details"]["subscription"] == sub["id"]
    ]
    return sorted(rows, key=lambda row: row["created"], reverse=True)


def _live(sub_id: str) -> Obj:
    sub = load(sub_id, "subscription")
    if sub["status"] == "canceled":
        raise NotPossible("The subscription is canceled; start a new one from the workspace.")
    return sub


def cancel_at_period_end(sub_id: str) -> None:
    with state.locked():
        _live(sub_id)
        update_subscription({"cancel_at_period_end": True}, sub_id)


def resume(sub_id: str) -> None:
    with state.locked():
        _live(sub_id)
        update_subscription({"cancel_at_period_end": False}, sub_id)


def cancel_now(sub_id: str) -> None:
    with state.locked():
        end_subscription(_live(sub_id))


def fail_payment(sub_id: str) -> None:
    """The next renewal's charge is declined: a new open invoice, the subscription past due (a
    trial ends there and then)."""
    with state.locked():
        sub = _live(sub_id)
        item = objects.item_of(sub)
        previous = {
            "status": sub["status"],
            "latest_invoice": sub["latest_invoice"],
            "items": state.public(sub)["items"],
        }
        now = state.now()
        interval = (item["price"].get("recurring") or {}).get("interval", "month")
        item["current_period_start"], item["current_period_end"] = now, objects.add_interval(now, interval)
        if sub["status"] == "trialing":
            previous["trial_end"] = sub["trial_end"]
            sub["trial_end"] = now
        invoice = objects.invoice(sub=sub, reason="subscription_cycle")
        invoice_lifecycle(invoice, paid=False)
        sub.update(status="past_due", latest_invoice=invoice["id"])
        emit("customer.subscription.updated", state.put(sub), previous)


def pay_open_invoice(sub_id: str) -> None:
    """The customer pays what is open: the invoices are paid and the subscription is active."""
    with state.locked():
        sub = _live(sub_id)
        unpaid = [row for row in invoices_of(sub) if row["status"] == "open"]
        if not unpaid:
            raise NotPossible("There is no open invoice to pay.")
        for invoice in unpaid:
            objects.pay(invoice)
            emit("invoice.paid", state.put(invoice))
            emit("invoice.payment_succeeded", invoice)
        if sub["status"] in ("past_due", "unpaid", "incomplete"):
            previous = {"status": sub["status"]}
            sub["status"] = "active"
            emit("customer.subscription.updated", state.put(sub), previous)


def switch_interval(sub_id: str, interval: str) -> None:
    """Monthly to yearly or back: the plan's other price, a new period from now, charged at
    once (Stripe would prorate; the stand-in charges the new period whole)."""
    with state.locked():
        sub = _live(sub_id)
        item = objects.item_of(sub)
        current = item["price"]
        if (current.get("recurring") or {}).get("interval") == interval:
            raise NotPossible(f"The subscription is already billed {interval}ly.")
        target = _price_for(current, interval)
        previous = {"items": state.public(sub)["items"]}
        now = state.now()
        item["price"] = target
        if sub["status"] != "trialing":
            item["current_period_start"], item["current_period_end"] = now, objects.add_interval(now, interval)
            sub["billing_cycle_anchor"] = now
        state.put(sub)
        emit("customer.subscription.updated", sub, previous)
        if sub["status"] != "trialing":
            invoice = objects.invoice(sub=sub, reason="subscription_update")
            invoice_lifecycle(invoice, paid=True)
            previous = {"latest_invoice": sub["latest_invoice"], "status": sub["status"]}
            sub.update(latest_invoice=invoice["id"], status="active")
            emit("customer.subscription.updated", state.put(sub), previous)


def _price_for(current: Obj, interval: str) -> Obj:
    suffix = {"month": "monthly", "year": "yearly"}[interval]
    key = (current.get("lookup_key") or "").rsplit("-", 1)[0]
    candidates = [
        row
        for row in state.all_of("price")
        if row["active"]
        and (row.get("recurring") or {}).get("interval") == interval
        and (row["lookup_key"] == f"{key}-{suffix}" or row["product"] == current["product"])
    ]
    if not candidates:
        raise NotPossible(f"This plan has no {suffix} price.")
    return sorted(candidates, key=lambda row: (row["lookup_key"] == f"{key}-{suffix}", row["created"]))[-1]
