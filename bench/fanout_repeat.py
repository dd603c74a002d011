"""Repeated measurements of the closed-loop and handshake-rate modes: every kind of server once
per run, runs alternating (baseline, product, baseline, product...) so that a machine growing
busier favours neither; then each figure's median and spread (lowest to highest) over the runs,
and the product's share of the baseline run by run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any, TypeVar

from bench.lib.stats import repeated

Result = TypeVar("Result")


def alternate(kinds: Sequence[str], runs: int, measure: Callable[[str, int], Result]) -> dict[str, list[Result]]:
    """`measure(kind, run)` for every kind, run after run."""
    results: dict[str, list[Result]] = {kind: [] for kind in kinds}
    for run in range(1, runs + 1):
        for kind in kinds:
            results[kind].append(measure(kind, run))
    return results


def summarise(results: dict[str, list[Any]], figures: Sequence[str], share_of: str) -> dict[str, Any]:
    """Per kind, each of `figures` over the runs; per product kind, its `share_of` figure divided
    by the baseline's of the same run."""
    summary: dict[str, Any] = {
        kind: {figure: repeated([getattr(r, figure) for r in rows]) for figure in figures}
        for kind, rows in results.items()
    }
    baseline = results.get("baseline", [])
    for kind, rows in results.items():
        if kind == "baseline" or not baseline:
            continue
        shares = [
            getattr(mine, share_of) / getattr(theirs, share_of)
            for mine, theirs in zip(rows, baseline, strict=True)
            if getattr(mine, share_of) and getattr(theirs, share_of)
        ]
        summary[kind]["share_of_baseline"] = repeated(shares)
    return summary


def print_summary(summary: dict[str, Any], labels: dict[str, str], digits: dict[str, int]) -> None:
    """Median (lowest to highest) of each figure, a line per kind."""
    print("\nMedian of the runs (lowest to highest)")
    for kind, figures in summary.items():
        parts = []
        for figure, label in labels.items():
            value = figures.get(figure)
            if value is not None:
                d = digits.get(figure, 1)
                parts.append(f"{label} {value['median']:.{d}f} ({value['min']:.{d}f} to {value['max']:.{d}f})")
        share = figures.get("share_of_baseline")
        if share is not None:
            parts.append(f"{share['median']:.0%} of the baseline ({share['min']:.0%} to {share['max']:.0%})")
        print(f"  {kind:<9} " + "; ".join(parts))


def rows(results: dict[str, list[Any]]) -> dict[str, list[dict[str, Any]]]:
    return {kind: [asdict(r) for r in runs] for kind, runs in results.items()}
