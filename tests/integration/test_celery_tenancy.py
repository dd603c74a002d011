"""A task sent inside a tenant's context runs in that tenant's schema, on a real worker."""

from __future__ import annotations

import subprocess

from django_tenants.utils import schema_context

from tenants.tasks import ping
from tests.support.tenants import TenantInfo


def test_task_runs_in_the_schema_it_was_sent_from(
    celery_worker: subprocess.Popen[bytes], tenant_a: TenantInfo, tenant_b: TenantInfo, django_db_blocker: object
) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        # given: the tenants hold different numbers of people
        with schema_context(tenant_a.schema):
            from accounts.models import User

            users_a = User.objects.count()
            result_a = ping.delay()
        with schema_context(tenant_b.schema):
            users_b = User.objects.count()
            result_b = ping.delay()
        result_public = ping.delay()

    # then: each task ran where it was sent from
    assert result_a.get(timeout=60) == {"schema": tenant_a.schema, "users": users_a}
    assert result_b.get(timeout=60) == {"schema": tenant_b.schema, "users": users_b}
    assert result_public.get(timeout=60)["schema"] == "public"
