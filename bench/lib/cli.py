"""Command-line values the benchmarks share."""

from __future__ import annotations

import argparse


def parse_counts(value: str) -> list[int]:
    """`10,100,1000`: positive whole numbers, sorted, each once (levels of a run)."""
    try:
        counts = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError("levels are comma-separated whole numbers") from exc
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError("levels must be positive")
    return counts
