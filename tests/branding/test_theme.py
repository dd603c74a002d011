"""Every page of a tenant host is drawn in that tenant's brand, and only that tenant's."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django_tenants.utils import schema_context

from branding.models import Brand
from branding.theme import default_colours
from config.asgi import application
from tests.conftest import TenantInfo


def test_default_colours_differ_between_names_and_are_stable() -> None:
    assert default_colours("Acme") == default_colours("Acme")
    assert default_colours("Acme") != default_colours("Globex")


def asgi_get(host: str, path: str) -> tuple[int, str]:
    """A request through the real ASGI stack, where views run on Django's worker threads."""
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", host.encode())],
        "scheme": "http",
    }
    communicator = ApplicationCommunicator(application, scope)

    async def exchange() -> tuple[int, bytes]:
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await communicator.receive_output(20)
        body = b""
        while True:  # streamed responses end with a message that has no body
            message = await communicator.receive_output(20)
            body += message.get("body", b"")
            if not message.get("more_body", False):
                return start["status"], body

    status, body = async_to_sync(exchange)()
    return status, body.decode()


def test_not_found_page_on_a_tenant_host_wears_that_tenants_brand(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        with schema_context(tenant_a.schema):
            colour_a = Brand.objects.get().primary_colour
        status, html = asgi_get(tenant_a.host, "/no/such/page/")

    assert status == 404
    assert colour_a in html
    assert "Acme" in html and "Globex" not in html


def test_static_files_are_served_on_any_host(tenant_a: TenantInfo, django_db_blocker: pytest.FixtureRequest) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        for host in (tenant_a.host, "localhost", "nobody.localhost"):
            status, body = asgi_get(host, "/static/css/app.css")
            assert status == 200
            assert "--brand-primary" in body
