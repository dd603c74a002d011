from __future__ import annotations

from django.utils import timezone
from django_tenants.utils import get_tenant_model, schema_context
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from config.celery import app


@app.task(name="accounts.flush_expired_tokens", acks_late=True)
def flush_expired_tokens() -> dict[str, int]:
    """Delete refresh tokens that expired (blacklist rows go with them) in every tenant schema.

    An expired token is refused by its signature's expiry alone, so its rows only take space.
    Idempotent: a redelivered run finds less to delete. Scheduled daily by Celery beat.
    """
    now = timezone.now()
    removed: dict[str, int] = {}
    for schema_name in get_tenant_model().objects.exclude(schema_name="public").values_list("schema_name", flat=True):
        with schema_context(schema_name):
            removed[schema_name] = OutstandingToken.objects.filter(expires_at__lt=now).delete()[0]
    return removed
