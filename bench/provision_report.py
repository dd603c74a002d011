"""The provisioning benchmark's report: the table of levels, the baseline and ratio, the targets,
and the results file (rewritten after each level, so an interrupted run keeps what it measured).

Targets: p95 under 1 s at 1,000 tenants, and at least 50 times faster than the baseline.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from bench.lib.machine import load_average, machine_info, now
from bench.lib.report import RESULTS_DIR
from bench.lib.report import write_json as write_results
from bench.lib.stats import verdict
from bench.lib.webserver import ROOT
from bench.provision_levels import LevelResult

TARGET_P95_SECONDS = 1.0
TARGET_LEVEL = 1000
TARGET_RATIO = 50.0
RESULTS_FILE = RESULTS_DIR / "provision.json"


@dataclass
class Report:
    date: str
    complete: bool  # False while the run is in progress (the file is rewritten after each level)
    machine: dict[str, Any]
    database: str
    samples_per_level: int
    load_average: dict[str, list[float]]
    levels: list[LevelResult]
    fill_seconds: float
    baseline_seconds: float | None
    ratio: float | None
    ratio_level: int | None
    targets: dict[str, Any]


def previous_results(database: str) -> dict[int, LevelResult]:
    """Levels measured by earlier runs on `database`, from the results file (if any)."""
    try:
        data = json.loads(RESULTS_FILE.read_text())
    except (OSError, ValueError):
        return {}
    if data.get("database") != database:
        return {}
    names = {f.name for f in fields(LevelResult)}
    results = {}
    for item in data.get("levels", []):
        if item.get("status") in ("measured", "previous") and item.get("measured_on"):
            result = LevelResult(**{k: v for k, v in item.items() if k in names})
            results[result.level] = result
    return results


def targets(levels: list[LevelResult], ratio: float | None) -> dict[str, Any]:
    at_target = next((r for r in levels if r.level == TARGET_LEVEL and r.status == "measured"), None)
    p95 = at_target.p95 if at_target else None
    return {
        "p95_under_1s_at_1000": None if p95 is None else p95 < TARGET_P95_SECONDS,
        "ratio_at_least_50": None if ratio is None else ratio >= TARGET_RATIO,
    }


def print_report(report: Report) -> None:
    print()
    print(f"Provisioning a tenant (sign-up path), {report.samples_per_level} samples per level, seconds")
    print(
        f"{'tenants present':>16} {'p50':>7} {'p95':>7} {'max':>7} {'mean':>7}   {'clone':>7} {'hashing':>7} {'rest':>7}"
    )
    for r in report.levels:
        if r.status == "skipped":
            print(f"{r.level:>16} skipped: {r.note}")
            continue
        marker = "*" if r.status == "previous" else " "
        print(
            f"{r.present:>15}{marker} {r.p50:>7.3f} {r.p95:>7.3f} {r.max:>7.3f} {r.mean:>7.3f}"
            f"   {r.clone_mean:>7.3f} {r.hash_mean:>7.3f} {r.rest_mean:>7.3f}"
        )
    print("(clone: clone_template_into alone; hashing: make_password alone; rest: mean - clone - hashing)")
    for r in report.levels:
        if r.status == "previous":
            print(f"* measured on {r.measured_on} by an earlier run; {r.note}")
    print()
    if report.baseline_seconds is None:
        print("Baseline skipped (--skip-baseline): no ratio.")
    else:
        print(f"Baseline, migration-based creation: {report.baseline_seconds:.1f}s")
        if report.ratio is not None:
            print(f"Ratio baseline / p95 at {report.ratio_level} tenants: {report.ratio:.0f}x")
    print(
        f"Target p95 < {TARGET_P95_SECONDS:.0f} s at {TARGET_LEVEL:,} tenants: {verdict(report.targets['p95_under_1s_at_1000'])}"
    )
    print(f"Target ratio >= {TARGET_RATIO:.0f}: {verdict(report.targets['ratio_at_least_50'])}")
    load = report.load_average
    print(f"Load average (1, 5, 15 min) at start {load['start']}, at end {load['end']}; {report.machine['cpus']} CPUs")


def write_json(report: Report, *, quiet: bool = False) -> None:
    write_results(RESULTS_FILE, asdict(report))
    if not quiet:
        print(f"\nResults written to {RESULTS_FILE.relative_to(ROOT)}")


@dataclass
class Run:
    """What one run has measured so far."""

    database: str
    samples: int
    load_start: list[float]
    levels: list[LevelResult] = field(default_factory=list)
    fill_seconds: float = 0.0
    baseline: float | None = None


def build_report(run: Run, *, complete: bool) -> Report:
    """The report; the ratio only uses levels measured in this run, like the baseline."""
    measured = [r for r in run.levels if r.status == "measured"]
    ratio = ratio_level = None
    if run.baseline is not None and measured and measured[-1].p95:
        ratio, ratio_level = run.baseline / measured[-1].p95, measured[-1].level
    return Report(
        date=now(),
        complete=complete,
        machine=machine_info(),
        database=run.database,
        samples_per_level=run.samples,
        load_average={"start": run.load_start, "end": load_average()},
        levels=run.levels,
        fill_seconds=run.fill_seconds,
        baseline_seconds=run.baseline,
        ratio=ratio,
        ratio_level=ratio_level,
        targets=targets(run.levels, ratio),
    )
