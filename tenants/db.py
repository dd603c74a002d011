"""Entering a tenant's schema outside a request, and typed access to the tenant-aware connection
(django-tenants adds its methods at run time).

`in_tenant(tenant)` is the one way code that is not a request (a socket frame, a Celery task, a
management command, the ordering feed) enters a tenant's schema: the tenant is passed in, never
read from the connection, and whatever schema was in use before comes back afterwards, so the
blocks nest. `in_public()` is the same for the public schema's tables (plans, domains, billing).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

if TYPE_CHECKING:
    from tenants.models import Client


def _tenant_connection() -> Any:
    return cast(Any, connection)


@contextmanager
def in_tenant(tenant: Client) -> Iterator[Client]:
    """`tenant`'s schema on this thread's connection for the block (django-tenants'
    `tenant_context`: the schema before it is restored on the way out)."""
    with tenant_context(tenant):
        yield tenant


@contextmanager
def in_public() -> Iterator[None]:
    """The public schema for the block, the schema before it afterwards."""
    with schema_context(get_public_schema_name()):
        yield


def current_schema() -> str:
    return str(_tenant_connection().schema_name)


def use_public_schema() -> None:
    """Back to the public schema for good: a thread that served a tenant hands its connection
    on clean (the socket's database thread, a provisioning step)."""
    _tenant_connection().set_schema_to_public()
