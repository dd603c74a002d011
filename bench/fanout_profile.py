"""Runs a server for `bench/ws_fanout.py --profile` with a profiler the benchmark switches on and
off, so the profile covers the measured messages only (not start-up, handshakes or shutdown).

    fanout_profile.py -m daphne [daphne's arguments]
    fanout_profile.py bench/fanout_baseline.py [its arguments]

SIGUSR1 starts cProfile on the main thread (the event loop: daphne's Twisted reactor runs on
asyncio there); SIGUSR2 stops it and writes the stats to the file named by FANOUT_PROFILE. Work
handed to threads (database_sync_to_async) is not in the profile; its share shows as time the
event loop spends waiting for it.
"""

from __future__ import annotations

import cProfile
import os
import runpy
import signal
import sys
from types import FrameType

profiler = cProfile.Profile()


def start(signum: int, frame: FrameType | None) -> None:
    profiler.enable()


def stop(signum: int, frame: FrameType | None) -> None:
    profiler.disable()
    profiler.dump_stats(os.environ["FANOUT_PROFILE"])


def main() -> None:
    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    args = sys.argv[1:]
    if args[:1] == ["-m"]:
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = args
        runpy.run_path(args[0], run_name="__main__")


if __name__ == "__main__":
    main()
