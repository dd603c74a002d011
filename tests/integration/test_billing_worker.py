"""Stripe events through the webhook and a real Celery worker: a burst of signed events, posted
at once from several threads and in shuffled order (some twice), each applied exactly once with
the newest state winning; and a failed event applied by the nightly sweep once its cause is
fixed.

Everything here is committed (the worker is another process), so each test puts back what it
changed: the tenants' entitlements, the events, invoices, plans and the endpoint it made.
"""

from __future__ import annotations

import random
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from djstripe.models import WebhookEndpoint

from billing.models import Entitlement, Invoice, Plan, StripeEvent
from billing.tasks import retry_failed_events
from tests.support.live_chat import committed
from tests.support.stripe_payloads import DAY, epoch, event, invoice, now, post_event, price, subscription
from tests.support.tenants import TenantInfo, host_client
from tests.support.waiting import wait_for
from tests.support.webhooks import Payer, free_state, make_endpoint, restore_entitlement, saved_entitlement

# Needs the test database even when run alone (pytest-django sets it up only for marked tests);
# every write goes through `committed`, outside the test's own transaction.
pytestmark = pytest.mark.django_db

BURST_THREADS = 8


class Ledger:
    """What a test made, removed (and the entitlements put back) when it ends."""

    def __init__(self) -> None:
        self.event_ids: list[str] = []
        self.invoice_ids: list[str] = []
        self.plan_codes: list[str] = []
        self.saved: dict[int, dict[str, Any]] = {}
        self.endpoint: WebhookEndpoint | None = None

    def clean(self) -> None:
        for client_id, saved in self.saved.items():
            restore_entitlement(client_id, saved)
        StripeEvent.objects.filter(pk__in=self.event_ids).delete()
        Invoice.objects.filter(stripe_id__in=self.invoice_ids).delete()
        Plan.objects.filter(code__in=self.plan_codes).delete()
        if self.endpoint is not None:
            WebhookEndpoint.objects.filter(pk=self.endpoint.pk).delete()


@pytest.fixture
def stripe_setup(
    celery_worker: subprocess.Popen[bytes],
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    django_db_blocker: pytest.FixtureRequest,
) -> Iterator[tuple[WebhookEndpoint, Payer, Payer, Ledger]]:
    """An endpoint, and acme and globex as customers on the free plan, all committed."""
    ledger = Ledger()
    payers = (
        Payer(tenant_a, f"cus_burst_{uuid.uuid4().hex[:12]}"),
        Payer(tenant_b, f"cus_burst_{uuid.uuid4().hex[:12]}"),
    )

    def given() -> WebhookEndpoint:
        for payer in payers:
            ledger.saved[payer.client_id] = saved_entitlement(payer.client_id)
            Entitlement.objects.filter(client_id=payer.client_id).update(**free_state(payer.customer))
        ledger.endpoint = make_endpoint()
        return ledger.endpoint

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        try:
            endpoint = committed(given)
            yield endpoint, payers[0], payers[1], ledger
        finally:
            committed(ledger.clean)


def post_all(endpoint: WebhookEndpoint, payloads: list[dict[str, Any]]) -> list[float]:
    """POST every payload, from BURST_THREADS threads at once (each its own connection, so
    every request commits as in production); returns each answer's time in seconds."""

    def post_chunk(chunk: list[dict[str, Any]]) -> list[float]:
        http = host_client(settings.PLATFORM_DOMAIN)
        times: list[float] = []
        try:
            for payload in chunk:
                started = time.perf_counter()
                response = post_event(http, endpoint, payload)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.content
        finally:
            connections.close_all()
        return times

    chunks = [payloads[index::BURST_THREADS] for index in range(BURST_THREADS)]
    with ThreadPoolExecutor(BURST_THREADS) as pool:
        return [seconds for times in pool.map(post_chunk, chunks) for seconds in times]


def subscription_updates(payer: Payer, count: int, start: int) -> list[dict[str, Any]]:
    """`count` updates of one subscription, a second apart; the seats go up by one each time."""
    sub_id = f"sub_burst_{payer.client_id}"
    return [
        event(
            "customer.subscription.created" if index == 0 else "customer.subscription.updated",
            subscription(customer=payer.customer, sub_id=sub_id, quantity=index + 1),
            created=start + index,
        )
        for index in range(count)
    ]


def invoice_lives(payer: Payer, count: int, steps: list[tuple[str, str]], start: int) -> list[dict[str, Any]]:
    """`count` invoices, each through `steps` ((event type, invoice status), a second apart)."""
    payloads = []
    for number in range(count):
        invoice_id = f"in_burst_{uuid.uuid4().hex[:16]}"
        created = start + number * 10
        for offset, (event_type, status) in enumerate(steps):
            obj = invoice(
                customer=payer.customer, invoice_id=invoice_id, status=status, created=created, number=f"B-{number}"
            )
            payloads.append(event(event_type, obj, created=created + offset))
    return payloads


def test_a_burst_of_events_is_applied_exactly_once_each(
    stripe_setup: tuple[WebhookEndpoint, Payer, Payer, Ledger], django_db_blocker: pytest.FixtureRequest
) -> None:
    endpoint, acme, globex, ledger = stripe_setup
    start = now() - 2 * DAY
    full_life = [("invoice.created", "draft"), ("invoice.finalized", "open"), ("invoice.paid", "paid")]
    short_life = [("invoice.created", "draft"), ("invoice.paid", "paid")]
    payloads = (
        subscription_updates(acme, 200, start)
        + subscription_updates(globex, 100, start)
        + invoice_lives(acme, 50, full_life, start)
        + invoice_lives(globex, 25, short_life, start)
    )
    assert len(payloads) == 500
    ledger.event_ids += [payload["id"] for payload in payloads]
    ledger.invoice_ids += list(
        {payload["data"]["object"]["id"] for payload in payloads if payload["type"][:8] == "invoice."}
    )
    shuffled = random.Random(11).sample(payloads, len(payloads))
    replays = random.Random(12).sample(payloads, 50)

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        # when: all of it at once, in no order, with 50 sent twice
        post_all(endpoint, shuffled + replays)

        # then: every event stored once and applied by the worker
        ids = ledger.event_ids

        def processed() -> str:
            return f"{committed(lambda: StripeEvent.objects.filter(pk__in=ids, status='processed').count())} processed"

        assert wait_for(processed, "500 processed", timeout=180) == "500 processed"
        events = committed(lambda: list(StripeEvent.objects.filter(pk__in=ids).values_list("attempts", "client_id")))
        assert len(events) == 500
        assert {attempts for attempts, _ in events} == {1}
        assert {client_id for _, client_id in events} == {acme.client_id, globex.client_id}

        # and: the newest state of each subscription, each invoice counted once and paid
        rows = committed(lambda: {p.client_id: Entitlement.objects.get(client_id=p.client_id) for p in (acme, globex)})
        assert (rows[acme.client_id].status, rows[acme.client_id].quantity) == ("active", 200)
        assert (rows[globex.client_id].status, rows[globex.client_id].quantity) == ("active", 100)
        assert epoch(rows[acme.client_id].state_at) == start + 199

        def invoices_of(payer: Payer) -> list[str]:
            return committed(
                lambda: list(
                    Invoice.objects.filter(client_id=payer.client_id, stripe_id__in=ledger.invoice_ids).values_list(
                        "status", flat=True
                    )
                )
            )

        assert invoices_of(acme) == ["paid"] * 50
        assert invoices_of(globex) == ["paid"] * 25


def test_a_failed_event_is_applied_by_the_nightly_sweep(
    stripe_setup: tuple[WebhookEndpoint, Payer, Payer, Ledger], django_db_blocker: pytest.FixtureRequest
) -> None:
    endpoint, acme, globex, ledger = stripe_setup
    code = f"later-{uuid.uuid4().hex[:8]}"
    ledger.plan_codes.append(code)
    # given: a subscription on a plan that is not in the database yet
    payload = event(
        "customer.subscription.created",
        subscription(customer=acme.customer, quantity=6, price_obj=price(code)),
        created=now() - 60,
    )
    ledger.event_ids.append(payload["id"])

    with django_db_blocker.unblock():  # type: ignore[attr-defined]

        def status() -> str | None:
            return committed(
                lambda: StripeEvent.objects.filter(pk=payload["id"]).values_list("status", flat=True).first()
            )

        post_all(endpoint, [payload])
        assert wait_for(status, "failed", timeout=60) == "failed"
        assert committed(lambda: Entitlement.objects.get(client_id=acme.client_id).status) == "free"

        # when: the plan is made, and the sweep runs on the worker
        committed(lambda: Plan.objects.create(code=code, name="Later", monthly_price_cents=900, is_public=False))
        outcome = retry_failed_events.delay().get(timeout=60)

        # then
        assert outcome.get("processed", 0) >= 1
        row = committed(lambda: StripeEvent.objects.get(pk=payload["id"]))
        assert (row.status, row.attempts, row.error) == ("processed", 2, "")
        entitlement = committed(lambda: Entitlement.objects.select_related("plan").get(client_id=acme.client_id))
        assert (entitlement.plan.code, entitlement.status, entitlement.quantity) == (code, "active", 6)
        assert committed(lambda: Entitlement.objects.get(client_id=globex.client_id).status) == "free"
