"""Stripe's events as they may arrive: replayed, out of order, from a customer we do not know or
know only through dj-stripe or checkout metadata; invoices; two tenants at once; events that fail
and are retried by the sweeps; and events of kinds that change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from djstripe.models import Customer

from billing.models import Entitlement, Invoice, Plan, StripeEvent
from billing.tasks import retry_failed_events, sweep_pending_events
from tests.support.lifecycle import T0, Stripe, owner_mail, sub_event, writable
from tests.support.stripe_payloads import (
    DAY,
    checkout_session,
    epoch,
    event,
    invoice,
    new_id,
    now,
    post_event,
    price,
)
from tests.support.webhooks import Payer

pytestmark = pytest.mark.django_db

Status = Entitlement.Status


def test_a_replayed_event_is_stored_once_and_applied_once(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    acme, _ = payers
    stripe.send(sub_event(acme, "created", "active", T0))
    payload = sub_event(acme, "updated", "past_due", T0 + 60)
    mail.outbox.clear()

    first = stripe.send(payload)
    again = stripe.send(payload)

    assert first.status == again.status == StripeEvent.Status.PROCESSED
    assert again.attempts == 1 and again.processed_at == first.processed_at
    with schema_context("public"):
        assert StripeEvent.objects.filter(pk=payload["id"]).count() == 1
    assert len(owner_mail()) == 1


def test_updated_before_created_keeps_the_newer_state(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    acme, _ = payers
    created = sub_event(acme, "created", "incomplete", T0, quantity=2)
    updated = sub_event(acme, "updated", "active", T0 + 5, quantity=7)

    # when: the update arrives first
    stripe.send(updated)
    late = stripe.send(created)

    # then: the older event is stored and processed, and changed nothing
    entitlement = acme.entitlement()
    assert late.status == StripeEvent.Status.PROCESSED
    assert (entitlement.status, entitlement.quantity) == (Status.ACTIVE, 7)
    assert epoch(entitlement.state_at) == T0 + 5


def test_an_old_past_due_after_a_newer_active_never_rolls_back(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    acme, _ = payers
    stripe.send(sub_event(acme, "created", "active", T0))
    stripe.send(sub_event(acme, "updated", "active", T0 + 120))
    mail.outbox.clear()

    stripe.send(sub_event(acme, "updated", "past_due", T0 + 60))

    entitlement = acme.entitlement()
    assert entitlement.status == Status.ACTIVE and entitlement.past_due_since is None
    assert owner_mail() == []


def test_an_unknown_customer_is_ignored(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    acme, globex = payers
    before = [payer.entitlement() for payer in payers]
    stranger = Payer(acme.tenant, new_id("cus"))

    stored = stripe.send(sub_event(stranger, "created", "active", T0))

    assert stored.status == StripeEvent.Status.IGNORED
    assert stored.error == "unknown customer" and stored.client_id is None
    after = [payer.entitlement() for payer in payers]
    assert [(row.status, row.plan_id, row.stripe_subscription_id) for row in after] == [
        (row.status, row.plan_id, row.stripe_subscription_id) for row in before
    ]
    with schema_context("public"):
        assert not Invoice.objects.filter(client_id__in=[acme.client_id, globex.client_id]).exists()


def test_a_customer_is_found_through_dj_stripe_and_through_checkout_metadata(
    stripe: Stripe, payers: tuple[Payer, Payer]
) -> None:
    acme, globex = payers
    with schema_context("public"):
        Entitlement.objects.filter(client_id__in=[acme.client_id, globex.client_id]).update(stripe_customer_id="")
        # acme's customer was made through dj-stripe, with acme as its subscriber
        Customer.objects.create(id=acme.customer, subscriber=acme.tenant.client, livemode=False)

    # when: acme's subscription arrives; globex's checkout completes (its customer is new)
    stripe.send(sub_event(acme, "created", "active", T0))
    stripe.send(
        event(
            "checkout.session.completed",
            checkout_session(client_id=globex.client_id, customer=globex.customer, subscription_id="sub_checkout"),
            created=T0,
        )
    )

    # then
    assert acme.entitlement().stripe_customer_id == acme.customer
    assert acme.entitlement().status == Status.ACTIVE
    linked = globex.entitlement()
    assert (linked.stripe_customer_id, linked.stripe_subscription_id) == (globex.customer, "sub_checkout")
    assert linked.status == Status.FREE  # the subscription's own events set the state


def test_metadata_never_reaches_a_tenant_linked_to_another_customer(
    stripe: Stripe, payers: tuple[Payer, Payer]
) -> None:
    # given: globex pays through its own customer
    acme, globex = payers
    stranger = Payer(acme.tenant, new_id("cus"))

    # when: a subscription of an unknown customer claims globex in its metadata
    stored = stripe.send(sub_event(stranger, "created", "active", T0, client_id=globex.client_id))

    # then
    assert stored.status == StripeEvent.Status.IGNORED
    assert globex.entitlement().status == Status.FREE


def test_invoices_are_upserted_and_never_rolled_back(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    acme, globex = payers
    invoice_id = new_id("in")
    created = T0 + 100

    def invoice_event(event_type: str, status: str, at: int) -> dict[str, Any]:
        obj = invoice(customer=acme.customer, invoice_id=invoice_id, status=status, created=created, total=4800)
        return event(event_type, obj, created=at)

    # when: created, then paid, then a late `finalized` (older than the payment)
    stripe.send(invoice_event("invoice.created", "draft", created))
    with schema_context("public"):
        draft = Invoice.objects.get(stripe_id=invoice_id)
    stripe.send(invoice_event("invoice.paid", "paid", created + 20))
    stripe.send(invoice_event("invoice.finalized", "open", created + 10))

    # then
    with schema_context("public"):
        row = Invoice.objects.get(stripe_id=invoice_id)
        assert Invoice.objects.filter(stripe_id=invoice_id).count() == 1
        assert not Invoice.objects.filter(client_id=globex.client_id).exists()
    assert (draft.status, draft.number, draft.hosted_url) == ("draft", "", "")
    assert (row.client_id, row.status, row.number) == (acme.client_id, "paid", "INV-0001")
    assert (row.total_cents, row.amount_due_cents, row.currency) == (4800, 4800, "usd")
    assert epoch(row.created_at) == created and epoch(row.period_end) == created
    assert row.hosted_url == f"https://invoice.stripe.test/{invoice_id}"
    assert row.pdf_url == f"https://invoice.stripe.test/{invoice_id}.pdf"
    assert epoch(row.state_at) == created + 20


def test_one_tenants_events_never_touch_the_other(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    acme, globex = payers
    stripe.send(sub_event(acme, "created", "active", T0, quantity=9))
    stripe.send(sub_event(globex, "created", "trialing", T0, quantity=2, trial_end=now() + DAY))

    stripe.send(sub_event(acme, "deleted", "canceled", T0 + 60))
    stripe.send(event("invoice.paid", invoice(customer=acme.customer, number="ACME-1"), created=T0 + 60))

    assert (acme.entitlement().status, globex.entitlement().status) == (Status.CANCELED, Status.TRIALING)
    assert globex.entitlement().quantity == 2 and writable(globex) and not writable(acme)
    with schema_context("public"):
        assert list(Invoice.objects.filter(client_id=acme.client_id).values_list("number", flat=True)) == ["ACME-1"]
        assert not Invoice.objects.filter(client_id=globex.client_id).exists()


def test_an_event_that_fails_leaves_the_entitlement_and_is_retried(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    # given: a subscription on a price no plan holds yet
    acme, _ = payers
    stripe.send(sub_event(acme, "created", "active", T0))
    unknown = price("team", price_id=new_id("price"))
    unknown["lookup_key"] = None
    payload = sub_event(acme, "updated", "active", T0 + 60, quantity=8, price_obj=unknown)

    # when
    failed = stripe.send(payload)

    # then: failed, with the reason, and nothing changed
    assert failed.status == StripeEvent.Status.FAILED and failed.attempts == 1
    assert "UnknownPrice" in failed.error
    assert acme.entitlement().quantity == 3

    # when: the plan gets the price, and the nightly sweep runs
    with schema_context("public"):
        Plan.objects.filter(code="team").update(stripe_price_monthly_id=unknown["id"])
    outcome = retry_failed_events()

    # then
    assert outcome.get("processed", 0) >= 1
    with schema_context("public"):
        retried = StripeEvent.objects.get(pk=payload["id"])
    assert (retried.status, retried.attempts, retried.error) == (StripeEvent.Status.PROCESSED, 2, "")
    assert acme.entitlement().quantity == 8


def test_the_sweep_takes_lost_pending_events_and_respects_max_attempts(
    stripe: Stripe, payers: tuple[Payer, Payer]
) -> None:
    acme, _ = payers
    lost = sub_event(acme, "created", "active", T0)
    exhausted = sub_event(acme, "updated", "canceled", T0 + 60)
    with stripe.capture(execute=False):
        for payload in (lost, exhausted):
            assert post_event(stripe.http, stripe.endpoint, payload).status_code == 200
    with schema_context("public"):
        StripeEvent.objects.filter(pk=lost["id"]).update(received_at=timezone.now() - timedelta(hours=1))
        StripeEvent.objects.filter(pk=exhausted["id"]).update(
            status=StripeEvent.Status.FAILED, attempts=settings.BILLING_EVENT_MAX_ATTEMPTS
        )

    retry_failed_events()

    with schema_context("public"):
        statuses = dict(StripeEvent.objects.filter(pk__in=[lost["id"], exhausted["id"]]).values_list("id", "status"))
    assert statuses == {lost["id"]: "processed", exhausted["id"]: "failed"}
    assert acme.entitlement().status == Status.ACTIVE


def test_the_minute_sweep_applies_events_whose_task_was_lost_and_leaves_fresh_and_failed_ones(
    stripe: Stripe, payers: tuple[Payer, Payer]
) -> None:
    # given: an event stored two minutes ago whose task never came, one just stored (its task is
    # on its way), and a failed one (the nightly retry's)
    acme, _ = payers
    lost, fresh, failed = (sub_event(acme, "updated", "active", T0 + n, sub_id=f"sub_{n}") for n in range(3))
    with stripe.capture(execute=False):
        for payload in (lost, fresh, failed):
            assert post_event(stripe.http, stripe.endpoint, payload).status_code == 200
    with schema_context("public"):
        StripeEvent.objects.filter(pk__in=[lost["id"], failed["id"]]).update(
            received_at=timezone.now() - timedelta(minutes=2)
        )
        StripeEvent.objects.filter(pk=failed["id"]).update(status=StripeEvent.Status.FAILED, attempts=1)

    # when
    sweep_pending_events()

    # then: only the lost one was applied
    with schema_context("public"):
        statuses = dict(
            StripeEvent.objects.filter(pk__in=[e["id"] for e in (lost, fresh, failed)]).values_list("id", "status")
        )
    assert statuses == {lost["id"]: "processed", fresh["id"]: "pending", failed["id"]: "failed"}


def test_events_of_other_kinds_are_processed_and_change_nothing(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    acme, _ = payers
    stored = stripe.send(event("product.updated", {"id": new_id("prod"), "object": "product"}, created=T0))
    assert stored.status == StripeEvent.Status.PROCESSED and stored.client_id is None
    assert acme.entitlement().status == Status.FREE
