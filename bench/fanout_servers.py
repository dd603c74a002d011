"""The servers the fan-out benchmark measures, each pinned to CPU 0 with its log in
bench/results/ws_fanout-<kind>.log.

      baseline  bench/fanout_baseline.py: a bare asyncio `websockets` broadcast server (no
                tenant, auth, database or channel layer), the ceiling
      core      the product on daphne, `CHANNEL_LAYER=core`   (channels_redis.core)
      pubsub    the product on daphne, `CHANNEL_LAYER=pubsub` (channels_redis.pubsub)

The product runs with the production settings (DEBUG off, persistent database connections);
every message is stored in PostgreSQL before it is broadcast, as in production.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.fanout_target import NO_TOKENS, SECRET_KEY, Tokens, mint
from bench.lib.processes import pin_server
from bench.lib.report import RESULTS_DIR
from bench.lib.tenant import Target, forget_old_servers
from bench.lib.webserver import LOOPBACK_HTTP, ROOT, WebServer, production_env, web_command

KINDS = ("baseline", "core", "pubsub")
DESCRIPTIONS = {
    "baseline": "bare asyncio websockets broadcast server (the ceiling)",
    "core": "daphne, channels_redis core layer",
    "pubsub": "daphne, channels_redis PubSub layer",
}


def describe(kinds: list[str]) -> str:
    return "; ".join(f"{kind}: {DESCRIPTIONS[kind]}" for kind in kinds)


def server_env(kind: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The production settings on plain loopback HTTP, with the channel layer `kind`."""
    env = {**LOOPBACK_HTTP, "LOG_LEVEL": "WARNING", **(extra or {})}
    if kind != "baseline":
        env["CHANNEL_LAYER"] = kind
    return production_env(SECRET_KEY, env)


class Server(WebServer):
    """A server of `kind`. With `procfile` the product runs the Procfile's `web` line; without,
    daphne listens with a backlog of 1,024 (the fixed-rate mode connects thousands of sockets
    64 at a time, and its recorded figures were measured so). With `profile`, the server runs
    under bench/fanout_profile.py, which writes a profile of the event loop there."""

    def __init__(
        self, kind: str, *, procfile: bool = False, profile: Path | None = None, extra_env: dict[str, str] | None = None
    ) -> None:
        self.kind, self.procfile, self.profile = kind, procfile, profile
        env = server_env(kind, extra_env)
        if profile is not None:
            env["FANOUT_PROFILE"] = str(profile)
        super().__init__(RESULTS_DIR / f"ws_fanout-{kind}.log", env, preexec_fn=pin_server)

    def command(self) -> list[str]:
        if self.kind == "baseline":
            args = [str(ROOT / "bench" / "fanout_baseline.py"), "--port", str(self.port)]
        elif self.procfile:
            args = web_command(self.port)[1:]
        else:
            endpoint = f"tcp:port={self.port}:interface=127.0.0.1:backlog=1024"
            args = ["-m", "daphne", "-v", "0", "-e", endpoint, "config.asgi:application"]
        if self.profile is not None:
            args = [str(ROOT / "bench" / "fanout_profile.py"), *args]
        return [sys.executable, *args]

    def answers(self) -> bool:
        if self.kind != "baseline":
            return super().answers()
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False


@contextmanager
def running(
    kind: str,
    target: Target,
    broadcasters: int,
    listeners: int,
    *,
    procfile: bool = False,
    profile: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[tuple[Server, Tokens]]:
    """A fresh, ready server of `kind` for one measurement, and fresh tokens for its sockets. The
    tenant's channel-layer groups are dropped first (see forget_old_servers)."""
    tokens = NO_TOKENS
    if kind != "baseline":
        tokens = mint(broadcasters, listeners)
        forget_old_servers(target.tenant_id)
    server = Server(kind, procfile=procfile, profile=profile, extra_env=extra_env)
    try:
        server.wait_ready()
        yield server, tokens
    finally:
        server.stop()
