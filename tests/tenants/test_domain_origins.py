"""The chat socket accepts an Origin naming one of the tenant's own hosts (its platform address
and verified domains) and nothing else; an unverified domain is an unknown host (4404)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from asgiref.sync import async_to_sync

from tenants.domains.actions import do_add_domain, do_force_verify
from tenants.models import CustomDomain
from tests.support.domains import forget, unique_domain
from tests.support.live_chat import committed
from tests.support.sockets import close_code
from tests.support.tenants import TenantInfo

CLOSE_NOT_AUTHENTICATED = 4401  # past the Origin and tenant checks: the socket wants a sign-in


@pytest.fixture
def domains(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_db_blocker: pytest.FixtureRequest
) -> Iterator[dict[str, str]]:
    """Committed (the socket's database thread sees only committed rows): A's verified domain,
    A's pending one, B's verified one; removed again afterwards."""

    def make() -> dict[str, CustomDomain]:
        return {
            "a_verified": do_force_verify(claim=do_add_domain(tenant=tenant_a.client, name=unique_domain())),
            "a_pending": do_add_domain(tenant=tenant_a.client, name=unique_domain()),
            "b_verified": do_force_verify(claim=do_add_domain(tenant=tenant_b.client, name=unique_domain())),
        }

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        made = committed(make)
    yield {key: claim.domain for key, claim in made.items()}

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        committed(lambda: forget(made.values()))


def test_origins_among_the_tenants_hosts_are_accepted(
    domains: dict[str, str], tenant_a: TenantInfo, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        code = async_to_sync(close_code)
        # the app on the custom domain talks to the socket on the platform address, and back
        assert code(tenant_a.host, origin=f"https://{domains['a_verified']}") == CLOSE_NOT_AUTHENTICATED
        assert code(domains["a_verified"], origin=f"http://{tenant_a.host}:8000") == CLOSE_NOT_AUTHENTICATED
        assert code(domains["a_verified"]) == CLOSE_NOT_AUTHENTICATED


def test_other_origins_are_refused_and_unverified_domains_are_unknown(
    domains: dict[str, str], tenant_a: TenantInfo, tenant_b: TenantInfo, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        code = async_to_sync(close_code)
        assert code(tenant_a.host, origin=f"https://{domains['b_verified']}") == 4403
        assert code(tenant_a.host, origin=f"https://{tenant_b.host}") == 4403
        assert code(tenant_a.host, origin=f"https://{domains['a_pending']}") == 4403
        assert code(domains["a_pending"]) == 4404
