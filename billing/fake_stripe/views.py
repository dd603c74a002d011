"""Test-mode stand-ins for Stripe's hosted pages, on the platform host: Checkout, the customer
portal and an invoice. Served only when settings.BILLING_TEST_MODE (config/urls_public.py).

Each button changes the stand-in's subscription the way Stripe would and Stripe's events follow
through the webhook, so the workspace learns of it exactly as it would in production. Like
Stripe's pages, they need no sign-in here: the unguessable session id in the URL is the key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from billing.fake_stripe import simulate, state
from billing.fake_stripe.shapes import StripeError, load
from billing.fake_stripe.state import Obj

TEST_CARD = "4242 4242 4242 4242"


def money(cents: int, currency: str) -> str:
    return f"{cents / 100:,.2f} {currency.upper()}"


def day(timestamp: int | None) -> str:
    return "" if timestamp is None else datetime.fromtimestamp(timestamp, tz=UTC).strftime("%d %b %Y")


def invoice_row(found: Obj) -> dict[str, str]:
    return {
        "id": found["id"],
        "number": found["number"] or found["id"],
        "status": found["status"],
        "total": money(found["total"], found["currency"]),
        "created": day(found["created"]),
        "url": found["hosted_invoice_url"] or "",
    }


def _or_404(object_id: str, object_type: str) -> Obj:
    try:
        return load(object_id, object_type)
    except StripeError as exc:
        raise Http404(exc.message) from exc


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    _or_404(session_id, "checkout.session")
    if request.method == "POST":
        try:
            simulate.complete_checkout(session_id)
        except simulate.NotPossible as exc:
            messages.error(request, str(exc))
            return redirect(request.path)
        return HttpResponseRedirect(simulate.offer(session_id).session["success_url"])
    offer = simulate.offer(session_id)
    recurring = offer.price.get("recurring") or {}
    context = {
        "offer": offer,
        "interval": recurring.get("interval", "month"),
        "unit_price": money(offer.price["unit_amount"], offer.price["currency"]),
        "total": money(offer.total, offer.price["currency"]),
        "trial_days": offer.session["_trial_days"],
        "test_card": TEST_CARD,
    }
    return render(request, "billing/fake_stripe/checkout.html", context)


PORTAL_ACTIONS = {
    "cancel_at_period_end": (simulate.cancel_at_period_end, "The subscription will end with the paid period."),
    "cancel_now": (simulate.cancel_now, "The subscription is canceled."),
    "resume": (simulate.resume, "The subscription will renew."),
    "fail_payment": (simulate.fail_payment, "The renewal charge was declined: the subscription is past due."),
    "pay_open_invoice": (simulate.pay_open_invoice, "The open invoice is paid."),
}


@require_http_methods(["GET", "POST"])
def portal(request: HttpRequest, session_id: str) -> HttpResponse:
    try:
        portal_session, sub = simulate.portal_subscription(session_id)
    except StripeError as exc:
        raise Http404(exc.message) from exc
    if request.method == "POST":
        action = request.POST.get("action", "")
        if sub is None:
            messages.error(request, "There is no subscription to change.")
        elif action in PORTAL_ACTIONS:
            change, sentence = PORTAL_ACTIONS[action]
            _apply(request, lambda: change(sub["id"]), sentence)
        elif action in ("switch_month", "switch_year"):
            interval = action.removeprefix("switch_")
            _apply(request, lambda: simulate.switch_interval(sub["id"], interval), f"Now billed {interval}ly.")
        else:
            messages.error(request, "Unknown action.")
        return redirect(request.path)
    item = sub["items"]["data"][0] if sub else None
    price = (item or {}).get("price") or {}
    context = {
        "portal": portal_session,
        "subscription": sub,
        "item": item,
        "plan": simulate.plan_of(price) if price else None,
        "interval": (price.get("recurring") or {}).get("interval"),
        "price": money(price["unit_amount"], price["currency"]) if price else "",
        "period_end": day(item["current_period_end"]) if item else "",
        "trial_end": day(sub["trial_end"]) if sub else "",
        "invoices": [invoice_row(row) for row in simulate.invoices_of(sub)] if sub else [],
        "customer": state.get(portal_session["customer"]),
    }
    return render(request, "billing/fake_stripe/portal.html", context)


def _apply(request: HttpRequest, change: Callable[[], None], sentence: str) -> None:
    try:
        change()
    except simulate.NotPossible as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, sentence)


def invoice(request: HttpRequest, invoice_id: str) -> HttpResponse:
    found = _or_404(invoice_id, "invoice")
    if found["status"] == "draft":
        raise Http404("No such invoice")
    line = found["lines"]["data"][0] if found["lines"]["data"] else None
    context = {
        "invoice": invoice_row(found),
        "customer_email": found.get("customer_email") or "",
        "period": f"{day(found['period_start'])} to {day(found['period_end'])}",
        "quantity": line["quantity"] if line else 0,
        "pdf": request.GET.get("format") == "pdf",
    }
    return render(request, "billing/fake_stripe/invoice.html", context)
