"""The WebSocket side of tenant resolution: TenantMainMiddleware only handles HTTP.

Host -> Domain -> Client, the same exact-host lookup as HTTP, and nothing else decides the
tenant. A socket whose Origin names a host that is not one of the tenant's own (its platform
subdomain and verified domains: its `Domain` rows) is refused (ARCHITECTURE rule 3): the app
served from the primary host may talk to a socket on any of the tenant's hosts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tenants.db import on_database_thread, public_on_socket_thread
from tenants.domains.names import host_key
from tenants.models import Client, Domain

Scope = dict[str, Any]

CLOSE_FORBIDDEN = 4403
CLOSE_UNKNOWN_TENANT = 4404


def header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


@on_database_thread
def resolve_tenant(host: str, origin_host: str | None) -> tuple[Client | None, bool]:
    """The tenant of `host`, and whether `origin_host` (None: no Origin sent) is one of its hosts;
    a second query only when the Origin names another host than the socket's."""
    public_on_socket_thread()
    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    if domain is None or domain.tenant.schema_name == "public":
        return None, False
    origin_ok = (
        origin_host is None
        or origin_host == host
        or Domain.objects.filter(domain=origin_host, tenant_id=domain.tenant_id).exists()
    )
    return domain.tenant, origin_ok


class TenantWebsocketMiddleware:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            await self.inner(scope, receive, send)
            return
        host = host_key(header(scope, b"host"))
        origin = header(scope, b"origin")
        origin_host = host_key(urlsplit(origin).netloc) if origin else None
        tenant, origin_ok = await resolve_tenant(host, origin_host)
        if tenant is None:
            # An Origin naming another host is refused as before, whatever the Host is.
            code = CLOSE_FORBIDDEN if origin_host not in (None, host) else CLOSE_UNKNOWN_TENANT
            await reject(receive, send, code)
            return
        if not origin_ok or tenant.is_suspended:
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
