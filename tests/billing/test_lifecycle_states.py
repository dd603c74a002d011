"""A subscription's life as Stripe's events tell it, posted signed to the webhook and applied as
the worker applies them: trial, active, past due with the owners' mail and a grace period,
read-only when canceled, unpaid or past the grace; an abandoned first payment; a new
subscription after a canceled one; the end of a trial, and of a comp."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.actions import do_end_expired_comps
from billing.entitlements import entitled
from billing.models import Entitlement, Plan, StripeEvent
from billing.selectors import default_plan
from config import limits
from config.limits import ReadOnlyWorkspace
from tenants.urls_helpers import tenant_url
from tests.support.chat_api import make_room, person
from tests.support.lifecycle import T0, Stripe, owner_mail, sub_event, writable
from tests.support.people_api import assert_error
from tests.support.stripe_payloads import DAY, epoch, now
from tests.support.webhooks import Payer

pytestmark = pytest.mark.django_db

Status = Entitlement.Status


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
