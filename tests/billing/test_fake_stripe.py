"""The test-mode stand-in's pages: checkout and portal buttons change the subscription as Stripe
would, and Stripe's events reach every registered endpoint, signed as Stripe signs them,
through a real Celery worker."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest
import stripe
from django.conf import settings
from django.test import Client as HttpClient

from billing import stripe_api
from billing.fake_stripe import simulate
from billing.fake_stripe.events import signed_delivery
from billing.models import Plan, StripeEvent
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


class Recorder(ThreadingHTTPServer):
    """A webhook receiver on loopback that keeps every POST (body and headers)."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict[str, str], str]] = []
        self.refuse_first = 0
        super().__init__(("127.0.0.1", 0), RecorderHandler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def wait_for(self, count: int, timeout: float = 30) -> list[tuple[bytes, dict[str, str], str]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.received


class RecorderHandler(BaseHTTPRequestHandler):
    server: Recorder

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.server.refuse_first > 0:
            self.server.refuse_first -= 1
            self.send_response(500)
        else:
            self.server.received.append((body, dict(self.headers), self.path))
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def paid_plan() -> Plan:
    plan = Plan.objects.filter(monthly_price_cents__gt=0, yearly_price_cents__gt=0).order_by("position").first()
    assert plan is not None
    return plan


def checkout_path(tenant: TenantInfo, *, seats: int, interval: str = "month") -> str:
    for plan in Plan.objects.all():
        stripe_api.push_plan(plan=plan)
    url = stripe_api.checkout_url(
        client=tenant.client,
        plan=paid_plan(),
        interval=interval,
        seats=seats,
        success_url=f"http://{tenant.host}/settings/billing/?checkout=done",
        cancel_url=f"http://{tenant.host}/settings/billing/",
    )
    return urlsplit(url).path


def event_types(fake_stripe: ModuleType) -> list[str]:
    return [event["type"] for event in fake_stripe.all_of("event")]


def test_checkout_page_says_test_mode_and_shows_the_offer(
    fake_stripe: ModuleType, tenant_a: TenantInfo, platform_client: HttpClient
) -> None:
    # given a checkout for three seats
    path = checkout_path(tenant_a, seats=3)
    plan = paid_plan()
    # when the owner opens it
    response = platform_client.get(path)
    # then it says no card is charged, and shows the plan, seats, price and a test card
    page = response.content.decode()
    assert response.status_code == 200
    assert "Test mode: no card is charged" in page
    assert plan.name in page
    assert '<dd data-testid="seats">3</dd>' in page
    assert f"{plan.monthly_price_cents * 3 / 100:,.2f}" in page
    assert "4242 4242 4242 4242" in page
    assert "Start subscription" in page and ">Back</a>" in page


def test_start_subscription_delivers_signed_events_through_the_worker(
    fake_stripe: ModuleType,
    tenant_a: TenantInfo,
    platform_client: HttpClient,
    recorder: Recorder,
    celery_worker: subprocess.Popen[bytes],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given an endpoint registered on the stand-in (the first delivery refused, as a busy
    # server might) and a checkout for two seats, without a trial
    Plan.objects.update(trial_days=0)
    endpoint = stripe_api.ensure_webhook_endpoint(base_url=recorder.base_url)
    recorder.refuse_first = 1
    path = checkout_path(tenant_a, seats=2)
    # when the owner starts the subscription
    with django_capture_on_commit_callbacks(execute=True):
        response = platform_client.post(path, {"action": "start"})
    # then they are sent back to the workspace
    assert response.status_code == 302
    assert response["Location"] == f"http://{tenant_a.host}/settings/billing/?checkout=done"
    # and Stripe's events arrive at the endpoint's own URL, each signed with its secret
    expected = [
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
        "checkout.session.completed",
    ]
    received = recorder.wait_for(len(expected))
    assert len(received) == len(expected), event_types(fake_stripe)
    events: dict[str, dict[str, Any]] = {}
    for body, headers, url_path in received:
        assert url_path == urlsplit(endpoint.url).path
        stripe.WebhookSignature.verify_header(body, headers["Stripe-Signature"], endpoint.secret, tolerance=300)
        timestamp, signature = (part.split("=", 1)[1] for part in headers["Stripe-Signature"].split(","))
        own = hmac.new(endpoint.secret.encode(), f"{timestamp}.{body.decode()}".encode(), hashlib.sha256)
        assert hmac.compare_digest(own.hexdigest(), signature)
        event = json.loads(body)
        events[event["type"]] = event
    assert sorted(events) == sorted(expected)
    # and they describe the tenant's new subscription in the pinned version's shape
    session = events["checkout.session.completed"]["data"]["object"]
    sub = events["customer.subscription.created"]["data"]["object"]
    invoice = events["invoice.paid"]["data"]["object"]
    assert session["client_reference_id"] == str(tenant_a.client.pk)
    assert session["subscription"] == sub["id"]
    assert sub["metadata"] == {"client_id": str(tenant_a.client.pk), "plan": paid_plan().code}
    assert sub["items"]["data"][0]["quantity"] == 2
    assert sub["items"]["data"][0]["current_period_end"] > sub["items"]["data"][0]["current_period_start"]
    assert invoice["parent"]["subscription_details"]["subscription"] == sub["id"]
    assert invoice["status"] == "paid" and invoice["amount_paid"] == paid_plan().monthly_price_cents * 2
    assert all(event["api_version"] == endpoint.api_version for event in events.values())


def test_trial_checkout_starts_trialing_with_nothing_charged(
    fake_stripe: ModuleType, tenant_a: TenantInfo, platform_client: HttpClient
) -> None:
    # given a plan with a trial, and a tenant that never had one
    plan = paid_plan()
    plan.trial_days = 14
    plan.save(update_fields=["trial_days"])
    from billing.models import Entitlement

    Entitlement.objects.filter(client=tenant_a.client).update(trial_ends_at=None)
    path = checkout_path(tenant_a, seats=4)
    assert "14 days free" in platform_client.get(path).content.decode()
    # when the subscription starts
    platform_client.post(path, {"action": "start"})
    # then it is trialing for 14 days, its first invoice zero and paid
    session = fake_stripe.get(path.rstrip("/").rsplit("/", 1)[-1])
    sub = fake_stripe.get(session["subscription"])
    assert sub["status"] == "trialing"
    assert sub["trial_end"] - sub["trial_start"] == 14 * 24 * 60 * 60
    assert session["payment_status"] == "no_payment_required"
    assert fake_stripe.get(sub["latest_invoice"])["total"] == 0


def test_portal_buttons_change_the_subscription_like_stripe(
    fake_stripe: ModuleType, tenant_a: TenantInfo, platform_client: HttpClient
) -> None:
    # given a subscribed tenant in its portal
    Plan.objects.update(trial_days=0)
    path = checkout_path(tenant_a, seats=2)
    sub_id = simulate.complete_checkout(path.rstrip("/").rsplit("/", 1)[-1])["id"]
    portal = urlsplit(stripe_api.portal_url(client=tenant_a.client, return_url=f"http://{tenant_a.host}/")).path
    page = platform_client.get(portal).content.decode()
    for button in ("Cancel at period end", "Cancel now", "Simulate a failed payment", "Pay the open invoice"):
        assert button in page
    assert "Switch to yearly" in page and "Back to the workspace" in page

    def press(action: str) -> dict[str, Any]:
        assert platform_client.post(portal, {"action": action}).status_code == 302
        return fake_stripe.get(sub_id)

    # when they cancel at the period's end, then resume
    assert press("cancel_at_period_end")["cancel_at_period_end"] is True
    assert press("resume")["cancel_at_period_end"] is False
    # when a payment fails: past due with an open invoice
    sub = press("fail_payment")
    assert sub["status"] == "past_due"
    assert fake_stripe.get(sub["latest_invoice"])["status"] == "open"
    # when the open invoice is paid: active again
    sub = press("pay_open_invoice")
    assert sub["status"] == "active"
    assert fake_stripe.get(sub["latest_invoice"])["status"] == "paid"
    # when they switch to yearly: the plan's yearly price
    sub = press("switch_year")
    assert sub["items"]["data"][0]["price"]["lookup_key"] == f"{paid_plan().code}-yearly"
    # when they cancel now: canceled for good
    assert press("cancel_now")["status"] == "canceled"
    # and Stripe's events said each of it
    types = event_types(fake_stripe)
    assert types.count("customer.subscription.updated") >= 6
    assert "invoice.payment_failed" in types and types[-1] == "customer.subscription.deleted"


def test_portal_shows_only_its_own_customers_subscription(
    fake_stripe: ModuleType, tenant_a: TenantInfo, tenant_b: TenantInfo, platform_client: HttpClient
) -> None:
    # given two subscribed tenants, with 2 and 9 seats
    Plan.objects.update(trial_days=0)
    for tenant, seats in ((tenant_a, 2), (tenant_b, 9)):
        simulate.complete_checkout(checkout_path(tenant, seats=seats).rstrip("/").rsplit("/", 1)[-1])
    # when tenant B opens its portal and cancels
    portal = urlsplit(stripe_api.portal_url(client=tenant_b.client, return_url="http://b/")).path
    page = platform_client.get(portal).content.decode()
    platform_client.post(portal, {"action": "cancel_now"})
    # then it saw and changed its own subscription only
    assert '<dd data-testid="seats">9</dd>' in page and tenant_b.client.email in page
    assert tenant_a.client.email not in page
    statuses = {sub["items"]["data"][0]["quantity"]: sub["status"] for sub in fake_stripe.all_of("subscription")}
    assert statuses == {2: "active", 9: "canceled"}


def test_unknown_session_pages_are_not_found(fake_stripe: ModuleType, platform_client: HttpClient) -> None:
    assert platform_client.get("/billing/test-checkout/cs_test_nothere/").status_code == 404
    assert platform_client.get("/billing/test-portal/bps_test_nothere/").status_code == 404


def test_events_as_signed_are_accepted_by_the_webhook_url(
    fake_stripe: ModuleType, tenant_a: TenantInfo, platform_client: HttpClient
) -> None:
    # given the platform's endpoint on the stand-in, and a completed checkout
    endpoint = stripe_api.ensure_webhook_endpoint(base_url=f"http://{settings.PLATFORM_DOMAIN}")
    simulate.complete_checkout(checkout_path(tenant_a, seats=2).rstrip("/").rsplit("/", 1)[-1])
    # when each event reaches the webhook URL with the body and headers the worker sends
    statuses = []
    for event in fake_stripe.all_of("event"):
        body, headers = signed_delivery(event, endpoint.secret)
        response = platform_client.post(
            urlsplit(endpoint.url).path,
            body,
            content_type=headers["Content-Type"],
            HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
        )
        statuses.append(response.status_code)
    # then the product's own view accepts and stores every one
    assert statuses and set(statuses) == {200}
    stored = set(StripeEvent.objects.values_list("id", flat=True))
    assert {event["id"] for event in fake_stripe.all_of("event")} <= stored
    # and one signed with another secret is refused
    body, headers = signed_delivery(fake_stripe.all_of("event")[0], "whsec_not_the_secret")
    refused = platform_client.post(
        urlsplit(endpoint.url).path,
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
    )
    assert refused.status_code == 400
