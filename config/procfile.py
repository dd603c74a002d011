"""The Procfile's commands as argument lists, so that `make run`, the benchmarks and the tests
start the web process exactly as a deployment does (its listen backlog and timeouts included)
rather than with a copy of the line that drifts.

Only what a Procfile line holds here is understood: words split as a shell would, and variables
as `${NAME:-default}` (the port given, or the default).
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

PROCFILE = Path(__file__).resolve().parent.parent / "Procfile"
_VARIABLE = re.compile(r"\$\{(\w+):-([^}]*)\}")
ANY_INTERFACE = "0.0.0.0"  # noqa: S104  # nosec B104


def line(name: str) -> str:
    """The command of the process type `name` (`web`, `worker`...)."""
    for raw in PROCFILE.read_text().splitlines():
        kind, _, command = raw.partition(":")
        if kind.strip() == name:
            return command.strip()
    raise KeyError(f"the Procfile has no `{name}` process")


def command(name: str, *, port: int | str | None = None, interface: str | None = None) -> list[str]:
    """`name`'s command as arguments: `port` for `${PORT:-...}` (else its default), `interface`
    for the Procfile's 0.0.0.0 (a loopback address in tests and benchmarks), and Python programs
    run with this interpreter (`python -m daphne`), so the project's virtual environment serves."""
    given = {"PORT": str(port)} if port is not None else {}
    text = _VARIABLE.sub(lambda match: given.get(match.group(1), match.group(2)), line(name))
    if interface is not None:
        text = text.replace(ANY_INTERFACE, interface)
    words = shlex.split(text)
    # `nice -n 10 celery ...`: the program is the first word that is not nice and its option.
    start = 3 if words[:2] == ["nice", "-n"] else 0
    program = words[start]
    if program in ("daphne", "celery"):
        words[start : start + 1] = [sys.executable, "-m", program]
    return words
