"""Who is on the other end of a WebSocket: the same two credentials as HTTP, checked the same way.

Browsers send their session cookie; other clients send `Authorization: Bearer <access>` in the
handshake. Both are checked inside the tenant's schema that `TenantWebsocketMiddleware` put in
`scope["tenant"]`: the access token by the steps of `accounts.tokens.authenticate_access_token`
(signature, expiry and tenant claim, then denylist and auth epoch, looked up together for the
handshakes arriving at once), the session through Django's own `get_user` (which verifies the
session's auth hash, so a revoked session fails here too). Anything else leaves `scope["user"]`
anonymous; the consumer closes with 4401.
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import APIException
from rest_framework_simplejwt.settings import api_settings

from accounts.models import User
from accounts.selectors import people_by_id
from accounts.tokens import check_holder, decode_access_token, denylist_key
from config.batching import batched
from config.cache import cache
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


def user_for_session(key: str, tenant: Client) -> User | AnonymousUser:
    """The session's user in `tenant`, or AnonymousUser. Precondition: runs on a socket
    database thread (tenants.db.on_database_thread); it enters the tenant's schema."""
    with in_tenant_on_socket_thread(tenant):
        engine = import_module(settings.SESSION_ENGINE)
        user = get_user(SimpleNamespace(session=engine.SessionStore(key)))  # type: ignore[arg-type]
        return user if isinstance(user, User) and user.is_active else AnonymousUser()


# (tenant, user id, denylist key) -> (the person or None, whether the token is denied)
Holder = tuple[Client, int, str]


@on_database_thread
def token_holders(keys: list[Holder]) -> dict[Holder, tuple[User | None, bool]]:
    """The people the tokens of the handshakes arriving together speak for, one query per
    tenant, and their denylist entries, one read for all (config.batching)."""
    denied = cache.get_many([key for _, _, key in keys])
    by_tenant: dict[int, list[Holder]] = {}
    for holder in keys:
        by_tenant.setdefault(holder[0].pk, []).append(holder)
    found: dict[Holder, tuple[User | None, bool]] = {}
    for holders in by_tenant.values():
        with in_tenant_on_socket_thread(holders[0][0]):
            people = people_by_id([user_id for _, user_id, _ in holders])
        for holder in holders:
            found[holder] = (people.get(holder[1]), bool(denied.get(holder[2])))
    return found


async def user_for_bearer(raw: str, tenant: Client) -> User | AnonymousUser:
    """The checks of accounts.tokens.authenticate_access_token, the lookups shared with the
    other handshakes of the moment."""
    try:
        token = decode_access_token(raw, tenant)
        user_id = int(token.get(api_settings.USER_ID_CLAIM))
    except (APIException, TypeError, ValueError):
        return AnonymousUser()
    found = await batched("accounts.ws_auth.holders", token_holders).get((tenant, user_id, denylist_key(token)))
    person, denied = found if found is not None else (None, False)
    try:
        return check_holder(token, person, denied=denied)
    except APIException:
        return AnonymousUser()


class WebSocketAuthMiddleware:
    """Sets `scope["user"]`; must sit inside TenantWebsocketMiddleware."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            tenant: Client = scope["tenant"]
            token, key = bearer_token(scope), session_key(scope)
            user: User | AnonymousUser = AnonymousUser()
            if token is not None:
                user = await user_for_bearer(token, tenant)
            elif key is not None:
                user = await on_database_thread(user_for_session)(key, tenant)
            scope = {**scope, "user": user}
        await self.inner(scope, receive, send)
