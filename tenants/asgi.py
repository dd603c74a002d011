"""The WebSocket side of tenant resolution: TenantMainMiddleware only handles HTTP.

Host -> Domain -> Client, the same exact-host lookup as HTTP, and nothing else decides the
tenant. A socket whose Origin names a host that is not one of the tenant's own (its platform
subdomain and verified domains: its `Domain` rows) is refused (ARCHITECTURE rule 3): the app
served from the primary host may talk to a socket on any of the tenant's hosts.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

from django.db import connection

from config import rows
from config.batching import batched
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
def tenants_of_hosts(hosts: list[str]) -> dict[str, Client]:
    """The tenant of each host that has one (the platform host's public schema is none)."""
    public_on_socket_thread()
    with connection.cursor() as cursor:
        cursor.execute(_tenants_of_hosts_sql(), [hosts])
        found = {row[0]: rows.instance(Client, row, 1) for row in cursor.fetchall()}
    return {host: tenant for host, tenant in found.items() if tenant.schema_name != "public"}


@functools.cache
def _tenants_of_hosts_sql() -> str:
    # Written out: every handshake asks (config.rows).
    client, domain = Client._meta.db_table, Domain._meta.db_table
    return (
        f'SELECT d.domain, {rows.columns(Client, "c")} FROM "{domain}" d '  # noqa: S608  # nosec B608
        f'JOIN "{client}" c ON c.id = d.tenant_id WHERE d.domain = ANY(%s)'
    )


@on_database_thread
def is_host_of(origin_host: str, tenant: Client) -> bool:
    public_on_socket_thread()
    return Domain.objects.filter(domain=origin_host, tenant_id=tenant.pk).exists()


async def resolve_tenant(host: str, origin_host: str | None) -> tuple[Client | None, bool]:
    """The tenant of `host`, and whether `origin_host` (None: no Origin sent) is one of its hosts.
    The hosts of the handshakes that arrive together are looked up together (config.batching);
    a second query only when the Origin names another host than the socket's."""
    tenant = await batched("tenants.asgi.hosts", tenants_of_hosts).get(host)
    if tenant is None:
        return None, False
    origin_ok = origin_host is None or origin_host == host or await is_host_of(origin_host, tenant)
    return tenant, origin_ok


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
