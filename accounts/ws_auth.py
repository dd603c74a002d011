"""Who is on the other end of a WebSocket: the same two credentials as HTTP, checked the same way.

Browsers send their session cookie; other clients send `Authorization: Bearer <access>` in the
handshake. Both are checked inside the tenant's schema that `TenantWebsocketMiddleware` put in
`scope["tenant"]`: the access token through `accounts.tokens.authenticate_access_token` (tenant
claim, expiry, denylist, auth epoch), the session through Django's own `get_user` (which
verifies the session's auth hash, so a revoked session fails here too). Anything else leaves
`scope["user"]` anonymous; the consumer closes with 4401.
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import APIException

from accounts.models import User
from accounts.tokens import authenticate_access_token
from tenants.asgi import Scope, header
from tenants.db import in_tenant_on_socket_thread, on_database_thread
from tenants.models import Client


def bearer_token(scope: Scope) -> str | None:
    kind, _, value = header(scope, b"authorization").partition(" ")
    return value.strip() or None if kind.lower() == "bearer" else None


def session_key(scope: Scope) -> str | None:
    for part in header(scope, b"cookie").split(";"):
        name, _, value = part.strip().partition("=")
        if name == settings.SESSION_COOKIE_NAME and value:
            return value
    return None


def user_for_scope(scope: Scope, tenant: Client) -> User | AnonymousUser:
    """The socket's user in `tenant`, or AnonymousUser. Precondition: runs on a socket
    database thread (tenants.db.on_database_thread); it enters the tenant's schema."""
    token = bearer_token(scope)
    key = session_key(scope)
    with in_tenant_on_socket_thread(tenant):
        if token is not None:
            try:
                return authenticate_access_token(token, tenant)[0]
            except APIException:
                return AnonymousUser()
        if key is not None:
            engine = import_module(settings.SESSION_ENGINE)
            user = get_user(SimpleNamespace(session=engine.SessionStore(key)))  # type: ignore[arg-type]
            return user if isinstance(user, User) and user.is_active else AnonymousUser()
        return AnonymousUser()


class WebSocketAuthMiddleware:
    """Sets `scope["user"]`; must sit inside TenantWebsocketMiddleware."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            user = await on_database_thread(user_for_scope)(scope, scope["tenant"])
            scope = {**scope, "user": user}
        await self.inner(scope, receive, send)
