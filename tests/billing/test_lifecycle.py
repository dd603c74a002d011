"""A subscription's life as Stripe's events tell it, posted signed to the webhook and applied as
the worker applies them: trial, active, past due with the owners' mail and a grace period,
read-only when canceled, unpaid or past the grace; an abandoned first payment; a new
subscription after a canceled one; replays and events out of order; invoices; two tenants."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone
from django_tenants.utils import schema_context
from djstripe.models import Customer, WebhookEndpoint

from billing import events
from billing.actions import do_end_expired_comps
from billing.entitlements import entitled
from billing.models import Entitlement, Invoice, Plan, StripeEvent
from billing.selectors import default_plan
from billing.tasks import retry_failed_events, sweep_pending_events
from config import limits
from config.limits import ReadOnlyWorkspace
from tenants.urls_helpers import tenant_url
from tests.support.chat_api import make_room, person
from tests.support.people_api import assert_error
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
    subscription,
)
from tests.support.webhooks import Payer

pytestmark = pytest.mark.django_db

Status = Entitlement.Status


@dataclass
class Stripe:
    """Sends events the way Stripe and the worker together do: signed to the endpoint, then
    applied (with the commit's side effects, such as mail, carried out)."""

    http: HttpClient
    endpoint: WebhookEndpoint
    capture: Callable[..., Any]

    def send(self, payload: dict[str, Any]) -> StripeEvent:
        with self.capture(execute=False):  # the worker's task is not sent: applied below
            response = post_event(self.http, self.endpoint, payload)
        assert response.status_code == 200, response.content
        with self.capture(execute=True):
            events.process_event(payload["id"])
        with schema_context("public"):
            return StripeEvent.objects.get(pk=payload["id"])


@pytest.fixture
def stripe(
    platform_client: HttpClient, webhook_endpoint: WebhookEndpoint, django_capture_on_commit_callbacks: Any
) -> Stripe:
    return Stripe(platform_client, webhook_endpoint, django_capture_on_commit_callbacks)


def sub_event(
    payer: Payer, event_type: str, status: str, at: int, *, sub_id: str = "sub_main", **fields: Any
) -> dict[str, Any]:
    return event(
        f"customer.subscription.{event_type}",
        subscription(customer=payer.customer, status=status, sub_id=f"{sub_id}_{payer.client_id}", **fields),
        created=at,
    )


def writable(payer: Payer) -> bool:
    try:
        limits.check_writable(payer.tenant.client)
    except ReadOnlyWorkspace:
        return False
    return True


def owner_mail() -> list[Any]:
    return [message for message in mail.outbox if "payment" in message.subject.lower()]


T0 = now() - 30 * DAY


def test_a_trial_then_payment_makes_the_plan_active(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    acme, _ = payers
    trial_end = now() + 10 * DAY

    # when: a trial starts
    first = stripe.send(
        sub_event(acme, "created", "trialing", T0, quantity=4, trial_end=trial_end, period_end=trial_end)
    )

    # then: the team plan, trialing, with its seats and dates
    entitlement = acme.entitlement()
    assert first.status == StripeEvent.Status.PROCESSED and first.client_id == acme.client_id
    assert (entitlement.plan.code, entitlement.status, entitlement.interval) == ("team", Status.TRIALING, "month")
    assert entitlement.quantity == entitlement.synced_quantity == 4
    assert epoch(entitlement.trial_ends_at) == trial_end
    assert epoch(entitlement.current_period_end) == trial_end
    assert entitlement.stripe_subscription_id == f"sub_main_{acme.client_id}"
    assert entitlement.state_at is not None and epoch(entitlement.state_at) == T0
    assert entitled(acme.tenant.client).plan_code == "team" and writable(acme)

    # when: the trial converts, on the yearly price
    stripe.send(sub_event(acme, "updated", "active", T0 + 60, interval="year", quantity=5))

    # then
    entitlement = acme.entitlement()
    assert (entitlement.status, entitlement.interval, entitlement.quantity) == (Status.ACTIVE, "year", 5)
    assert entitlement.trial_ends_at is None
    assert entitled(acme.tenant.client).status == Status.ACTIVE and writable(acme)


def test_the_period_comes_from_the_subscription_item(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    acme, _ = payers
    start, end = now() - 3 * DAY, now() + 27 * DAY
    payload = sub_event(acme, "created", "active", T0, period_start=start, period_end=end)
    # API 2026-05-27: the subscription itself no longer carries the period
    assert "current_period_end" not in payload["data"]["object"]

    stripe.send(payload)

    entitlement = acme.entitlement()
    assert epoch(entitlement.current_period_start) == start
    assert epoch(entitlement.current_period_end) == end
    assert entitled(acme.tenant.client).period_end == entitlement.current_period_end


def test_past_due_mails_the_owners_once_and_keeps_writes_open_during_the_grace(
    stripe: Stripe, payers: tuple[Payer, Payer]
) -> None:
    acme, globex = payers
    failed_at = now() - 2 * DAY
    stripe.send(sub_event(acme, "created", "active", T0))
    mail.outbox.clear()

    # when: a renewal payment fails, and Stripe retries it (still past due)
    stripe.send(sub_event(acme, "updated", "past_due", failed_at))
    stripe.send(sub_event(acme, "updated", "past_due", failed_at + 3600))

    # then: past due since the first failure, still writable, the owner mailed once
    entitlement = acme.entitlement()
    assert entitlement.status == Status.PAST_DUE
    assert epoch(entitlement.past_due_since) == failed_at
    assert writable(acme)
    sent = owner_mail()
    assert [message.to for message in sent] == [[acme.tenant.owner_email]]
    billing_page = tenant_url(acme.tenant.client, "/settings/billing/")
    assert billing_page.startswith(f"http://acme.{settings.PLATFORM_DOMAIN}")
    assert billing_page in sent[0].body and billing_page in str(sent[0].alternatives[0][0])
    assert sent[0].from_email.startswith("Acme")  # the tenant's brand, not the platform's
    assert writable(globex)  # the other tenant is untouched
    assert globex.entitlement().status == Status.FREE

    # when: the payment goes through, then a later renewal fails again
    stripe.send(sub_event(acme, "updated", "active", failed_at + 7200))
    assert acme.entitlement().past_due_since is None
    stripe.send(sub_event(acme, "updated", "past_due", failed_at + 9000))

    # then: a new spell, a new mail
    assert len(owner_mail()) == 2
    assert epoch(acme.entitlement().past_due_since) == failed_at + 9000


def test_past_due_beyond_the_grace_days_is_read_only(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    acme, _ = payers
    failed_at = now() - (settings.BILLING_GRACE_DAYS + 1) * DAY
    stripe.send(sub_event(acme, "created", "active", T0))

    stripe.send(sub_event(acme, "updated", "past_due", failed_at))

    current = entitled(acme.tenant.client)
    assert current.status == Status.PAST_DUE and current.read_only
    with pytest.raises(ReadOnlyWorkspace):
        limits.check_writable(acme.tenant.client)


@pytest.mark.parametrize(
    ("event_type", "stripe_status", "ours"),
    [
        ("deleted", "canceled", Status.CANCELED),
        ("deleted", "active", Status.CANCELED),  # a deletion is an end whatever the object says
        ("updated", "canceled", Status.CANCELED),
        ("updated", "unpaid", Status.UNPAID),
        ("paused", "paused", Status.UNPAID),
    ],
)
def test_an_ended_or_unpaid_subscription_makes_the_workspace_read_only(
    stripe: Stripe, payers: tuple[Payer, Payer], event_type: str, stripe_status: str, ours: str
) -> None:
    acme, globex = payers
    stripe.send(sub_event(acme, "created", "active", T0))

    stripe.send(sub_event(acme, event_type, stripe_status, T0 + 60))

    entitlement = acme.entitlement()
    assert entitlement.status == ours and entitlement.plan.code == "team"
    assert entitlement.past_due_since is None
    with pytest.raises(ReadOnlyWorkspace) as refused:
        limits.check_writable(acme.tenant.client)
    assert refused.value.status_code == 402 and refused.value.get_codes() == "read_only"
    assert writable(globex)


def test_a_message_send_over_the_api_answers_402_read_only_once_canceled(
    stripe: Stripe, payers: tuple[Payer, Payer]
) -> None:
    # given: a room in acme, and a subscription that ends
    acme, _ = payers
    owner = person(acme.tenant, "Owner Person")
    room = make_room(acme.tenant, owner)
    stripe.send(sub_event(acme, "created", "active", T0))
    assert owner.post(f"/api/rooms/{room.pk}/messages/", {"body": "while paid"}).status_code == 201

    # when
    stripe.send(sub_event(acme, "deleted", "canceled", T0 + 60))

    # then: reads work, writes are refused
    response = owner.post(f"/api/rooms/{room.pk}/messages/", {"body": "after the end"})
    assert_error(response, 402, "read_only")
    assert owner.get(f"/api/rooms/{room.pk}/messages/").status_code == 200


def test_an_incomplete_first_payment_then_expiry_goes_back_to_the_free_plan(
    stripe: Stripe, payers: tuple[Payer, Payer]
) -> None:
    acme, _ = payers

    # when: the first invoice is not paid yet
    stripe.send(sub_event(acme, "created", "incomplete", T0))

    # then
    entitlement = acme.entitlement()
    assert (entitlement.status, entitlement.plan.code) == (Status.INCOMPLETE, "team")
    assert writable(acme)

    # when: it never is (Stripe gives up after 23 hours)
    stripe.send(sub_event(acme, "updated", "incomplete_expired", T0 + DAY))

    # then: the default plan, free, no subscription
    entitlement = acme.entitlement()
    assert (entitlement.status, entitlement.plan) == (Status.FREE, default_plan())
    assert entitlement.stripe_subscription_id == "" and entitlement.current_period_end is None
    assert entitlement.stripe_customer_id == acme.customer
    assert entitled(acme.tenant.client).status == Status.FREE and writable(acme)


def test_a_new_subscription_after_a_canceled_one_reactivates(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    acme, _ = payers
    stripe.send(sub_event(acme, "created", "active", T0))
    stripe.send(sub_event(acme, "deleted", "canceled", T0 + DAY))
    assert not writable(acme)

    # when: the owner subscribes again, to the business plan
    stripe.send(sub_event(acme, "created", "active", T0 + 2 * DAY, sub_id="sub_again", plan_code="business"))

    # then
    entitlement = acme.entitlement()
    assert (entitlement.status, entitlement.plan.code) == (Status.ACTIVE, "business")
    assert entitlement.stripe_subscription_id == f"sub_again_{acme.client_id}"
    assert writable(acme)

    # and: a late event of the old subscription changes nothing
    stripe.send(sub_event(acme, "updated", "canceled", T0 + 2 * DAY + 60))
    assert acme.entitlement().stripe_subscription_id == f"sub_again_{acme.client_id}"
    assert acme.entitlement().status == Status.ACTIVE


def test_an_abandoned_checkout_does_not_touch_the_live_subscription(
    stripe: Stripe, payers: tuple[Payer, Payer]
) -> None:
    acme, _ = payers
    stripe.send(sub_event(acme, "created", "active", T0))

    stripe.send(sub_event(acme, "created", "incomplete", T0 + 60, sub_id="sub_abandoned", plan_code="business"))
    stripe.send(sub_event(acme, "updated", "incomplete_expired", T0 + DAY, sub_id="sub_abandoned"))

    entitlement = acme.entitlement()
    assert (entitlement.status, entitlement.plan.code) == (Status.ACTIVE, "team")
    assert entitlement.stripe_subscription_id == f"sub_main_{acme.client_id}"


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


def test_trial_will_end_mails_the_owners(stripe: Stripe, payers: tuple[Payer, Payer]) -> None:
    acme, _ = payers
    trial_end = now() + 3 * DAY
    stripe.send(sub_event(acme, "created", "trialing", T0, trial_end=trial_end))
    mail.outbox.clear()

    stripe.send(sub_event(acme, "trial_will_end", "trialing", T0 + 60, trial_end=trial_end))

    assert [message.to for message in mail.outbox] == [[acme.tenant.owner_email]]
    assert "trial ends soon" in mail.outbox[0].subject
    assert "/settings/billing/" in mail.outbox[0].body
    assert acme.entitlement().status == Status.TRIALING


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


def test_an_expired_comp_goes_back_to_the_default_plan(payers: tuple[Payer, Payer]) -> None:
    acme, globex = payers
    with schema_context("public"):
        business = Plan.objects.get(code="business")
        Entitlement.objects.filter(client_id=acme.client_id).update(
            plan=business, status=Status.ACTIVE, is_comped=True, comped_until=timezone.now() - timedelta(minutes=1)
        )
        Entitlement.objects.filter(client_id=globex.client_id).update(
            plan=business, status=Status.ACTIVE, is_comped=True, comped_until=timezone.now() + timedelta(days=1)
        )

        ended = do_end_expired_comps()

    assert ended == 1
    assert (acme.entitlement().plan, acme.entitlement().status) == (default_plan(), Status.FREE)
    assert not acme.entitlement().is_comped
    assert (globex.entitlement().plan.code, globex.entitlement().is_comped) == ("business", True)
