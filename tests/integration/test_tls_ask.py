"""The ask endpoint as Caddy reaches it: real daphne, answered before Django's handler, on the
platform host or by IP address only."""

from __future__ import annotations

import http.client

import pytest

from tests.support.live_chat import StartServer
from tests.support.tenants import TenantInfo

pytestmark = pytest.mark.django_db


def ask(port: int, query: str, *, host: str | None = None, method: str = "GET") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, f"/internal/tls/ask{query}", headers={"Host": host or f"127.0.0.1:{port}"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_daphne_answers_the_ask_for_tenant_hosts_only(
    start_server: StartServer, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> None:
    port = start_server("ask", daphne_args=("--proxy-headers",)).port

    assert ask(port, f"?domain={tenant_a.host}") == 200
    assert ask(port, f"?domain={tenant_b.host.upper()}.", host="localhost") == 200
    assert ask(port, "?domain=nobody.example-corp.com") == 404
    assert ask(port, "?domain=localhost") == 404
    assert ask(port, "") == 400
    assert ask(port, "?domain=not%20a%20host") == 400
    assert ask(port, f"?domain={tenant_a.host}", method="POST") == 405
    # on a tenant host the path does not exist
    assert ask(port, f"?domain={tenant_a.host}", host=tenant_a.host) == 404
