"""Session-wide test fixtures: two tenants cloned from the template once per run, a platform
tenant, clients bound to a host, and a real Celery worker on demand.

The test database is kept between runs (`--reuse-db`): its first creation runs every migration
of the public schema (about two minutes, dj-stripe); later runs migrate only what is new.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.actions import do_provision_workspace
from tenants.models import Client
from tests.dns_server import LoopbackDNS, Zone

ROOT = Path(__file__).resolve().parent.parent
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
    from tests.billing.limits_fixtures import usage_from_truth

    usage_from_truth(client)
    return TenantInfo(client=client, host=f"{slug}.{settings.PLATFORM_DOMAIN}", owner_email=owner_email)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """After pytest-django has created (or reused) the test database: template, platform
    tenant, and the caches of earlier runs cleared."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("migrate_all", verbosity=0)
    clear_test_cache()


def clear_test_cache() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    # django-tenants' make_key: "<schema>:<KEY_PREFIX>:<version>:<key>"
    for key in client.scan_iter(match=f"*:{prefix}:*", count=1000):
        client.delete(key)
    client.close()


@pytest.fixture(scope="session")
def tenant_a(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> TenantInfo:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        return provision_once("acme", "Acme")


@pytest.fixture(scope="session")
def tenant_b(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> TenantInfo:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        return provision_once("globex", "Globex")


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


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """A media folder for this test only (FileSystemStorage follows MEDIA_ROOT when it changes)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def domains_allowed(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_db_blocker: pytest.FixtureRequest
) -> Iterator[None]:
    """Acme and Globex on a plan with custom domains (Enterprise: the platform's cap) for a test
    that adds domains; they are on Free (none) otherwise. Committed, so servers, workers and
    other connections see it, and put back afterwards."""
    from billing.entitlements import forget
    from billing.models import Entitlement, Plan

    clients = [tenant_a.client.pk, tenant_b.client.pk]

    def set_plans(plans: dict[int, int]) -> None:
        for client_id, plan_id in plans.items():
            Entitlement.objects.filter(client_id=client_id).update(plan_id=plan_id)
            forget(client_id)

    def swap_in() -> dict[int, int]:
        before = dict(Entitlement.objects.filter(client_id__in=clients).values_list("client_id", "plan_id"))
        set_plans(dict.fromkeys(clients, Plan.objects.get(code="enterprise").pk))
        return before

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        before = on_own_connection(swap_in)
    try:
        yield
    finally:
        with django_db_blocker.unblock():  # type: ignore[attr-defined]
            on_own_connection(lambda: set_plans(before))


@pytest.fixture(autouse=True)
def _public_schema_between_tests() -> Iterator[None]:
    """Requests switch the shared connection's schema; every test starts and ends in public."""
    if connection.connection is not None:
        connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


def host_client(host: str) -> HttpClient:
    return HttpClient(HTTP_HOST=host)


@pytest.fixture
def client_a(tenant_a: TenantInfo) -> HttpClient:
    return host_client(tenant_a.host)


@pytest.fixture
def client_b(tenant_b: TenantInfo) -> HttpClient:
    return host_client(tenant_b.host)


@pytest.fixture
def platform_client(db: None) -> HttpClient:
    return host_client(settings.PLATFORM_DOMAIN)


def login(client: HttpClient, email: str, password: str = PASSWORD) -> None:
    response = client.post("/login/", {"username": email, "password": password})
    assert response.status_code == 302, response.content[:500]


@pytest.fixture
def staff_user(db: None) -> User:
    with schema_context("public"):
        return User.objects.create_superuser("staff@platform.test", PASSWORD, name="Staff")


def database_url_for_subprocess() -> str:
    """The test database as a URL, for processes started by a test (Celery workers)."""
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    auth = f"{user}:{db['PASSWORD']}" if db["PASSWORD"] else user
    if str(db["HOST"]).startswith("/"):
        return f"postgresql://{auth}@/{db['HOST']}/{db['NAME']}"
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def worker_mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the Celery worker's e-mail goes (one file per connection, Django's file backend)."""
    return tmp_path_factory.mktemp("worker-mail")


@pytest.fixture(scope="session")
def dns_server() -> Iterator[LoopbackDNS]:
    """The loopback DNS server of the run. Processes started by tests (workers, servers) ask it
    too: its address is put in the environment they inherit."""
    server = LoopbackDNS()
    server.start()
    previous = os.environ.get("DOMAINS_DNS_NAMESERVERS")
    os.environ["DOMAINS_DNS_NAMESERVERS"] = server.nameserver
    try:
        yield server
    finally:
        server.stop()
        if previous is None:
            os.environ.pop("DOMAINS_DNS_NAMESERVERS", None)
        else:
            os.environ["DOMAINS_DNS_NAMESERVERS"] = previous


@pytest.fixture
def dns(dns_server: LoopbackDNS, settings: Any) -> Iterator[Zone]:
    """This test's zone data on the loopback DNS server, which the product's resolver asks."""
    dns_server.zone.clear()
    settings.DOMAINS_DNS_NAMESERVERS = [dns_server.nameserver]
    settings.DOMAINS_DNS_TIMEOUT = 2.0
    yield dns_server.zone
    dns_server.zone.clear()


@pytest.fixture(scope="session")
def celery_worker(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, worker_mail_dir: Path, dns_server: LoopbackDNS
) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker process on the test database and the test queue; it resolves
    domains through the loopback DNS server."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        env = {
            **os.environ,
            "DOMAINS_DNS_NAMESERVERS": dns_server.nameserver,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for_subprocess(),
            "REDIS_URL": settings.REDIS_URL,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(worker_mail_dir),
        }
    log_path = Path(os.environ.get("DATA_DIR", ROOT / ".data")) / "test-worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")  # closed when the worker stops
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "tests",
            "-P",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
            "-n",
            f"tests-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_worker(worker)
        yield worker
    finally:
        log.close()
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


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


async def close_code(host: str, origin: str | None = None) -> int:
    """Open /ws/chat/ through the full ASGI stack and return the code it is closed with."""
    headers = [(b"host", host.encode())]
    headers.append((b"origin", (origin or f"http://{host}").encode()))
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    message = await communicator.receive_output(timeout=10)
    await communicator.wait()
    return int(message["code"])
