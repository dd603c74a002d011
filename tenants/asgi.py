"""The WebSocket side of tenant resolution: TenantMainMiddleware only handles HTTP.

Host -> Domain -> Client, the same lookup as HTTP, and nothing else decides the tenant. A
socket whose Origin names another host is refused (ARCHITECTURE rule 3).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from django_tenants.utils import remove_www

from tenants.db import use_public_schema
from tenants.models import Client, Domain

Scope = dict[str, Any]

CLOSE_FORBIDDEN = 4403
CLOSE_UNKNOWN_TENANT = 4404


def header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def host_without_port(host: str) -> str:
    return remove_www(host.split(":")[0].strip().lower().rstrip("."))


@database_sync_to_async
def resolve_tenant(host: str) -> Client | None:
    use_public_schema()
    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    if domain is None or domain.tenant.schema_name == "public":
        return None
    return domain.tenant


class TenantWebsocketMiddleware:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            await self.inner(scope, receive, send)
            return
        host = host_without_port(header(scope, b"host"))
        origin = header(scope, b"origin")
        if origin and host_without_port(urlsplit(origin).netloc) != host:
            await reject(receive, send, CLOSE_FORBIDDEN)
            return
        tenant = await resolve_tenant(host)
        if tenant is None:
            await reject(receive, send, CLOSE_UNKNOWN_TENANT)
            return
        if tenant.is_suspended:
            await reject(receive, send, CLOSE_FORBIDDEN)
            return
        await self.inner({**scope, "tenant": tenant}, receive, send)


async def reject(receive: Any, send: Any, code: int) -> None:
    """Accept, then close with an application code: a refused handshake carries no code."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": code})
