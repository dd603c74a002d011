"""The product's web server as the benchmarks start it, and waiting until it answers.

Named so that it shadows nothing: a script run as `python bench/<name>.py` has bench/ first on
sys.path, where a `daphne.py` would be imported in place of daphne itself.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from bench.provision import now, stop_process
from bench.ws_fanout import free_port

ROOT = Path(__file__).resolve().parent.parent


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


def wait_ready(
    process: subprocess.Popen[bytes], log_path: Path, answers: Callable[[], bool], timeout: float = 90
) -> None:
    """Return once `answers()` holds; raise if daphne exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}; see {log_path}")
        if answers():
            return
        time.sleep(0.2)
    raise RuntimeError(f"daphne did not start within {timeout:.0f}s; see {log_path}")


class WebServer:
    """The Procfile's `web` command on a free loopback port, its output appended to `log_path`
    after a line naming the command (and `note`). Ready once `/healthz` answers 200."""

    def __init__(
        self, log_path: Path, env: dict[str, str], *, note: str = "", preexec_fn: Callable[[], None] | None = None
    ) -> None:
        self.port = free_port()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        command = web_command(self.port)
        self.log = log_path.open("ab")
        self.log.write(f"\n==> {now()} {' '.join(command)}{note}\n".encode())
        self.log.flush()
        self.process = subprocess.Popen(  # a fixed command
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=preexec_fn
        )

    def answers(self) -> bool:
        return answers_healthz(self.port)

    def wait_ready(self, timeout: float = 90) -> None:
        wait_ready(self.process, self.log_path, self.answers, timeout)

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()
