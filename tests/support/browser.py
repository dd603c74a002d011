"""Browser tests: the live daphne server Playwright drives, its mail, and screenshots."""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import os
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import (
    Page,
)

from tests.support.tenants import ROOT

VIEWPORT = {"width": 1280, "height": 800}

ARTIFACTS_DIR = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts"))

# The file backend ends every message with a line of 79 dashes.
MAIL_SEPARATOR = re.compile(rb"^-{79}\r?\n", re.MULTILINE)

HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]+:|[ \t]")

URL = re.compile(r"https?://[^\s<>\"']+")


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


def screenshot_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "screenshot"


def save_screenshot(page: Page, name: str) -> Path:
    """A full-page PNG under ARTIFACTS_DIR (default `artifacts/`), for a person to look at."""
    path = ARTIFACTS_DIR / f"{screenshot_name(name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


CHROMIUM = Path("/usr/bin/chromium")


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


CLOSE_TIMEOUT = 20.0


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
