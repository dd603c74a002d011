"""`make run` and `make test`: start what the machine lacks, prepare the database, then run.

    python -m config.launch run     services, migrations, demo data, then web + worker + beat
    python -m config.launch test    services, then pytest (arguments after `--` go to pytest)
    python -m config.launch bench -- SCRIPT [ARGS]   services, then a benchmark script

Without DATABASE_URL / REDIS_URL the embedded PostgreSQL and Redis are started under DATA_DIR
(default `.data/`) and stopped again on exit. Ctrl-C stops everything.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from config import procfile
from config.services import EmbeddedServices

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def manage(*args: str, env: dict[str, str], capture: bool = False) -> str:
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )
    print(f"    ({time.monotonic() - started:.1f}s)", flush=True)
    return result.stdout or ""


def wait_for_web(port: str, timeout: float = 60) -> bool:
    """True once the web server answers /healthz (on the platform host)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", int(port)), timeout=1) as conn:
                conn.sendall(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
                if b" 200 " in conn.recv(64).split(b"\r\n", 1)[0]:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def run(env: dict[str, str]) -> int:
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    port = env.setdefault("PORT", "8000")
    step("Migrating the database (public schema, tenant template, tenants)")
    manage("migrate_all", env=env)
    step("Seeding demo data")
    summary = manage("seed_demo", env=env, capture=True)
    step("Setting up billing (plans and the webhook endpoint on Stripe, or its test-mode stand-in)")
    manage("billing_setup", env=env)
    step(f"Starting web (daphne on port {port}), Celery worker and beat")
    commands = {
        # As deployed (the Procfile): all interfaces, so it is reachable from containers and VMs.
        "web": procfile.command("web", port=port),
        # Below the web server's priority, so extracting a long PDF never slows the chat down.
        "worker": ["nice", "-n", "10", PYTHON, "-m", "celery", "-A", "config", "worker", "-l", "INFO", "-c", "2"],
        "beat": [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(Path(env.get("DATA_DIR", ROOT / ".data")) / "celerybeat-schedule"),
        ],
    }
    children = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in commands.items()}
    try:
        if wait_for_web(port):
            print(f"\n{summary.strip()}\n\nReady: http://localhost:{port}/  (Ctrl-C stops everything)\n", flush=True)
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"{name} exited with {child.returncode}; stopping.", flush=True)
                    return child.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    finally:
        stop_children(list(children.values()))


def stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()


def test(env: dict[str, str], pytest_args: list[str]) -> int:
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    return subprocess.run([PYTHON, "-m", "pytest", *pytest_args], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test", "bench"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    logging.basicConfig(level=logging.WARNING)  # pgserver logs every command at INFO
    # Ctrl-C and SIGTERM both stop everything cleanly, even when started from a script (where
    # background jobs inherit an ignored SIGINT).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    data_dir = Path(os.environ.get("DATA_DIR", ROOT / ".data"))
    services = EmbeddedServices(data_dir)
    # Ctrl-C reaches every process of the terminal's group; the children handle it themselves.
    try:
        env = {**os.environ, **services.start()}
        env["DATA_DIR"] = str(data_dir)
        if command == "run":
            return run(env)
        if command == "bench":
            env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
            return subprocess.run([PYTHON, *rest], cwd=ROOT, env=env).returncode
        return test(env, rest)
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    except KeyboardInterrupt:
        return 130
    finally:
        services.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
