"""Stripe's invoices, kept as their newest event showed them, for the billing page."""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction

from billing.models import Invoice, StripeEvent
from billing.stripe_data import id_of, is_older, timestamp

logger = logging.getLogger(__name__)


def _invoice_values(invoice: dict[str, Any]) -> dict[str, Any]:
    created = timestamp(invoice.get("created"))
    if created is None:
        raise ValueError("an invoice without `created`")
    return {
        "number": str(invoice.get("number") or "")[:64],
        "status": str(invoice.get("status") or "")[:32],
        "total_cents": int(invoice.get("total") or 0),
        "amount_due_cents": int(invoice.get("amount_due") or 0),
        "currency": str(invoice.get("currency") or "usd")[:3],
        "created_at": created,
        "period_end": timestamp(invoice.get("period_end")),
        "hosted_url": str(invoice.get("hosted_invoice_url") or ""),
        "pdf_url": str(invoice.get("invoice_pdf") or ""),
    }


def apply_invoice(event: StripeEvent, invoice: dict[str, Any], client_id: int) -> None:
    stripe_id = id_of(invoice)
    if not stripe_id:
        raise ValueError("an invoice without an id")
    values = _invoice_values(invoice)
    row = Invoice.objects.select_for_update().filter(stripe_id=stripe_id).first()
    if row is None:
        try:
            with transaction.atomic():
                Invoice.objects.create(stripe_id=stripe_id, client_id=client_id, state_at=event.created, **values)
            return
        except IntegrityError:  # another worker stored it first: compare with its state
            row = Invoice.objects.select_for_update().get(stripe_id=stripe_id)
    if row.client_id != client_id:
        # Stripe ids are unique, so this means a customer moved between tenants: keep the
        # invoice where it was rather than show one tenant's invoice to another.
        logger.warning("invoice %s of client %s named by an event of client %s", stripe_id, row.client_id, client_id)
        return
    if is_older(event.created, row.state_at):
        return
    for field, value in values.items():
        setattr(row, field, value)
    row.state_at = event.created
    row.save()
