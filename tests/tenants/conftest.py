from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from django.test import Client as HttpClient

from accounts.models import User
from tests.conftest import PASSWORD, TenantInfo, host_client


@pytest.fixture
def staff_browser(staff_user: User) -> HttpClient:
    """A browser signed in to the platform admin as staff."""
    browser = host_client("localhost")
    response = browser.post("/admin/login/?next=/admin/", {"username": staff_user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


@pytest.fixture(autouse=True)
def _domain_tests_on_a_plan_with_domains(
    request: pytest.FixtureRequest, django_db_blocker: Any, tenant_a: TenantInfo, tenant_b: TenantInfo
) -> Iterator[None]:
    """The custom domain tests add domains to the shared tenants, which are on the Free plan (no
    custom domains): they run on Enterprise, whose limit is the platform's cap, and go back."""
    if not request.node.module.__name__.rsplit(".", 1)[-1].startswith("test_domain"):
        yield
        return
    from tests.billing.limits_fixtures import entitlement

    plans = ExitStack()
    with django_db_blocker.unblock():
        plans.enter_context(entitlement(tenant_a.client, plan="enterprise"))
        plans.enter_context(entitlement(tenant_b.client, plan="enterprise"))
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            plans.close()
