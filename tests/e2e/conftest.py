"""Browser tests: Playwright drives Debian's Chromium against a real daphne server on the test
database.

The server is another process, so it sees only committed data: set data up inside
`django_db_blocker.unblock()` (not the `db` fixture, whose transaction it cannot see) and
remove it afterwards, since the test database is kept between runs. Mail the server sends is
written to files (`LiveServer.read_mails`, `LiveServer.latest_link`).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright._impl import _sync_base
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from pytest_django import DjangoDbBlocker

from tests.conftest import ROOT, TenantInfo, database_url_for_subprocess
from tests.servers import free_port, server_env, wait_for_server
from tests.servers import healthz_status as healthz_status  # re-exported
from tests.servers import log_tail as log_tail  # re-exported

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
CLOSE_TIMEOUT = 20.0
ARTIFACTS_DIR = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts"))
# The file backend ends every message with a line of 79 dashes.
MAIL_SEPARATOR = re.compile(rb"^-{79}\r?\n", re.MULTILINE)
HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]+:|[ \t]")
URL = re.compile(r"https?://[^\s<>\"']+")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is a browser test, before `-m` selects by marker."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class LiveServer:
    port: int
    mail_dir: Path
    log_path: Path

    def url_for(self, host: str, path: str = "/") -> str:
        """`host` as Chromium reaches it: it resolves `*.localhost` to 127.0.0.1 by itself."""
        return f"http://{host}:{self.port}{path}"

    def read_mails(self) -> list[EmailMessage]:
        """Every mail the server has sent, oldest first."""
        files = sorted(self.mail_dir.glob("*.log"), key=lambda path: (path.stat().st_mtime_ns, path.name))
        return [mail for path in files for mail in parse_mail_file(path.read_bytes())]

    def latest_link(self, to: str, path_prefix: str, timeout: float = 10) -> str:
        """The first URL under `path_prefix` in the newest mail to `to`; waits, since the server
        may send it after answering."""
        deadline = time.monotonic() + timeout
        while True:
            mails = [mail for mail in self.read_mails() if to.lower() in recipients(mail)]
            text = text_of(mails[-1]) if mails else ""
            for url in URL.findall(text):
                url = url.rstrip(".,;:!?)]}")
                if urlsplit(url).path.startswith(path_prefix):
                    return url
            if time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        if mails:
            raise AssertionError(
                f"the newest mail to {to} ({mails[-1]['subject']!r}) has no link under {path_prefix}:\n{text}"
            )
        sent = [f"{', '.join(sorted(recipients(mail)))}: {mail['subject']}" for mail in self.read_mails()]
        raise AssertionError(f"no mail to {to} in {self.mail_dir}; sent: {sent or 'nothing'}")


def parse_mail_file(data: bytes) -> list[EmailMessage]:
    """The complete messages of one file. A message still being written (no separator yet) is
    left for the next read; a body line of dashes is not taken for a separator."""
    *pieces, _being_written = MAIL_SEPARATOR.split(data)
    messages: list[bytes] = []
    for piece in pieces:
        if messages and not starts_message(piece):
            messages[-1] += b"-" * 79 + b"\n" + piece
        elif piece.strip():
            messages.append(piece)
    parser = BytesParser(policy=email.policy.default)
    return [parser.parsebytes(message.lstrip(b"\r\n")) for message in messages]


def starts_message(piece: bytes) -> bool:
    """Django writes a MIME-Version header into every message; a body rarely opens with a
    block of header lines that holds one."""
    head = re.split(rb"\r?\n\r?\n", piece.lstrip(b"\r\n"), maxsplit=1)[0].splitlines()
    return (
        bool(head)
        and all(HEADER_LINE.match(line) for line in head)
        and any(line.lower().startswith(b"mime-version:") for line in head)
    )


def recipients(mail: EmailMessage) -> set[str]:
    headers = [str(value) for name in ("to", "cc") for value in mail.get_all(name, [])]
    return {address.lower() for _, address in getaddresses(headers)}


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain", "html"))
    return "" if body is None else str(body.get_content())


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


def hide_loop_between_calls(
    wait_for_future: Callable[[asyncio.AbstractEventLoop, Any, Any], None],
) -> Callable[[asyncio.AbstractEventLoop, Any, Any], None]:
    """Playwright's sync API leaves its event loop marked as running in this thread between
    calls, so Django would refuse ORM calls ("async context") and async_to_sync would refuse
    to run, in the browser tests and in every test after them. Mark it only during a call."""

    def wait(loop: asyncio.AbstractEventLoop, dispatcher_fiber: Any, future: Any) -> None:
        __tracebackhide__ = True
        previous = asyncio._get_running_loop()
        asyncio._set_running_loop(loop)
        try:
            wait_for_future(loop, dispatcher_fiber, future)
        finally:
            asyncio._set_running_loop(previous)

    return wait


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


def kill_processes_with(argument: str) -> None:
    """SIGKILL every process whose command line holds `argument`, and its process group
    (Playwright starts Chromium as the leader of a group of its own)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argument.encode() in arguments:
            pid = int(entry.name)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL) if os.getpgid(pid) == pid else os.kill(pid, signal.SIGKILL)


def screenshot_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "screenshot"


def save_screenshot(page: Page, name: str) -> Path:
    """A full-page PNG under ARTIFACTS_DIR (default `artifacts/`), for a person to look at."""
    path = ARTIFACTS_DIR / f"{screenshot_name(name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


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
