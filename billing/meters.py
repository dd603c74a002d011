"""Metered plans (Plan.meter_event_name) bill messages: every hour, each such tenant with a
Stripe customer gets one `MeterReport` for the previous whole hour, holding the messages sent
since its previous report, and the report is sent to Stripe's meter.

A report is made once per (tenant, hour) and sent with its identifier, which Stripe counts
once: a rerun of the hour, or a send retried after a lost answer, never counts twice. A send
that failed keeps `sent_at` empty and is sent again by the next run.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import stripe
from celery import shared_task
from django.utils import timezone

from billing import stripe_api
from billing.actions import do_mark_meter_report_sent, do_open_meter_report
from billing.models import Entitlement, MeterReport, Usage
from tenants.db import in_public

logger = logging.getLogger(__name__)


def previous_hour(now: datetime | None = None) -> datetime:
    """The start of the last whole hour before `now`."""
    now = now or timezone.now()
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)


def open_reports(*, hour: datetime) -> int:
    """Make this hour's report for every metered tenant with a customer; returns how many
    tenants are metered."""
    metered = (
        Entitlement.objects.exclude(plan__meter_event_name="")
        .exclude(stripe_customer_id="")
        .values_list("client_id", flat=True)
    )
    totals = dict(Usage.objects.filter(client_id__in=list(metered)).values_list("client_id", "messages_total"))
    for client_id, messages_total in totals.items():
        do_open_meter_report(client_id=client_id, hour=hour, messages_total=messages_total)
    return len(totals)


def send_unsent() -> dict[str, int]:
    """Send every report not sent yet, oldest first (a failed one stays for the next run)."""
    outcome = {"sent": 0, "failed": 0}
    reports = MeterReport.objects.filter(sent_at__isnull=True).select_related("client__entitlement__plan")
    for report in reports.order_by("hour", "pk"):
        entitlement = report.client.entitlement
        if not entitlement.plan.meter_event_name or not entitlement.stripe_customer_id:
            continue  # left the metered plan since: kept unsent, for the record
        try:
            stripe_api.report_meter_event(
                event_name=entitlement.plan.meter_event_name,
                customer_id=entitlement.stripe_customer_id,
                value=report.value,
                identifier=report.identifier,
                # Stamped at the end of its hour, so the usage falls in the period it happened in.
                timestamp=report.hour + timedelta(hours=1) - timedelta(seconds=1),
            )
        except stripe.StripeError:
            logger.exception("meter report %s failed", report.identifier)
            outcome["failed"] += 1
            continue
        do_mark_meter_report_sent(report=report)
        outcome["sent"] += 1
    return outcome


def report_meters(now: datetime | None = None) -> dict[str, int]:
    hour = previous_hour(now)
    metered = open_reports(hour=hour)
    return {"metered": metered, **send_unsent()}


@shared_task(name="billing.report_meters", acks_late=True)
def report_meters_task() -> dict[str, int]:
    """Beat, hourly."""
    with in_public():
        return report_meters()
