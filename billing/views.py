"""The billing page (`/settings/billing/`, owners) and `/pricing/` (platform host).

The page is complete without JavaScript: the plan, usage meters and invoices are in the HTML,
and the plan buttons and the portal button are plain forms that redirect to Stripe.
static/js/billing.js keeps the meters live, switches monthly and yearly prices, pages invoices
and waits for the webhook after a checkout.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from billing.access import require_billing_owner
from billing.checkout import SUBSCRIBED, BillingRefused, checkout_url, continue_on_free, portal_url
from billing.models import Entitlement
from billing.presentation import day, meters, money, plan_cards, status_sentence
from billing.selectors import (
    INVOICE_PAGE_DEFAULT,
    Overview,
    billing_overview,
    enterprise_plan,
    invoices_page,
    public_plans,
)
from tenants.models import Client

NO_ANSWER = "The payment provider did not answer. Nothing was changed; try again in a moment."


def owner_only(view: Callable[[HttpRequest, Client], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Signed out: the login page. Not an owner: the 403 page with the reason."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        require_billing_owner(request.user)
        return view(request, cast(Client, request.tenant))  # type: ignore[attr-defined]

    return wrapper


@require_GET
@owner_only
def billing_page(request: HttpRequest, tenant: Client) -> HttpResponse:
    overview = billing_overview(tenant)
    before = request.GET.get("before", "")
    rows = invoices_page(tenant, before=int(before) if before.isdigit() and len(before) < 19 else None)
    invoices = rows[:INVOICE_PAGE_DEFAULT]
    interval = overview.interval or Entitlement.Interval.MONTH
    context: dict[str, Any] = {
        "section": "settings",
        "overview": overview,
        "status_sentence": status_sentence(overview),
        "meters": meters(overview),
        "cards": plan_cards(public_plans(), overview.plan),
        "interval": interval,
        "intervals": Entitlement.Interval.choices,
        "status_label": Entitlement.Status(overview.status).label,
        "subscribed": overview.status in SUBSCRIBED and not overview.is_comped,
        "price": money(overview.price_cents, overview.plan.currency),
        "period_end": day(overview.current_period_end),
        "invoices": [(invoice, money(invoice.total_cents, invoice.currency)) for invoice in invoices],
        "next_before": invoices[-1].pk if len(rows) > INVOICE_PAGE_DEFAULT else None,
        "checkout": checkout_state(request, overview),
        "test_mode": settings.BILLING_TEST_MODE,
    }
    return render(request, "billing/page.html", context)


def checkout_state(request: HttpRequest, overview: Overview) -> str:
    """Back from Checkout: "waiting" until the webhook has put the workspace on the plan it
    chose, then "done"; "" on an ordinary visit."""
    if request.GET.get("checkout") != "done":
        return ""
    chosen = (request.GET.get("plan", ""), request.GET.get("interval", ""))
    arrived = chosen == (overview.plan.code, overview.interval) and overview.status in SUBSCRIBED
    return "done" if arrived else "waiting"


def _to_stripe(request: HttpRequest, make_url: Callable[[], str]) -> HttpResponse:
    """Off to the Stripe page `make_url` makes, or back to the billing page saying why not."""
    try:
        return redirect(make_url())
    except BillingRefused as exc:
        messages.error(request, exc.message)
    except stripe.StripeError:
        messages.error(request, NO_ANSWER)
    return redirect("billing:settings")


@require_POST
@owner_only
def start_checkout(request: HttpRequest, tenant: Client) -> HttpResponse:
    """The plan buttons without JavaScript: straight on to Stripe Checkout."""
    plan, interval = request.POST.get("plan", ""), request.POST.get("interval", "")
    return _to_stripe(request, lambda: checkout_url(client=tenant, plan_code=plan, interval=interval))


@require_POST
@owner_only
def open_portal(request: HttpRequest, tenant: Client) -> HttpResponse:
    return _to_stripe(request, lambda: portal_url(client=tenant))


@require_POST
@owner_only
def go_free(request: HttpRequest, tenant: Client) -> HttpResponse:
    try:
        plan = continue_on_free(client=tenant)
    except BillingRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The workspace is on {plan.name} now, and open for writing again.")
    return redirect("billing:settings")


@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    """Every public plan and what it includes; plans not offered publicly are "Talk to us"."""
    enterprise = enterprise_plan()
    context = {
        "cards": plan_cards(public_plans()),
        "enterprise": plan_cards([enterprise])[0] if enterprise else None,
        "contact_email": settings.BILLING_SALES_EMAIL,
    }
    return render(request, "billing/pricing.html", context)
