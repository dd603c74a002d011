"""Peak memory of the processes below one process, by program, for the OCR benchmark.

getrusage's ru_maxrss cannot be used for a program this process starts: on Linux a child's
maximum counts the memory of the process it was forked from (the fork's copy of the page tables,
kept past exec), so every `tesseract` started from a Python process with Django loaded reported
that process's 208 MB. Instead a thread reads the high-water mark (VmHWM) from /proc of every
descendant every 50 ms while they run: a program that grows to its peak and exits within 50 ms
would be missed, which Tesseract (seconds a page, at its peak while it recognises) does not do.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")
INTERVAL = 0.05


def _parents() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, program name) of every process."""
    found: dict[int, tuple[int, str]] = {}
    for entry in os.scandir(PROC):
        if not entry.name.isdigit():
            continue
        try:
            stat = (PROC / entry.name / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), name)
    return found


def _high_water_kib(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class PeakMemory:
    """`with PeakMemory(root) as peaks:` then `peaks.by_program` (MB): the largest high-water
    mark of each program among `root`'s descendants (and `root` itself, if `include_root`)."""

    def __init__(self, root: int, *, include_root: bool = False) -> None:
        self.root, self.include_root = root, include_root
        self.by_program: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="peak-memory", daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(INTERVAL):
            processes = _parents()
            for pid, (_parent, name) in processes.items():
                if self._below_root(pid, processes):
                    mb = _high_water_kib(pid) / 1024
                    self.by_program[name] = max(self.by_program.get(name, 0.0), mb)

    def _below_root(self, pid: int, processes: dict[int, tuple[int, str]]) -> bool:
        if pid == self.root:
            return self.include_root
        seen = 0
        while pid in processes and seen < 64:
            pid, seen = processes[pid][0], seen + 1
            if pid == self.root:
                return True
        return False
