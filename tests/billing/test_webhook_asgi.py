"""Stripe's webhook under daphne: answered at the ASGI level (billing.webhook_asgi) with the same
checks as the Django view, over the process's own asyncio connection. Driven through the whole
ASGI application; what it stores is committed, so the test removes it afterwards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from django.conf import settings
from djstripe.models import WebhookEndpoint

from billing.intake import MAX_BODY_BYTES
from billing.models import StripeEvent
from config.asgi import application
from tests.support.stripe_payloads import event, invoice, new_id, signed, webhook_path
from tests.support.tenants import TenantInfo, on_own_connection
from tests.support.webhooks import make_endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(django_db_blocker: Any) -> Iterator[WebhookEndpoint]:
    """An endpoint committed where the ASGI path's own connection sees it; removed afterwards
    with every event it took in."""
    with django_db_blocker.unblock():
        made = on_own_connection(make_endpoint)
    yield made
    with django_db_blocker.unblock():
        on_own_connection(lambda: StripeEvent.objects.filter(pk__startswith="evt_asgi").delete())
        on_own_connection(lambda: WebhookEndpoint.objects.filter(pk=made.pk).delete())


def post(path: str, body: bytes, signature: str | None, *, host: str | None = None, method: str = "POST") -> Any:
    headers = [(b"host", (host or settings.PLATFORM_DOMAIN).encode()), (b"content-type", b"application/json")]
    if signature is not None:
        headers.append((b"stripe-signature", signature.encode()))
    communicator = HttpCommunicator(application, method, path, body=body, headers=headers)
    return async_to_sync(communicator.get_response)(timeout=10)


def an_event() -> dict[str, Any]:
    return event("invoice.paid", invoice(customer=new_id("cus")), event_id=new_id("evt_asgi"))


def stored(event_id: str) -> int:
    return on_own_connection(lambda: StripeEvent.objects.filter(pk=event_id).count())


def test_a_signed_event_is_stored_once_and_a_replay_stores_nothing(
    endpoint: WebhookEndpoint, django_db_blocker: Any
) -> None:
    payload = an_event()
    body, signature = signed(payload, endpoint.secret)

    with django_db_blocker.unblock():
        first = post(webhook_path(endpoint), body.encode(), signature)
        again = post(webhook_path(endpoint), body.encode(), signature)
        count = stored(payload["id"])
        row = on_own_connection(lambda: StripeEvent.objects.get(pk=payload["id"]))

    assert (first["status"], json.loads(first["body"])) == (200, {"id": payload["id"], "stored": True})
    assert (again["status"], json.loads(again["body"])) == (200, {"id": payload["id"], "stored": False})
    assert count == 1
    assert row.status == StripeEvent.Status.PENDING and row.type == "invoice.paid" and row.payload == payload


def test_what_is_not_signed_by_the_endpoint_is_refused_and_nothing_stored(
    endpoint: WebhookEndpoint, django_db_blocker: Any
) -> None:
    payload = an_event()
    body, signature = signed(payload, "whsec_not_the_endpoints")
    with django_db_blocker.unblock():
        wrong = post(webhook_path(endpoint), body.encode(), signature)
        missing = post(webhook_path(endpoint), body.encode(), None)
        count = stored(payload["id"])

    for answer in (wrong, missing):
        assert answer["status"] == 400 and json.loads(answer["body"])["code"] == "bad_signature"
    assert count == 0


def test_unknown_endpoints_large_bodies_and_other_methods_get_their_answers(
    endpoint: WebhookEndpoint, django_db_blocker: Any
) -> None:
    huge = b"x" * (MAX_BODY_BYTES + 1)
    with django_db_blocker.unblock():
        unknown = post("/stripe/webhook/00000000-0000-0000-0000-000000000000/", b"{}", "t=1,v1=00")
        large = post(webhook_path(endpoint), huge, "t=1,v1=00")
        get = post(webhook_path(endpoint), b"", None, method="GET")

    assert (unknown["status"], json.loads(unknown["body"])["code"]) == (404, "not_found")
    assert (large["status"], json.loads(large["body"])["code"]) == (413, "too_large")
    assert (get["status"], json.loads(get["body"])["code"]) == (405, "method_not_allowed")


def test_a_workspace_host_has_no_webhook(
    endpoint: WebhookEndpoint, tenant_a: TenantInfo, django_db_blocker: Any
) -> None:
    payload = an_event()
    body, signature = signed(payload, endpoint.secret)
    with django_db_blocker.unblock():
        answer = post(webhook_path(endpoint), body.encode(), signature, host=tenant_a.host)
        count = stored(payload["id"])

    assert answer["status"] == 404 and count == 0
