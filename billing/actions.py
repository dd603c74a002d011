"""Every write to billing's tables outside webhook processing (billing.events)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from billing.entitlements import entitled, forget
from billing.models import Entitlement, MeterReport, Plan, Usage
from billing.selectors import default_plan
from billing.subscriptions import back_to_default_plan
from tenants.db import in_public, in_tenant
from tenants.models import Client


def do_open_account(*, client: Client, plan: Plan | None = None, seats: int = 0) -> Entitlement:
    """A new tenant's entitlement (its plan, free of charge until it subscribes) and usage row.
    Precondition: inside the provisioning transaction, in the public schema."""
    plan = plan or default_plan()
    status = Entitlement.Status.FREE if plan.is_free else Entitlement.Status.ACTIVE
    with transaction.atomic():
        entitlement = Entitlement.objects.create(client=client, plan=plan, status=status, is_comped=not plan.is_free)
        forget(client.pk)
        Usage.objects.create(client=client, seats=seats, period_start=entitled(client).usage_period_start())
    return entitlement


def do_end_expired_comps(*, now: datetime | None = None) -> int:
    """Workspaces whose complimentary plan ended (`comped_until` passed), or whose cancellation
    without a subscription came due, go back to the default plan, free. A subscription that took
    a comp's place clears `is_comped` (billing.subscriptions), so it is never ended here.
    Returns how many ended."""
    now = now or timezone.now()
    due = Q(is_comped=True, comped_until__lt=now) | Q(
        cancel_at_period_end=True, stripe_subscription_id="", current_period_end__lt=now
    )
    ended = 0
    for client_id in Entitlement.objects.filter(due).values_list("client_id", flat=True):
        with transaction.atomic():
            entitlement = Entitlement.objects.select_for_update().filter(due, client_id=client_id).first()
            if entitlement is None:  # changed meanwhile (a staff extension, a subscription)
                continue
            back_to_default_plan(entitlement)
            entitlement.save()
            forget(client_id)
            ended += 1
    return ended


def do_link_customer(*, client: Client, customer_id: str) -> None:
    """Keep the tenant's Stripe customer on its entitlement. The first link wins: a customer
    made by a second, simultaneous first checkout is the same one (dj-stripe's idempotency key)."""
    with transaction.atomic():
        Entitlement.objects.filter(client=client, stripe_customer_id="").update(
            stripe_customer_id=customer_id, updated_at=timezone.now()
        )
        forget(client.pk)


def do_record_synced_quantity(*, entitlement: Entitlement, quantity: int) -> None:
    """The seat count Stripe now bills (billing.seats pushes only a different one)."""
    with transaction.atomic():
        Entitlement.objects.filter(pk=entitlement.pk).update(synced_quantity=quantity, updated_at=timezone.now())
        entitlement.synced_quantity = quantity
        forget(entitlement.client_id)


def do_set_plan_stripe_ids(*, plan: Plan, product_id: str, monthly_price_id: str, yearly_price_id: str) -> None:
    """The Stripe product and prices that sell `plan` (billing.stripe_api.push_plan)."""
    plan.stripe_product_id = product_id
    plan.stripe_price_monthly_id = monthly_price_id
    plan.stripe_price_yearly_id = yearly_price_id
    plan.save(update_fields=["stripe_product_id", "stripe_price_monthly_id", "stripe_price_yearly_id"])


def do_open_meter_report(*, client_id: int, hour: datetime, messages_total: int) -> MeterReport:
    """The tenant's report for `hour`: made once, with the messages since its previous report;
    a rerun of the same hour gets the report already made (unique per client and hour)."""
    with transaction.atomic():
        existing = MeterReport.objects.filter(client_id=client_id, hour=hour).first()
        if existing is not None:
            return existing
        previous = (
            MeterReport.objects.filter(client_id=client_id, hour__lt=hour)
            .order_by("-hour")
            .values_list("messages_total", flat=True)
        ).first()
        report, _ = MeterReport.objects.get_or_create(
            client_id=client_id,
            hour=hour,
            defaults={
                "identifier": f"{client_id}:{hour.isoformat()}",
                "messages_total": messages_total,
                "value": max(messages_total - (previous or 0), 0),
            },
        )
    return report


def do_mark_meter_report_sent(*, report: MeterReport) -> None:
    report.sent_at = timezone.now()
    report.save(update_fields=["sent_at"])


# -- staff (billing.admin) -------------------------------------------------------------------


class StaffRefused(Exception):
    """A staff action that does not apply to this workspace, with a sentence for the admin."""


def do_comp_plan(*, client: Client, plan: Plan, until: datetime | None, note: str) -> Entitlement:
    """Give `plan` free of charge, until `until` (for good when None). Written here directly:
    no subscription is involved (a subscription started later replaces the comp, billing.events)."""
    with transaction.atomic():
        entitlement = Entitlement.objects.select_for_update().get(client=client)
        entitlement.plan = plan
        entitlement.status = Entitlement.Status.ACTIVE
        entitlement.interval = ""
        entitlement.is_comped = True
        entitlement.comped_until = until
        entitlement.cancel_at_period_end = False
        entitlement.past_due_since = None
        entitlement.note = note[:500]
        entitlement.save()
        forget(client.pk)
    return entitlement


def do_end_comp(*, client: Client, note: str = "") -> Entitlement:
    """End a complimentary plan now: the default plan, free."""
    with transaction.atomic():
        entitlement = Entitlement.objects.select_for_update().get(client=client)
        back_to_default_plan(entitlement)
        if note:
            entitlement.note = note[:500]
        entitlement.save()
        forget(client.pk)
    return entitlement


def _has_subscription(entitlement: Entitlement) -> bool:
    return bool(entitlement.stripe_subscription_id) and not entitlement.is_comped


def do_extend_trial(*, client: Client, days: int) -> Entitlement:
    """Move the trial's end `days` later. A subscription's trial is moved at Stripe and comes back
    through its webhook; a trial without one changes here."""
    # Imported here: billing.stripe_api uses this module's actions.
    from billing import stripe_api

    entitlement = Entitlement.objects.get(client=client)
    if entitlement.status != Entitlement.Status.TRIALING:
        raise StaffRefused(f"{client} is not on a trial.")
    until = max(entitlement.trial_ends_at or timezone.now(), timezone.now()) + timedelta(days=days)
    if _has_subscription(entitlement):
        stripe_api.extend_trial(entitlement=entitlement, until=until)
        return entitlement
    with transaction.atomic():
        entitlement = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
        entitlement.trial_ends_at = entitlement.current_period_end = until
        entitlement.save(update_fields=["trial_ends_at", "current_period_end", "updated_at"])
        forget(client.pk)
    return entitlement


def do_cancel_subscription(*, client: Client, at_period_end: bool) -> Entitlement:
    """End what the workspace pays for. A subscription is canceled at Stripe and its webhook
    brings the state back; a comped or subscription-less workspace changes here (now: the
    default plan; at period end: when the comp or period runs out)."""
    from billing import stripe_api

    entitlement = Entitlement.objects.get(client=client)
    if _has_subscription(entitlement):
        stripe_api.cancel_subscription(entitlement=entitlement, at_period_end=at_period_end)
        return entitlement
    end = entitlement.comped_until or entitlement.current_period_end
    if not at_period_end or end is None or end <= timezone.now():
        return do_end_comp(client=client)
    with transaction.atomic():
        entitlement = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
        entitlement.cancel_at_period_end = True
        if entitlement.is_comped:
            entitlement.comped_until = end
        entitlement.save(update_fields=["cancel_at_period_end", "comped_until", "updated_at"])
        forget(client.pk)
    return entitlement


def do_recount_usage(*, client: Client) -> Usage:
    """Set the tenant's seats and storage to what its schema holds. The actions keep both
    counters as they go; this mends a tenant whose data was written around them (an import, a
    restored dump, demo data) and is a staff action in the admin."""
    from accounts.models import User
    from documents.models import Document

    with in_tenant(client):
        seats = User.objects.filter(is_active=True).count()
        stored = Document.objects.aggregate(total=Sum("size"))["total"] or 0
    with in_public(), transaction.atomic():
        usage, _ = Usage.objects.select_for_update().get_or_create(
            client=client, defaults={"period_start": entitled(client).usage_period_start()}
        )
        usage.seats, usage.storage_bytes = seats, stored
        usage.save(update_fields=["seats", "storage_bytes"])
    return usage


def do_continue_on_free(*, client: Client) -> Entitlement:
    """The workspace's ended subscription gives way to the default plan, free and writable.
    The caller checked that it may (billing.checkout.continue_on_free)."""
    with transaction.atomic():
        entitlement = Entitlement.objects.select_for_update().get(client=client)
        back_to_default_plan(entitlement)
        entitlement.save()
        forget(client.pk)
    return entitlement
