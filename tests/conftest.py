"""Session-wide test fixtures: two tenants cloned from the template once per run, a platform
tenant, clients bound to a host, and a real Celery worker on demand; committed chat people and
rooms, and daphne servers on the test database, which tests of several folders use.

Fixtures only: what they are built from lives in `tests.support`.

The test database is kept between runs (`--reuse-db`): its first creation runs every migration
of the public schema (about two minutes, dj-stripe); later runs migrate only what is new.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from accounts.actions import do_create_user
from accounts.models import User
from accounts.tokens import mint_tokens
from chat.actions import do_add_members, do_create_room
from chat.models import Room
from chat.presence import stop_presence
from chat.realtime.hub import stop_hub
from tenants.db import use_public_schema
from tests.support.dns import LoopbackDNS, Zone
from tests.support.live_chat import FAST_SENDS, SERVERS, StartServer
from tests.support.servers import DaphneProcess, free_port, server_env
from tests.support.sockets import SCENARIO_TIMEOUT, MakeMember, MakeRoom, Member
from tests.support.tenants import (
    PASSWORD,
    ROOT,
    TenantInfo,
    clear_test_cache,
    database_url_for_subprocess,
    host_client,
    on_own_connection,
    provision_once,
    wait_for_worker,
)

T = TypeVar("T")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """After pytest-django has created (or reused) the test database: template, platform
    tenant, and the caches of earlier runs cleared."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("migrate_all", verbosity=0)
    clear_test_cache()


@pytest.fixture(scope="session")
def tenant_a(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> TenantInfo:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        return provision_once("acme", "Acme")


@pytest.fixture(scope="session")
def tenant_b(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> TenantInfo:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        return provision_once("globex", "Globex")


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


@pytest.fixture
def client_a(tenant_a: TenantInfo) -> HttpClient:
    return host_client(tenant_a.host)


@pytest.fixture
def client_b(tenant_b: TenantInfo) -> HttpClient:
    return host_client(tenant_b.host)


@pytest.fixture
def platform_client(db: None) -> HttpClient:
    return host_client(settings.PLATFORM_DOMAIN)


@pytest.fixture
def staff_user(db: None) -> User:
    with schema_context("public"):
        return User.objects.create_superuser("staff@platform.test", PASSWORD, name="Staff")


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


@pytest.fixture
def make_member(django_db_blocker: Any) -> Iterator[MakeMember]:
    """People who start in their tenant's default rooms (`general`), password PASSWORD."""
    made: list[tuple[str, int]] = []

    def make(tenant: TenantInfo, *, name: str = "", role: str = User.Role.MEMBER) -> Member:
        email = f"chat-{uuid.uuid4().hex[:10]}@{tenant.client.slug}.test"
        with django_db_blocker.unblock(), schema_context(tenant.schema):
            user = do_create_user(email=email, password=PASSWORD, name=name or email.split("@")[0], role=role)
            token = str(mint_tokens(user, tenant.client).access_token)
        made.append((tenant.schema, user.pk))
        return Member(user=user, tenant=tenant, token=token)

    yield make
    with django_db_blocker.unblock():
        for schema, pk in made:
            with schema_context(schema):
                User.objects.filter(pk=pk).delete()


@pytest.fixture
def make_room(django_db_blocker: Any) -> Iterator[MakeRoom]:
    """A room whose first member is its owner; the others join as members."""
    made: list[tuple[str, int]] = []

    def make(tenant: TenantInfo, *, members: list[Member], kind: str = Room.Kind.PUBLIC, name: str = "") -> Room:
        with django_db_blocker.unblock(), schema_context(tenant.schema):
            room = do_create_room(
                tenant=tenant.client, name=name or f"room {uuid.uuid4().hex[:8]}", creator=members[0].user, kind=kind
            )
            if members[1:]:
                do_add_members(tenant=tenant.client, room=room, users=[m.user for m in members[1:]])
        made.append((tenant.schema, room.pk))
        return room

    yield make
    with django_db_blocker.unblock():
        for schema, pk in made:
            with schema_context(schema):
                Room.objects.filter(pk=pk).delete()


@pytest.fixture
def run_async(django_db_blocker: Any) -> Callable[[Callable[[], Awaitable[T]]], T]:
    """Run an async scenario on a fresh event loop with the database open, then stop the
    loop's hub and presence tracker (they belong to that loop)."""

    def run(scenario: Callable[[], Awaitable[T]]) -> T:
        async def wrapped() -> T:
            try:
                return await asyncio.wait_for(scenario(), SCENARIO_TIMEOUT)
            except TimeoutError:
                for task in asyncio.all_tasks():
                    task.print_stack(limit=8)
                raise
            finally:
                await asyncio.wait_for(stop_hub(), 10)
                await asyncio.wait_for(stop_presence(), 10)

        with django_db_blocker.unblock():
            try:
                return async_to_sync(wrapped)()
            finally:
                # A fresh layer per loop: channels-redis' core layer remembers its receiving loop.
                channel_layers.backends.clear()
                if connection.connection is not None:
                    use_public_schema()

    return run


@pytest.fixture
def start_server(
    request: pytest.FixtureRequest,
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    tmp_path: Path,
) -> Iterator[StartServer]:
    """Start a daphne process on the test database and Redis: `start_server("web-1",
    CHANNEL_LAYER="pubsub")`. Every process started is stopped after the test, whatever happened."""
    servers: list[DaphneProcess] = []
    request.node.stash[SERVERS] = servers
    database_url = database_url_for_subprocess()
    log_dir = Path(os.environ.get("DATA_DIR", ROOT / ".data"))

    def start(
        name: str = "web", *, daphne_args: tuple[str, ...] = (), as_deployed: bool = False, **env: str
    ) -> DaphneProcess:
        port = free_port()
        server = DaphneProcess(
            port=port,
            env=server_env(port, tmp_path / f"mail-{name}", database_url, **{**FAST_SENDS, **env}),
            log_path=log_dir / f"test-{name}.log",
            name=name,
            args=daphne_args,
            as_deployed=as_deployed,
        )
        server.log_path.unlink(missing_ok=True)  # the log of this test only
        servers.append(server)
        server.start()
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()
