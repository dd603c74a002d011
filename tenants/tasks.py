from __future__ import annotations

from typing import Any

from accounts.models import User
from config.celery import app
from tenants.db import current_schema


@app.task(name="tenants.ping")
def ping() -> dict[str, Any]:
    """Report the schema the task ran in and how many people are there: a probe for workers."""
    return {"schema": current_schema(), "users": User.objects.count()}
