"""The Celery app. tenant-schemas-celery sends the current schema in a header with every task
and switches the worker's connection to it before the task runs (ARCHITECTURE rule 6)."""

from __future__ import annotations

import gc
import os

from celery.signals import worker_process_init, worker_ready
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = CeleryApp("chat")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
@worker_ready.connect
def freeze_startup_objects(**_: object) -> None:
    """Move everything loaded at start (Django, Celery, the app: some 170,000 objects) out of the
    garbage collector's reach. pdfminer makes millions of small objects per document, and each
    full collection walked all of those too: a third of extraction time (bench/extract.py)."""
    gc.freeze()
