"""Browser tests: Playwright drives Debian's Chromium against a real daphne server on the test
database.

The server is another process, so it sees only committed data: set data up inside
`django_db_blocker.unblock()` (not the `db` fixture, whose transaction it cannot see) and
remove it afterwards, since the test database is kept between runs. Mail the server sends is
written to files (`LiveServer.read_mails`, `LiveServer.latest_link`).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_tenants.utils import schema_context
from playwright._impl import _sync_base
from playwright.sync_api import (
    Browser,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from pytest_django import DjangoDbBlocker

from accounts.models import User
from chat.actions import do_create_room
from chat.models import Room
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CLOSE_TIMEOUT,
    VIEWPORT,
    LiveServer,
    hide_loop_between_calls,
    kill_processes_with,
    save_screenshot,
)
from tests.support.browser_chat import ChatScene
from tests.support.browser_documents import ViewerScene, viewer_scene_made
from tests.support.servers import free_port, server_env, wait_for_server
from tests.support.tenants import PASSWORD, ROOT, TenantInfo, database_url_for_subprocess

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is a browser test, before `-m` selects by marker."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _live_server_helper() -> None:
    """Replaces pytest-django's autouse helper of this name. For every test that uses a
    `live_server` it requests `transactional_db`, whose teardown empties every table of the public
    schema (tenants included) in the kept test database, and then configures pytest-django's own
    in-process server. This server is another process and sees committed data only."""


@pytest.fixture(scope="session")
def live_server(
    tenant_a: TenantInfo,
    tenant_b: TenantInfo,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """daphne on the test database, with both tenants provisioned and mail written to files."""
    port = free_port()
    mail_dir = tmp_path_factory.mktemp("mail")
    with django_db_blocker.unblock():
        env = server_env(port, mail_dir, database_url_for_subprocess())
    log_path = Path(os.environ.get("DATA_DIR", ROOT / ".data")) / "test-live-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")  # closed when the server stops
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_server(server, port, log_path)
        yield LiveServer(port=port, mail_dir=mail_dir, log_path=log_path)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_sync_base, "wait_for_future", hide_loop_between_calls(_sync_base.wait_for_future))
        driver = sync_playwright().start()
        loop = asyncio._get_running_loop()
        asyncio._set_running_loop(None)  # start() leaves it marked, like every call
        try:
            yield driver
        finally:
            asyncio._set_running_loop(loop)  # the driver shuts down inside the loop
            driver.stop()
            asyncio._set_running_loop(None)


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    """A Chromium of its own per test. Closing a browser or a context can hang in Chromium
    (rarely, on a loaded machine); a test's browser that does not close within
    CLOSE_TIMEOUT seconds is killed, so one stuck Chromium costs seconds, not the run."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium package (as root or with sudo -n).",
            pytrace=False,
        )
    tag = f"--e2e-browser={uuid.uuid4().hex}"  # an unknown switch Chromium ignores; finds its process
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, tag])
    try:
        yield chromium
    finally:
        watchdog = threading.Timer(CLOSE_TIMEOUT, kill_processes_with, args=(tag,))
        watchdog.start()
        try:
            chromium.close()
        except PlaywrightError as exc:
            warnings.warn(f"Chromium did not close and was killed: {exc}", stacklevel=1)
        finally:
            watchdog.cancel()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh context (no cookies) in the test's browser; its last state is kept as `<test name>.png`."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        try:
            save_screenshot(page, request.node.name)
        except PlaywrightError as exc:
            warnings.warn(f"no screenshot of {request.node.name}: {exc}", stacklevel=1)
        # The context closes with the test's browser, which cannot hang the run.


@pytest.fixture
def patient_expect() -> Iterator[None]:
    """The machine running the tests may be busy: give the page up to 15 s (Playwright's
    default is 5 s), as the contexts do for actions. The chat modules use it for every test."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def scene(tenant_a: TenantInfo, django_db_blocker: DjangoDbBlocker) -> Iterator[ChatScene]:
    """Two fresh people of acme in a fresh room of their own; removed afterwards, since the
    server commits what the test does."""
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        ann = User.objects.create_user(f"ann-{tag}@acme.test", PASSWORD, name=f"Ann {tag}")
        bob = User.objects.create_user(f"bob-{tag}@acme.test", PASSWORD, name=f"Bob {tag}")
        room = do_create_room(tenant=None, name=f"launch-{tag}", creator=ann, members=[bob], topic="Launch plans")
    yield ChatScene(
        room_id=room.pk, room_name=room.name, ann_email=ann.email, bob_email=bob.email, bob_handle=f"bob-{tag}"
    )
    with django_db_blocker.unblock(), schema_context(tenant_a.schema):
        people = [ann.pk, bob.pk]
        Room.objects.filter(memberships__user__in=people).exclude(is_default=True).distinct().delete()
        User.objects.filter(pk__in=people).delete()


@pytest.fixture
def viewer_scene(
    tenant_a: TenantInfo, tenant_b: TenantInfo, django_db_blocker: DjangoDbBlocker
) -> Iterator[ViewerScene]:
    """Ann and Bob in a fresh private room of acme, Gus of globex (the document pages' tests)."""
    with viewer_scene_made(tenant_a, tenant_b, django_db_blocker) as scene:
        yield scene
