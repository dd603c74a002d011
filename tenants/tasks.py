from __future__ import annotations

from typing import Any

from django.db import connection

from accounts.models import User
from config.celery import app


@app.task(name="tenants.ping")
def ping() -> dict[str, Any]:
    """Report the schema the task ran in and how many people are there: a probe for workers."""
    return {"schema": connection.schema_name, "users": User.objects.count()}
