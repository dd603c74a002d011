"""WebSocket handshakes are authenticated like HTTP requests, and only on their own tenant."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.actions import do_create_user, do_revoke_credentials
from accounts.models import User
from accounts.ws_auth import WebSocketAuthMiddleware
from tenants.asgi import TenantWebsocketMiddleware
from tests.support.tenants import PASSWORD, TenantInfo, host_client, login


async def whoami(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A stand-in consumer: accepts, reports the user the middleware found, closes."""
    await receive()
    await send({"type": "websocket.accept"})
    user = scope["user"]
    await send({"type": "websocket.send", "text": user.email if user.is_authenticated else "anonymous"})
    await send({"type": "websocket.close", "code": 1000})


application = TenantWebsocketMiddleware(WebSocketAuthMiddleware(whoami))


async def _identify(host: str, extra: list[tuple[bytes, bytes]]) -> str:
    headers = [(b"host", host.encode()), (b"origin", f"http://{host}".encode()), *extra]
    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    text = await communicator.receive_from(timeout=10)
    await communicator.disconnect()
    return str(text)


def identify(host: str, *, bearer: str | None = None, session: str | None = None) -> str:
    extra = []
    if bearer is not None:
        extra.append((b"authorization", f"Bearer {bearer}".encode()))
    if session is not None:
        extra.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode()))
    return async_to_sync(_identify)(host, extra)


def access_token(client: HttpClient, email: str) -> str:
    response = client.post("/api/auth/token/", {"email": email, "password": PASSWORD}, content_type="application/json")
    return str(response.json()["access"])


@pytest.fixture
def person(tenant_a: TenantInfo, django_db_blocker: Any) -> Any:
    """A person of A, committed (the socket runs on another thread); removed afterwards."""
    email = f"ws-{uuid.uuid4().hex[:8]}@acme.test"
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        user = do_create_user(email=email, password=PASSWORD)
    yield user
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        User.objects.filter(pk=user.pk).delete()


def test_bearer_token_and_session_identify_the_user_on_their_tenant(
    tenant_a: TenantInfo, person: User, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        browser = host_client(tenant_a.host)
        login(browser, person.email)
        token = access_token(host_client(tenant_a.host), person.email)

        assert identify(tenant_a.host, bearer=token) == person.email
        assert identify(tenant_a.host, session=browser.cookies[settings.SESSION_COOKIE_NAME].value) == person.email
        assert identify(tenant_a.host) == "anonymous"
        assert identify(tenant_a.host, bearer="not-a-token") == "anonymous"


def test_credentials_of_a_are_anonymous_on_b_although_the_user_id_exists_there(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        # given: A's owner, whose id is also a user of B
        with schema_context(tenant_a.schema):
            owner_id = User.objects.get(email=tenant_a.owner_email).pk
        with schema_context(tenant_b.schema):
            assert User.objects.filter(pk=owner_id).exists()
        browser = host_client(tenant_a.host)
        login(browser, tenant_a.owner_email)
        token = access_token(host_client(tenant_a.host), tenant_a.owner_email)
        assert identify(tenant_a.host, bearer=token) == tenant_a.owner_email

        # then: neither credential means anything on B
        assert identify(tenant_b.host, bearer=token) == "anonymous"
        assert identify(tenant_b.host, session=browser.cookies[settings.SESSION_COOKIE_NAME].value) == "anonymous"


def test_revoked_credentials_are_anonymous(tenant_a: TenantInfo, person: User, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        browser = host_client(tenant_a.host)
        login(browser, person.email)
        token = access_token(host_client(tenant_a.host), person.email)
        with schema_context(tenant_a.schema):
            do_revoke_credentials(tenant=tenant_a.client, user=person)

        assert identify(tenant_a.host, bearer=token) == "anonymous"
        assert identify(tenant_a.host, session=browser.cookies[settings.SESSION_COOKIE_NAME].value) == "anonymous"
