"""Every page of a tenant host is drawn in that tenant's brand, and only that tenant's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.test import override_settings
from django_tenants.utils import schema_context

from billing.entitlements import forget
from billing.models import Entitlement, Plan
from branding.actions import do_publish_brand, do_restore_brand_version, do_update_draft
from branding.models import Brand, BrandVersion
from branding.theme import default_colours, forget_theme
from config.asgi import application
from tenants.models import Client
from tests.support.tenants import TenantInfo


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


@pytest.fixture
def white_labelled_b(tenant_b: TenantInfo, django_db_blocker: pytest.FixtureRequest) -> Iterator[TenantInfo]:
    """Globex committed (the ASGI application reads on connections of its own) on a plan that may
    hide the line, with a brand that hides it; put back as it was afterwards."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        client = Client.objects.get(pk=tenant_b.client.pk)
        plan_before = Plan.objects.get(entitlements__client=client)
        Entitlement.objects.filter(client=client).update(plan=Plan.objects.get(code="business"))
        forget(client.pk)
        with schema_context(tenant_b.schema):
            published = BrandVersion.objects.order_by("-number").first()
            do_update_draft(
                tenant=client, actor=None, changes={"display_name": "Globex Works", "hide_powered_by": True}
            )
            do_publish_brand(tenant=client, actor=None)
            forget_theme()
    try:
        yield tenant_b
    finally:
        with django_db_blocker.unblock():  # type: ignore[attr-defined]
            with schema_context(tenant_b.schema):
                assert published is not None
                do_restore_brand_version(tenant=client, actor=None, number=published.number, publish=True)
                forget_theme()
            Entitlement.objects.filter(client=client).update(plan=plan_before)
            forget(client.pk)
            Client.objects.filter(pk=client.pk).update(status=Client.Status.ACTIVE)


@override_settings(DEBUG=False, ROOT_URLCONF="tests.branding.urls_failing")
def test_error_and_suspended_pages_wear_the_brand_through_asgi(
    white_labelled_b: TenantInfo, django_db_blocker: pytest.FixtureRequest
) -> None:
    host = white_labelled_b.host
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        failed_status, failed = asgi_get(host, "/failing/")
        missing_status, missing = asgi_get(host, "/no/such/page/")
        Client.objects.filter(pk=white_labelled_b.client.pk).update(status=Client.Status.SUSPENDED)
        suspended_status, suspended = asgi_get(host, "/")

    assert (failed_status, missing_status, suspended_status) == (500, 404, 403)
    for page in (failed, missing, suspended):
        assert "Globex Works" in page and "Acme" not in page
        assert settings.PLATFORM_NAME.lower() not in page.lower() and "Powered by" not in page
    assert "suspended" in suspended.lower()
