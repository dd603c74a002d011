"""The analytics benchmark's report: the tables, the ratios and the targets.

Targets: dashboard API p95 < 100 ms (every request measured); staff overview p95 < 300 ms at
1,000 tenants (every case measured); the hourly pass over 1,000 tenants, nothing new, < 10 s.
"""

from __future__ import annotations

import statistics
from typing import Any

from bench.lib.report import RESULTS_DIR
from bench.lib.stats import percentile, verdict

RESULTS_FILE = RESULTS_DIR / "analytics.json"
TARGET_API_P95_MS = 100.0
TARGET_STAFF_P95_MS = 300.0
TARGET_PASS_SECONDS = 10.0
TARGET_TENANTS = 1000


def summary(values: list[float]) -> dict[str, float]:
    """p50, p95, max and mean of milliseconds (or seconds), as every table here shows them."""
    return {
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def _api_rows(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    dashboard = report.get("web", {}).get("dashboard")
    if not dashboard:
        return {}
    return {name: row for name, row in dashboard["results"].items() if not name.startswith(("raw ", "reference"))}


def targets(report: dict[str, Any]) -> dict[str, bool | None]:
    """Each target: met, not met, or None when not measured (a target at 1,000 tenants is not
    judged on fewer)."""
    api = _api_rows(report)
    staff = report.get("web", {}).get("staff")
    at_scale = report.get("hourly_pass", {}).get("tenants", 0) >= TARGET_TENANTS
    api_p95 = max((row["p95"] for row in api.values()), default=None)
    staff_p95 = max((row["p95"] for row in staff["results"].values()), default=None) if staff else None
    return {
        "dashboard_api_p95_under_100ms": None if api_p95 is None else api_p95 < TARGET_API_P95_MS,
        "staff_overview_p95_under_300ms_at_1000": (
            None if staff_p95 is None or not at_scale else staff_p95 < TARGET_STAFF_P95_MS
        ),
        "hourly_pass_under_10s_at_1000": (
            None if not at_scale else report["hourly_pass"]["seconds"] < TARGET_PASS_SECONDS
        ),
    }


def unanswered(report: dict[str, Any]) -> int:
    """Requests answered with anything but 200 (a measurement with any is not one)."""
    web = report.get("web", {})
    tables = [web.get("dashboard", {}).get("results", {}), web.get("staff", {}).get("results", {})]
    return sum(
        n for rows in tables for row in rows.values() for status, n in row["statuses"].items() if status != "200"
    )


def print_table(title: str, rows: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title} (ms)")
    print(f"  {'case':<48} {'p50':>8} {'p95':>8} {'max':>8} {'mean':>8} {'n':>5}  statuses")
    for name, row in rows.items():
        statuses = ", ".join(f"{k}: {v}" for k, v in row["statuses"].items())
        print(
            f"  {name:<48} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['max']:>8.1f} {row['mean']:>8.1f}"
            f" {row['n']:>5}  {statuses}"
        )


def print_report(report: dict[str, Any]) -> None:
    big = report["big_tenant"]
    print(f"\nBig tenant: {big['messages']:,} messages over a year", end="")
    print(f" (seeded in {big['seed_seconds']:.0f}s)" if big["seed_seconds"] is not None else " (reused)")
    if "backfill" in report:
        backfill = report["backfill"]
        rows = ", ".join(f"{table.removeprefix('analytics_')} {n:,}" for table, n in backfill["rows"].items())
        print(f"Backfill of the year: {backfill['seconds']:.1f} s ({rows} rows)")
    first, hourly = report["first_fill"], report["hourly_pass"]
    per = first["per_tenant_ms"]
    print(
        f"First fill of {first['tenants']} tenants: {first['seconds']:.1f} s"
        f" (per tenant p50 {per['p50']:.1f} ms, p95 {per['p95']:.1f} ms, max {per['max']:.0f} ms)"
    )
    outcome = ", ".join(f"{k} {v}" for k, v in hourly["outcome"].items())
    print(
        f"Hourly pass an hour later, nothing new: {hourly['seconds']:.2f} s over {hourly['tenants']} tenants"
        f" ({hourly['per_tenant_ms']['mean']:.2f} ms a tenant; {outcome})"
    )

    unsynced = report["hourly_pass_async_commit"]
    print(
        f"The pass of the hour after with synchronous_commit off (comparison): {unsynced['seconds']:.2f} s"
        f" ({unsynced['per_tenant_ms']['mean']:.2f} ms a tenant)"
    )

    web = report.get("web", {})
    if "dashboard" in web:
        dashboard = web["dashboard"]
        print_table(
            f"Dashboard API, range={dashboard['range_days']}&interval={dashboard['interval']}, and raw counts",
            dashboard["results"],
        )
        print("\nRatio raw p95 / API p95:")
        for name, ratio in dashboard["ratios"].items():
            print(f"  {name:<48} {ratio:>8.1f}x")
    if "staff" in web:
        staff = web["staff"]
        print_table(f"Staff overview, {staff['tenants']} tenants", staff["results"])
        print(f"  sortable columns: {', '.join(staff['sortable_columns']) or 'none'}")

    t = report["targets"]
    print()
    if failed := unanswered(report):
        print(f"{failed} requests were not answered 200: see the statuses above and the server's log")
    print(f"Target dashboard API p95 < {TARGET_API_P95_MS:g} ms: {verdict(t['dashboard_api_p95_under_100ms'])}")
    print(
        f"Target staff overview p95 < {TARGET_STAFF_P95_MS:g} ms at {TARGET_TENANTS:,} tenants:"
        f" {verdict(t['staff_overview_p95_under_300ms_at_1000'])}"
    )
    print(
        f"Target hourly pass < {TARGET_PASS_SECONDS:g} s at {TARGET_TENANTS:,} tenants:"
        f" {verdict(t['hourly_pass_under_10s_at_1000'])}"
    )
    load = report["load_average"]
    print(f"Load average (1, 5, 15 min) at start {load['start']}, at end {load['end']}")
