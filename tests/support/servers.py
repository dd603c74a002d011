"""daphne as a subprocess on the test database, for tests that need a real server: browser tests
and WebSocket tests over loopback.

The server is another process, so it sees only committed data. `DaphneProcess` can be killed
the hard way (SIGKILL, as a crash or an out-of-memory kill would) and started again on the same
port, and several of them can share the database and Redis.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from django.conf import settings

from config import procfile
from tests.support.tenants import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def healthz_status(port: int) -> int | None:
    """Python does not resolve `*.localhost`: connect to 127.0.0.1 and name the host."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz", headers={"Host": "localhost"})
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


def wait_for_server(server: subprocess.Popen[bytes], port: int, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the live server exited with {server.returncode}; {log_path}:\n{log_tail(log_path)}")
        status = healthz_status(port)
        if status == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(
        f"the live server did not answer /healthz with 200 within {timeout:.0f}s (last: {status}); "
        f"{log_path}:\n{log_tail(log_path)}"
    )


def server_env(port: int, mail_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The test settings on the test database; links in mail point at this server. `extra`
    adds or overrides variables (CHANNEL_LAYER=pubsub, say)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "SITE_PORT": str(port),
        "SITE_SCHEME": "http",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def terminate(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 20 s."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class DaphneProcess:
    """One daphne process serving `config.asgi:application` on 127.0.0.1:`port`. Every start
    appends to the same log, so a restart's log shows the crash before it."""

    def __init__(
        self,
        port: int,
        env: dict[str, str],
        log_path: Path,
        name: str = "daphne",
        args: Sequence[str] = (),
        *,
        as_deployed: bool = False,
    ) -> None:
        self.port = port
        self.env = env
        self.log_path = log_path
        self.name = name
        # More daphne options, e.g. `--proxy-headers` behind a proxy as the Procfile runs it.
        self.args = list(args)
        # The Procfile's web command itself (its backlog and timeouts), on loopback; `args` unused.
        self.as_deployed = as_deployed
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def command(self) -> list[str]:
        if self.as_deployed:
            return procfile.command("web", port=self.port, interface="127.0.0.1")
        daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port)]
        return [*daphne, *self.args, "config.asgi:application"]

    def start(self, timeout: float = 60) -> None:
        """Start, and return once /healthz answers 200."""
        assert not self.running, f"{self.name} is already running"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._log.write(f"--- {self.name} starting on port {self.port}\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_server(self.process, self.port, self.log_path, timeout=timeout)
        except BaseException:
            self.stop()
            raise

    def kill(self) -> None:
        """SIGKILL: no shutdown, no closing frames; open transactions die with the process."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=20)
        self._close_log()

    def stop(self) -> None:
        terminate(self.process)
        self._close_log()

    def log(self, lines: int = 60) -> str:
        return log_tail(self.log_path, lines)

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


CADDY = Path("/usr/bin/caddy")
CADDYFILE = ROOT / "config" / "Caddyfile"


class CaddyProcess:
    """Debian's Caddy running the shipped `config/Caddyfile`, with the test's ports, storage
    and upstream given through the variables the file reads (`{$VAR}`), on loopback only and
    with its internal CA as issuer. Its root certificate is `root_certificate`."""

    def __init__(self, folder: Path, *, upstream_port: int, platform_domain: str) -> None:
        self.folder = folder
        self.http_port = free_port()
        self.https_port = free_port()
        self.storage = folder / "storage"
        self.log_path = folder / "caddy.log"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            # Caddy writes its autosaved config and data under these: keep them in the test's folder.
            "HOME": str(folder),
            "XDG_CONFIG_HOME": str(folder / "config"),
            "XDG_DATA_HOME": str(folder / "data"),
            "PLATFORM_DOMAIN": platform_domain,
            "PARLEY_UPSTREAM": f"127.0.0.1:{upstream_port}",
            "PARLEY_TLS_ASK_URL": f"http://127.0.0.1:{upstream_port}/internal/tls/ask",
            "CADDY_TLS_ISSUER": "internal",
            "CADDY_HTTP_PORT": str(self.http_port),
            "CADDY_HTTPS_PORT": str(self.https_port),
            "CADDY_BIND": "127.0.0.1",
            "CADDY_STORAGE": str(self.storage),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def root_certificate(self) -> Path:
        return self.storage / "pki" / "authorities" / "local" / "root.crt"

    def start(self, timeout: float = 30) -> None:
        if not os.access(CADDY, os.X_OK):
            raise RuntimeError(f"{CADDY} is missing: `make test` installs Debian's caddy package (make caddy).")
        self.folder.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(CADDY), "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            cwd=self.folder,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"caddy exited with {self.process.returncode}:\n{self.log()}")
            if b"serving initial configuration" in self.log_path.read_bytes() and self.root_certificate.exists():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"caddy did not start within {timeout:.0f}s:\n{self.log()}")

    def stop(self) -> None:
        terminate(self.process)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)
