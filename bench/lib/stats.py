"""Percentiles, medians and spreads, the same way in every benchmark."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default, `inclusive` quantiles)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float | None]) -> float | None:
    """The median of the values present (None where nothing was measured)."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def spread(values: Sequence[float], digits: int = 2) -> str:
    """`median (lowest to highest)`, how repeated runs are reported."""
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f} to {max(values):.{digits}f})"


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def verdict(value: bool | None) -> str:
    return "not measured" if value is None else ("met" if value else "NOT met")


def repeated(values: Sequence[float | None]) -> dict[str, float] | None:
    """One figure over repeated runs: its median and its spread (lowest, highest)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return {"median": statistics.median(present), "min": min(present), "max": max(present), "runs": len(present)}
