"""Stripe-shaped objects and events as API version 2026-05-27.dahlia sends them (a subscription's
period on its items, an invoice's subscription under `parent.subscription_details`), and
`post_event`, which signs a body exactly as Stripe does and posts it to the webhook URL."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.test import Client as HttpClient
from djstripe.models import WebhookEndpoint
from stripe import WebhookSignature

DAY = 24 * 60 * 60
API_VERSION = "2026-05-27.dahlia"


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def now() -> int:
    return int(time.time())


def epoch(value: datetime | None) -> int | None:
    """A stored time as Stripe writes it (whole seconds), to compare with a payload's."""
    return None if value is None else int(value.timestamp())


def price(
    plan_code: str = "team", interval: str = "month", *, price_id: str | None = None, unit_amount: int = 1200
) -> dict[str, Any]:
    """A recurring per-seat price, found back as a plan by its lookup key "<code>-monthly"."""
    return {
        "id": price_id or new_id("price"),
        "object": "price",
        "active": True,
        "currency": "usd",
        "lookup_key": f"{plan_code}-{'monthly' if interval == 'month' else 'yearly'}",
        "product": new_id("prod"),
        "recurring": {"interval": interval, "interval_count": 1, "usage_type": "licensed"},
        "type": "recurring",
        "unit_amount": unit_amount,
    }


def subscription(
    *,
    customer: str,
    status: str = "active",
    sub_id: str | None = None,
    plan_code: str = "team",
    interval: str = "month",
    quantity: int = 3,
    period_start: int | None = None,
    period_end: int | None = None,
    trial_end: int | None = None,
    cancel_at_period_end: bool = False,
    client_id: int | None = None,
    price_obj: dict[str, Any] | None = None,
) -> dict[str, Any]:
    sub_id = sub_id or new_id("sub")
    period_start = period_start if period_start is not None else now() - 5 * DAY
    period_end = period_end if period_end is not None else period_start + (30 if interval == "month" else 365) * DAY
    metadata = {"client_id": str(client_id), "plan": plan_code} if client_id is not None else {}
    return {
        "id": sub_id,
        "object": "subscription",
        "billing_cycle_anchor": period_start,
        "cancel_at": period_end if cancel_at_period_end else None,
        "cancel_at_period_end": cancel_at_period_end,
        "canceled_at": None,
        "collection_method": "charge_automatically",
        "created": period_start,
        "currency": "usd",
        "customer": customer,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": new_id("si"),
                    "object": "subscription_item",
                    "current_period_start": period_start,
                    "current_period_end": period_end,
                    "price": price_obj or price(plan_code, interval),
                    "quantity": quantity,
                    "subscription": sub_id,
                }
            ],
            "has_more": False,
        },
        "latest_invoice": None,
        "livemode": False,
        "metadata": metadata,
        "start_date": period_start,
        "status": status,
        "trial_end": trial_end,
        "trial_start": period_start if trial_end else None,
    }


def invoice(
    *,
    customer: str,
    status: str = "paid",
    invoice_id: str | None = None,
    number: str | None = "INV-0001",
    total: int = 3600,
    amount_due: int | None = None,
    created: int | None = None,
    subscription_id: str | None = None,
) -> dict[str, Any]:
    invoice_id = invoice_id or new_id("in")
    created = created if created is not None else now() - DAY
    return {
        "id": invoice_id,
        "object": "invoice",
        "amount_due": total if amount_due is None else amount_due,
        "amount_paid": total if status == "paid" else 0,
        "created": created,
        "currency": "usd",
        "customer": customer,
        "hosted_invoice_url": None if status == "draft" else f"https://invoice.stripe.test/{invoice_id}",
        "invoice_pdf": None if status == "draft" else f"https://invoice.stripe.test/{invoice_id}.pdf",
        "livemode": False,
        "number": None if status == "draft" else number,
        "parent": {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {"metadata": {}, "subscription": subscription_id or new_id("sub")},
        },
        "period_start": created - 30 * DAY,
        "period_end": created,
        "status": status,
        "total": total,
    }


def checkout_session(*, client_id: int, customer: str, subscription_id: str, plan_code: str = "team") -> dict[str, Any]:
    return {
        "id": new_id("cs"),
        "object": "checkout.session",
        "client_reference_id": str(client_id),
        "customer": customer,
        "metadata": {"client_id": str(client_id), "plan": plan_code},
        "mode": "subscription",
        "payment_status": "paid",
        "status": "complete",
        "subscription": subscription_id,
    }


def event(
    event_type: str,
    obj: dict[str, Any],
    *,
    created: int | None = None,
    event_id: str | None = None,
    previous_attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    return {
        "id": event_id or new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": created if created is not None else now(),
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def signed(payload: dict[str, Any] | str, secret: str, ts: int | None = None) -> tuple[str, str]:
    """The body and `Stripe-Signature` header as Stripe sends them: `t=<ts>,v1=<HMAC-SHA256 of
    "<ts>.<body>" keyed with the endpoint's secret>`."""
    body = payload if isinstance(payload, str) else json.dumps(payload, indent=2)
    return body, WebhookSignature.generate_signature_header(body, secret, timestamp=ts if ts is not None else now())


def webhook_path(endpoint: WebhookEndpoint) -> str:
    return f"/stripe/webhook/{endpoint.djstripe_uuid}/"


def post_event(
    client: HttpClient,
    endpoint: WebhookEndpoint,
    payload: dict[str, Any] | str,
    secret: str | None = None,
    *,
    ts: int | None = None,
    **headers: Any,
) -> Any:
    """POST `payload` to `endpoint`'s URL on the platform host, signed with `secret` (the
    endpoint's own unless given) at time `ts` (now unless given)."""
    body, signature = signed(payload, endpoint.secret if secret is None else secret, ts)
    return client.post(
        webhook_path(endpoint),
        data=body,
        content_type="application/json; charset=utf-8",
        HTTP_HOST=settings.PLATFORM_DOMAIN,
        HTTP_STRIPE_SIGNATURE=signature,
        **headers,
    )
