"""Chat's periodic work in every tenant: the e-mail of missed mentions and direct messages."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.app import get_schema_name_from_task

from chat import digest
from config.celery import app
from tenants.db import in_tenant
from tenants.models import Client


@app.task(name="chat.send_digests", bind=True, acks_late=True)
def send_digests(self: Any) -> int:
    """One tenant's due digests: the tenant whose context sent the task (tenant-schemas-celery's
    header). Safe to run twice: what was mailed is recorded before the mail leaves (chat.digest)."""
    schema = get_schema_name_from_task(self, {})
    if not schema or schema == get_public_schema_name():
        return 0
    tenant = Client.objects.get(schema_name=schema)
    with in_tenant(tenant):
        return digest.send_digests(tenant=tenant, now=timezone.now())


@app.task(name="chat.send_all_digests", acks_late=True)
def send_all_digests() -> int:
    """Celery beat, every minute: one `send_digests` per tenant, so a slow or failing tenant
    holds up no other; a suspended workspace mails nobody. Returns how many were queued."""
    tenants = list(Client.objects.exclude(schema_name=get_public_schema_name()).filter(status=Client.Status.ACTIVE))
    for tenant in tenants:
        with in_tenant(tenant):
            send_digests.delay()
    return len(tenants)
