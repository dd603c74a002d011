"""Every page of a tenant host is drawn in that tenant's brand, and only that tenant's."""

from __future__ import annotations

from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.core.files.base import ContentFile
from django.test import override_settings
from django_tenants.utils import schema_context

from branding.models import Brand
from branding.theme import default_colours, forget_theme
from config.asgi import application
from tests.conftest import TenantInfo, host_client

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


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


@pytest.mark.django_db
def test_logo_is_stored_under_the_tenant_prefix_and_served_only_on_its_host(
    tenant_a: TenantInfo, tenant_b: TenantInfo, tmp_path: Path
) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        # given: A uploads a logo
        with schema_context(tenant_a.schema):
            brand = Brand.objects.get()
            brand.logo.save("../../etc/acme logo.png", ContentFile(PNG), save=True)
            forget_theme()
            stored = brand.logo.name

        # then: it sits under A's prefix with a safe name
        assert stored.startswith(f"tenants/{tenant_a.schema}/branding/")
        assert stored.endswith("/acme_logo.png")
        assert ".." not in stored

        # and: A's pages and logo URL serve it; B has none
        assert 'src="/branding/logo/"' in host_client(tenant_a.host).get("/login/").content.decode()
        logo_a = host_client(tenant_a.host).get("/branding/logo/")
        assert logo_a.status_code == 200 and logo_a["Content-Type"] == "image/png"
        assert b"".join(logo_a.streaming_content) == PNG  # type: ignore[attr-defined]
        assert host_client(tenant_b.host).get("/branding/logo/").status_code == 404

        with schema_context(tenant_a.schema):
            forget_theme()
