"""What a run ran on, for every benchmark's report: a figure means little without the machine
and how busy it was."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def host_info() -> dict[str, Any]:
    """The machine and Python of a run."""
    import django

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def machine_info() -> dict[str, Any]:
    """host_info() and the PostgreSQL server's version (Django set up)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    return {**host_info(), "postgresql": row[0] if row else "?"}


def machine_line(load: list[float]) -> str:
    """One line for the output: cores, CPU model and the load average at the start."""
    return f"{os.cpu_count()} cores, {cpu_model()}; load average (1, 5, 15 min) at start {load}"
