"""The Stripe webhook endpoint: signed events are stored once and queued after the commit;
anything unsigned, badly signed, stale, meant for another endpoint, too large or not an event
is refused with nothing stored. dj-stripe's debug header is never a way in."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from djstripe.models import WebhookEndpoint

from billing.intake import MAX_BODY_BYTES
from billing.models import StripeEvent
from tests.support.stripe_payloads import epoch, event, invoice, now, post_event, signed, webhook_path
from tests.support.webhooks import Payer, make_endpoint

pytestmark = pytest.mark.django_db


def stored(event_id: str) -> int:
    with schema_context("public"):
        return StripeEvent.objects.filter(pk=event_id).count()


def an_event(payer: Payer) -> dict[str, Any]:
    return event("invoice.paid", invoice(customer=payer.customer), created=now() - 5)


def assert_bad_signature(response: Any) -> None:
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": response.json()["detail"], "code": "bad_signature"}


def test_a_signed_event_is_stored_and_queued_after_the_commit(
    platform_client: HttpClient,
    webhook_endpoint: WebhookEndpoint,
    payers: tuple[Payer, Payer],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # given
    payload = an_event(payers[0])

    # when
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_event(platform_client, webhook_endpoint, payload)

    # then: stored as Stripe sent it, waiting for the worker, one task queued on commit
    assert response.status_code == 200, response.content
    assert response.json() == {"id": payload["id"], "stored": True}
    with schema_context("public"):
        row = StripeEvent.objects.get(pk=payload["id"])
    assert (row.type, epoch(row.created), row.livemode) == ("invoice.paid", payload["created"], False)
    assert row.api_version == "2026-05-27.dahlia"
    assert row.payload == payload
    assert row.status == StripeEvent.Status.PENDING and row.attempts == 0 and row.client_id is None
    assert len(callbacks) == 1


def test_a_replayed_event_answers_200_and_stores_nothing_new(
    platform_client: HttpClient,
    webhook_endpoint: WebhookEndpoint,
    payers: tuple[Payer, Payer],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # given: an event already received
    payload = an_event(payers[0])
    assert post_event(platform_client, webhook_endpoint, payload).status_code == 200

    # when: Stripe sends it again (its answer was lost), signed anew
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_event(platform_client, webhook_endpoint, payload, ts=now() + 1)

    # then
    assert response.status_code == 200
    assert response.json() == {"id": payload["id"], "stored": False}
    assert stored(payload["id"]) == 1
    assert callbacks == []


def test_the_answer_does_no_tenant_work(
    platform_client: HttpClient, webhook_endpoint: WebhookEndpoint, payers: tuple[Payer, Payer]
) -> None:
    # when
    with CaptureQueriesContext(connection) as queries:
        response = post_event(platform_client, webhook_endpoint, an_event(payers[0]))

    # then: the host's lookup, the endpoint, and the insert in its savepoint; no entitlement,
    # no invoice, no tenant schema (django-tenants' search_path settings aside)
    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]
    assert len(statements) <= 5, statements
    assert not any("billing_entitlement" in sql or "billing_invoice" in sql for sql in statements)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda body, endpoint: (body, {"secret": "whsec_not_the_one"}), id="wrong-secret"),
        pytest.param(lambda body, endpoint: (body, {"ts": now() - endpoint.djstripe_tolerance - 30}), id="stale"),
        pytest.param(lambda body, endpoint: ({**body, "type": "invoice.voided"}, {"sign": body}), id="body-changed"),
    ],
)
def test_a_badly_signed_event_is_refused_and_nothing_stored(
    platform_client: HttpClient,
    webhook_endpoint: WebhookEndpoint,
    payers: tuple[Payer, Payer],
    tamper: Callable[[dict[str, Any], WebhookEndpoint], tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    # given
    payload, how = tamper(an_event(payers[0]), webhook_endpoint)
    secret = how.get("secret", webhook_endpoint.secret)
    ts = how.get("ts", now())
    body = json.dumps(payload, indent=2)
    # the signature is of the body Stripe meant, or of this one
    _, signature = signed(how.get("sign", payload), secret, ts)

    # when
    response = platform_client.post(
        webhook_path(webhook_endpoint), data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )

    # then
    assert_bad_signature(response)
    assert stored(payload["id"]) == 0


def test_an_event_without_a_signature_is_refused(
    platform_client: HttpClient, webhook_endpoint: WebhookEndpoint, payers: tuple[Payer, Payer]
) -> None:
    payload = an_event(payers[0])
    response = platform_client.post(webhook_path(webhook_endpoint), data=payload, content_type="application/json")
    assert_bad_signature(response)
    assert stored(payload["id"]) == 0


def test_an_event_signed_for_another_endpoint_is_refused(
    platform_client: HttpClient, webhook_endpoint: WebhookEndpoint, payers: tuple[Payer, Payer]
) -> None:
    # given: a second endpoint (another Stripe account, or an old one) with its own secret
    with schema_context("public"):
        other = make_endpoint()
    payload = an_event(payers[0])

    # when: signed with the other endpoint's secret, posted to this one's URL
    response = post_event(platform_client, webhook_endpoint, payload, secret=other.secret)

    # then
    assert_bad_signature(response)
    assert stored(payload["id"]) == 0


def test_the_djstripe_debug_header_is_refused_even_in_debug(
    platform_client: HttpClient,
    webhook_endpoint: WebhookEndpoint,
    payers: tuple[Payer, Payer],
    settings: Any,
) -> None:
    # given: DEBUG on, where dj-stripe's own view would take the secret in a header instead
    settings.DEBUG = True
    payload = an_event(payers[0])

    # when: the endpoint's real secret, in dj-stripe's header, with no signature or a bad one
    unsigned = platform_client.post(
        webhook_path(webhook_endpoint),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_X_DJSTRIPE_WEBHOOK_SECRET=webhook_endpoint.secret,
    )
    badly_signed = post_event(
        platform_client,
        webhook_endpoint,
        payload,
        secret="whsec_wrong",
        HTTP_X_DJSTRIPE_WEBHOOK_SECRET=webhook_endpoint.secret,
    )

    # then
    assert_bad_signature(unsigned)
    assert_bad_signature(badly_signed)
    assert stored(payload["id"]) == 0


def test_an_unknown_endpoint_answers_404(
    platform_client: HttpClient, webhook_endpoint: WebhookEndpoint, payers: tuple[Payer, Payer]
) -> None:
    payload = an_event(payers[0])
    body, signature = signed(payload, webhook_endpoint.secret)
    response = platform_client.post(
        "/stripe/webhook/00000000-0000-4000-8000-000000000000/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
    assert response.status_code == 404
    assert stored(payload["id"]) == 0


def test_only_post_is_allowed(platform_client: HttpClient, webhook_endpoint: WebhookEndpoint) -> None:
    response = platform_client.get(webhook_path(webhook_endpoint))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["code"] == "method_not_allowed"


def test_a_body_over_the_cap_is_refused(
    platform_client: HttpClient, webhook_endpoint: WebhookEndpoint, payers: tuple[Payer, Payer]
) -> None:
    # given: a signed event padded past the cap
    payload = an_event(payers[0])
    payload["data"]["object"]["description"] = "x" * MAX_BODY_BYTES

    # when
    response = post_event(platform_client, webhook_endpoint, payload)

    # then
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert stored(payload["id"]) == 0


def test_a_signed_body_that_is_not_an_event_is_refused(
    platform_client: HttpClient, webhook_endpoint: WebhookEndpoint
) -> None:
    for body in ("not json", "[]", json.dumps({"id": "evt_1", "type": "invoice.paid"})):
        response = post_event(platform_client, webhook_endpoint, body)
        assert response.status_code == 400
        assert response.json()["code"] == "bad_payload"
    assert stored("evt_1") == 0


def test_the_endpoint_is_not_on_tenant_hosts(
    client_a: HttpClient, webhook_endpoint: WebhookEndpoint, payers: tuple[Payer, Payer]
) -> None:
    payload = an_event(payers[0])
    body, signature = signed(payload, webhook_endpoint.secret)
    response = client_a.post(
        webhook_path(webhook_endpoint), data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert response.status_code == 404
    assert stored(payload["id"]) == 0


def test_dj_stripe_admin_can_still_build_the_endpoint_url(webhook_endpoint: WebhookEndpoint) -> None:
    from django.urls import reverse, set_urlconf

    set_urlconf(settings.PUBLIC_SCHEMA_URLCONF)
    try:
        path = reverse("djstripe:djstripe_webhook_by_uuid", kwargs={"uuid": webhook_endpoint.djstripe_uuid})
    finally:
        set_urlconf(None)
    assert path == webhook_path(webhook_endpoint)
