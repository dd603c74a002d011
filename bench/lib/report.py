"""Results files: every benchmark writes its report as JSON under bench/results/ (git-ignored),
rewritten as it goes, so an interrupted run keeps what it measured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"


def write_json(path: Path, report: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")


def notes(note: str, errors: dict[str, int]) -> list[str]:
    """The notes of a table row: the measurement's own, then the errors counted, by kind."""
    found = [note] if note else []
    if errors:
        found.append(", ".join(f"{k}: {v}" for k, v in sorted(errors.items())))
    return found
