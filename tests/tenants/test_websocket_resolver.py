"""The WebSocket side of tenant resolution: Host decides the tenant, Origin must match."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from tests.support.sockets import close_code
from tests.support.tenants import TenantInfo


def test_unknown_host_is_closed_with_4404(tenant_a: TenantInfo, django_db_blocker: pytest.FixtureRequest) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        assert async_to_sync(close_code)("nobody.localhost") == 4404


def test_platform_host_is_not_a_tenant_for_websockets(
    django_db_blocker: pytest.FixtureRequest, tenant_a: TenantInfo
) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        assert async_to_sync(close_code)("localhost") == 4404


def test_foreign_origin_is_refused_with_4403(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        assert async_to_sync(close_code)(tenant_a.host, origin=f"http://{tenant_b.host}") == 4403
        assert async_to_sync(close_code)(tenant_a.host, origin="https://evil.example") == 4403
