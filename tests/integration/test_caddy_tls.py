"""The TLS front end for real: Debian's Caddy running the shipped config/Caddyfile (test ports,
storage and its internal CA) in front of daphne started as the Procfile starts it (behind a
proxy: --proxy-headers, SECURE_PROXY_SSL_HEADER, secure cookies).

A custom domain verified through the real path (the loopback DNS server) gets a certificate at
its first handshake and reaches its tenant over HTTPS (the login page, then a CSRF-protected
sign-in) and WSS (a message goes both ways between two sockets); a domain nobody verified fails
the handshake; and Caddy asked /internal/tls/ask for each (counted in daphne's log).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import socket
import ssl
import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from branding.theme import theme_for
from tenants.domains.actions import do_add_domain, do_check_domain, do_make_primary
from tenants.domains.records import records_for
from tenants.models import CustomDomain
from tests.support.dns import Zone
from tests.support.domains import forget, unique_domain
from tests.support.live_chat import ChatRoom, StartServer, committed
from tests.support.servers import CaddyProcess
from tests.support.tenants import PASSWORD, TenantInfo

pytestmark = pytest.mark.django_db

TIMEOUT = 20.0


class HttpsSession:
    """HTTPS to `host` through Caddy on loopback: SNI and Host name the custom domain, the TCP
    connection goes to 127.0.0.1; cookies are kept like a browser keeps them."""

    def __init__(self, host: str, port: int, context: ssl.SSLContext) -> None:
        self.host, self.port, self.context = host, port, context
        self.cookies: dict[str, str] = {}
        self.secure_cookies: set[str] = set()
        self.certificate: dict[str, Any] = {}

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT)
        tls = self.context.wrap_socket(raw, server_hostname=self.host)
        self.certificate = tls.getpeercert() or {}
        conn = http.client.HTTPSConnection(self.host, self.port, timeout=TIMEOUT, context=self.context)
        conn.sock = tls
        origin = f"https://{self.host}:{self.port}"
        headers = {"Host": f"{self.host}:{self.port}", "Referer": origin + path, "Origin": origin}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie(header)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
                    if morsel["secure"]:
                        self.secure_cookies.add(name)
            return response.status, dict(response.headers), text
        finally:
            conn.close()


def handshake(host: str, port: int, context: ssl.SSLContext) -> dict[str, Any]:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        return tls.getpeercert() or {}


def names_in(certificate: dict[str, Any]) -> set[str]:
    return {value for kind, value in certificate.get("subjectAltName", ()) if kind == "DNS"}


async def open_socket(host: str, port: int, context: ssl.SSLContext, token: str) -> ClientConnection:
    raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    raw.setblocking(False)
    return await connect(
        f"wss://{host}:{port}/ws/chat/",
        sock=raw,
        ssl=context,
        server_hostname=host,
        origin=Origin(f"https://{host}:{port}"),
        additional_headers={"Authorization": f"Bearer {token}"},
        open_timeout=TIMEOUT,
    )


async def next_frame(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if frame.get("type") == kind:
            return frame


async def converse(host: str, port: int, context: ssl.SSLContext, room: ChatRoom) -> list[str]:
    """Two people's sockets over WSS: each says something, both hear both."""
    first, second = [await open_socket(host, port, context, person.token) for person in room.people[:2]]
    try:
        for ws in (first, second):
            await ws.send(json.dumps({"type": "subscribe", "room": room.room_id}))
            await next_frame(ws, "subscribed")
        heard: list[str] = []
        for n, (speaker, listener) in enumerate([(first, second), (second, first)]):
            body = f"over wss {n} {uuid.uuid4().hex[:6]}"
            await speaker.send(
                json.dumps({"type": "message.send", "room": room.room_id, "body": body, "client_id": body})
            )
            for ws in (speaker, listener):
                while (await next_frame(ws, "message.new"))["message"]["body"] != body:
                    pass
            heard.append(body)
        return heard
    finally:
        await first.close()
        await second.close()


@pytest.fixture
def domains(
    tenant_a: TenantInfo, dns: Zone, django_db_blocker: pytest.FixtureRequest, domains_allowed: None
) -> Iterator[tuple[CustomDomain, CustomDomain]]:
    """A's domain verified through the real path and made primary, and one A never verified;
    committed (daphne is another process), removed afterwards."""
    name = unique_domain("chat", "example-corp.com")

    def make() -> tuple[CustomDomain, CustomDomain]:
        claim = do_add_domain(tenant=tenant_a.client, name=name)
        for record in records_for(claim.domain, is_apex=claim.is_apex, token=claim.token):
            dns.add(record.name, record.type, record.value)
        claim = do_check_domain(claim=claim)
        assert claim.status == "verified", claim.problem
        do_make_primary(claim=claim)
        return claim, do_add_domain(tenant=tenant_a.client, name=unique_domain("unproven"))

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        made = committed(make)
    yield made

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        committed(lambda: forget(made))


def test_verified_domains_get_certificates_and_reach_their_tenant_over_https_and_wss(
    start_server: StartServer,
    domains: tuple[CustomDomain, CustomDomain],
    tenant_a: TenantInfo,
    make_chat_room: Any,
    tmp_path: Path,
    django_db_blocker: pytest.FixtureRequest,
) -> None:
    verified, unproven = domains
    host = verified.domain
    server = start_server("tls-web", daphne_args=("--proxy-headers",), DJANGO_BEHIND_TLS_PROXY="1", LOG_LEVEL="INFO")
    caddy = CaddyProcess(tmp_path / "caddy", upstream_port=server.port, platform_domain="localhost")
    caddy.start()
    try:
        context = ssl.create_default_context(cafile=str(caddy.root_certificate))
        port = caddy.https_port

        # the login page of A's workspace, over HTTPS, with a certificate for the domain
        session = HttpsSession(host, port, context)
        status, _, page = session.request("GET", "/login/")
        assert status == 200, page[:500]
        with django_db_blocker.unblock():  # type: ignore[attr-defined]
            assert theme_for(tenant_a.client).display_name in page
        assert host in names_in(session.certificate)

        # a CSRF-protected sign-in works behind the proxy, with secure cookies
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, "no CSRF token in the login form"
        status, _, body = session.request(
            "POST",
            "/login/",
            {"csrfmiddlewaretoken": match.group(1), "username": tenant_a.owner_email, "password": PASSWORD},
        )
        assert status == 302, body[:500]
        assert {"sessionid", "csrftoken"} <= session.secure_cookies
        status, _, home = session.request("GET", "/")
        assert status == 200 and "Sign in" not in home[:2000]

        # WSS: a message goes both ways between two people's sockets
        with django_db_blocker.unblock():  # type: ignore[attr-defined]
            room = make_chat_room(tenant_a, 2)
        assert len(asyncio.run(converse(host, port, context, room))) == 2

        # a domain nobody verified gets no certificate: the handshake fails
        with pytest.raises((ssl.SSLError, ConnectionError)):
            handshake(unproven.domain, port, context)
        # the platform subdomain of a tenant gets one too
        assert tenant_a.host in names_in(handshake(tenant_a.host, port, context))

        # Caddy asked the product each time, and only once per certificate
        log = server.log_path.read_text(errors="replace")
        assert log.count(f"tls ask {host}: allowed") == 1
        assert log.count(f"tls ask {unproven.domain}: refused") >= 1
        assert log.count(f"tls ask {tenant_a.host}: allowed") == 1
    finally:
        caddy.stop()
