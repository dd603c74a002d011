"""The documents tests read many pages, some through a Celery worker that commits them: each
module starts with the shared tenants' pages of the month at zero, so the Free plan's monthly
pages never refuse a document a test expects to be read (the limit has tests of its own, in
tests/billing). Set before any test's transaction, which would otherwise hold the usage rows'
lock that the uploads of a server process wait for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from billing.models import Usage
from tests.support.extraction import deleted_afterwards
from tests.support.tenants import TenantInfo


@pytest.fixture(autouse=True, scope="module")
def _pages_of_the_month_at_zero(django_db_blocker: Any, tenant_a: TenantInfo, tenant_b: TenantInfo) -> None:
    with django_db_blocker.unblock(), schema_context("public"):
        Usage.objects.filter(client__in=[tenant_a.client, tenant_b.client]).update(pages_this_period=0)


@pytest.fixture
def created(django_db_blocker: Any) -> Iterator[list[tuple[str, int]]]:
    """(schema, document id) of every document a test made; deleted with their files after it."""
    with deleted_afterwards(django_db_blocker) as made:
        yield made
