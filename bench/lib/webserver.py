"""The product's web server as the benchmarks start it, and waiting until it answers.

The command is the Procfile's `web` line on a loopback port, with the production settings
(DEBUG off, persistent database connections): what is measured is what is deployed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from bench.lib.machine import now
from bench.lib.processes import free_port, stop_process

ROOT = Path(__file__).resolve().parent.parent.parent

# Sockets are plain ws:// on loopback here (the front end terminates TLS in production).
LOOPBACK_HTTP = {"DJANGO_SECURE_SSL_REDIRECT": "false", "SITE_SCHEME": "http"}
# A closed loop would otherwise measure the per-socket send limit (CHAT_SEND_RATE, 5 a second).
UNLIMITED_SENDS = {"CHAT_SEND_RATE": "1000000", "CHAT_SEND_BURST": "1000000"}


def web_command(port: int) -> list[str]:
    """The Procfile's `web` line (`daphne -b ... -p ... --proxy-headers config.asgi:application`)
    on a loopback port."""
    return [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "--proxy-headers",
        "config.asgi:application",
    ]


def production_env(secret_key: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment with the production settings (DEBUG off) and `extra` on top."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
        **(extra or {}),
    }


def answers_healthz(port: int) -> bool:
    """`GET /healthz` on the loopback port is answered 200."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
            return b" 200 " in conn.recv(64).split(b"\r\n", 1)[0]
    except OSError:
        return False


class WebServer:
    """The Procfile's `web` command (or the `command()` of a subclass) on a free loopback port,
    its output appended to `log_path` after a line naming the command (and `note`). Ready once
    `answers()`: `/healthz` answered 200."""

    def __init__(
        self, log_path: Path, env: dict[str, str], *, note: str = "", preexec_fn: Callable[[], None] | None = None
    ) -> None:
        self.port = free_port()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        command = self.command()
        self.log = log_path.open("ab")
        self.log.write(f"\n==> {now()} {' '.join(command)}{note}\n".encode())
        self.log.flush()
        self.process = subprocess.Popen(  # a fixed command
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=preexec_fn
        )

    def command(self) -> list[str]:
        return web_command(self.port)

    def answers(self) -> bool:
        return answers_healthz(self.port)

    def wait_ready(self, timeout: float = 90) -> None:
        """Return once `answers()` holds; raise if the server exits first or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log_path}")
            if self.answers():
                return
            time.sleep(0.2)
        raise RuntimeError(f"the server did not start within {timeout:.0f}s; see {self.log_path}")

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()
