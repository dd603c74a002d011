"""The shared tenants and clients bound to their hosts, and the test database as seen from other processes."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import redis
from django.conf import settings
from django.db import connection, connections
from django.test import Client as HttpClient

from tenants.actions import do_provision_workspace
from tenants.models import Client
from tests.support.limits import usage_from_truth

ROOT = Path(__file__).resolve().parents[2]

PASSWORD = "test-pass-1234"

T = TypeVar("T")


@dataclass(frozen=True)
class TenantInfo:
    client: Client
    host: str
    owner_email: str

    @property
    def schema(self) -> str:
        return self.client.schema_name


def provision_once(slug: str, name: str) -> TenantInfo:
    client = Client.objects.filter(slug=slug).first()
    owner_email = f"owner@{slug}.test"
    if client is None:
        client = do_provision_workspace(
            slug=slug, name=name, owner_email=owner_email, owner_password=PASSWORD, owner_name=f"{name} Owner"
        ).client
    # Counters that tests which commit have raised in earlier runs start again from the truth.
    usage_from_truth(client)
    return TenantInfo(client=client, host=f"{slug}.{settings.PLATFORM_DOMAIN}", owner_email=owner_email)


def clear_test_cache() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    # django-tenants' make_key: "<schema>:<KEY_PREFIX>:<version>:<key>"
    for key in client.scan_iter(match=f"*:{prefix}:*", count=1000):
        client.delete(key)
    client.close()


def on_own_connection(work: Callable[[], T]) -> T:
    """Run `work` on a thread with a database connection of its own, in autocommit: what it
    writes is committed at once, whether or not the test runs in a transaction."""

    def run() -> T:
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def host_client(host: str) -> HttpClient:
    return HttpClient(HTTP_HOST=host)


def login(client: HttpClient, email: str, password: str = PASSWORD) -> None:
    response = client.post("/login/", {"username": email, "password": password})
    assert response.status_code == 302, response.content[:500]


def database_url_for_subprocess() -> str:
    """The test database as a URL, for processes started by a test (Celery workers)."""
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    auth = f"{user}:{db['PASSWORD']}" if db["PASSWORD"] else user
    if str(db["HOST"]).startswith("/"):
        return f"postgresql://{auth}@/{db['HOST']}/{db['NAME']}"
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for_worker(worker: subprocess.Popen[bytes], timeout: float = 60) -> None:
    from config.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {worker.returncode}")
        replies = app.control.ping(timeout=0.5) or []
        if any(name.startswith(f"tests-{os.getpid()}@") for reply in replies for name in reply):
            return
    raise RuntimeError("the Celery worker did not answer within a minute")
