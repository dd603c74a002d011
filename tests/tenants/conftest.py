from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from accounts.models import User
from tests.support.tenants import PASSWORD, host_client


@pytest.fixture
def staff_browser(staff_user: User) -> HttpClient:
    """A browser signed in to the platform admin as staff."""
    browser = host_client("localhost")
    response = browser.post("/admin/login/?next=/admin/", {"username": staff_user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


@pytest.fixture(autouse=True)
def _domain_tests_on_a_plan_with_domains(request: pytest.FixtureRequest) -> None:
    """The custom domain tests add domains to the shared tenants (see `domains_allowed`)."""
    if request.node.module.__name__.rsplit(".", 1)[-1].startswith("test_domain"):
        request.getfixturevalue("domains_allowed")
