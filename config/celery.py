"""The Celery app. tenant-schemas-celery sends the current schema in a header with every task
and switches the worker's connection to it before the task runs (ARCHITECTURE rule 6)."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = CeleryApp("chat")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
