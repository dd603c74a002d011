"""The processes of a run: ports, CPU pinning, CPU time, stopping.

The server under test is pinned to CPU 0 and the load generator (this process) to CPU 1, so
neither takes the other's core; PostgreSQL and Redis are not pinned.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import socket
import subprocess

SERVER_CPU = 0
GENERATOR_CPU = 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pin(cpu: int) -> None:
    if cpu < (os.cpu_count() or 1):
        with contextlib.suppress(OSError, AttributeError):
            os.sched_setaffinity(0, {cpu})


def pin_server() -> None:
    """A `preexec_fn`: pinned before exec, so every thread of the server inherits it."""
    pin(SERVER_CPU)


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process, all its threads (0 once it is gone)."""
    import psutil

    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


def process_tree_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds of a process, and of its live descendants (a worker's pool processes)."""
    import psutil

    try:
        root = psutil.Process(pid)
        children = root.children(recursive=True)
        times = root.cpu_times()
    except psutil.Error:
        return 0.0, 0.0
    pool = 0.0
    for child in children:
        try:
            child_times = child.cpu_times()
        except psutil.Error:
            continue
        pool += child_times.user + child_times.system
    return times.user + times.system, pool


def raise_fd_limit() -> int:
    """Allow this process as many open files as the hard limit (a socket each); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return wanted


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 20) -> None:
    """SIGTERM (a server's or a worker's warm shutdown), then SIGKILL after `timeout` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
