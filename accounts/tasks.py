from __future__ import annotations

from django.utils import timezone
from django_tenants.utils import get_public_schema_name
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from config.celery import app
from tenants.db import in_tenant
from tenants.models import Client


@app.task(name="accounts.flush_expired_tokens", acks_late=True)
def flush_expired_tokens() -> dict[str, int]:
    """Delete refresh tokens that expired (blacklist rows go with them) in every tenant schema.

    An expired token is refused by its signature's expiry alone, so its rows only take space.
    Idempotent: a redelivered run finds less to delete. Scheduled daily by Celery beat.
    """
    now = timezone.now()
    removed: dict[str, int] = {}
    for tenant in Client.objects.exclude(schema_name=get_public_schema_name()):
        with in_tenant(tenant):
            removed[tenant.schema_name] = OutstandingToken.objects.filter(expires_at__lt=now).delete()[0]
    return removed
