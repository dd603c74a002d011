"""The fixed-rate mode's summary: the largest N each server held, its share of the baseline's,
and the channel layer chosen.

Targets: the largest N with p95 <= 500 ms for the better channel layer is at least half the
baseline's, with nothing lost. The layer with the larger N is chosen (ties: lower p95).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.fanout_fixed_rate import Options, StepResult, measure_kind
from bench.lib.report import write_json
from bench.lib.tenant import Target

TARGET_SHARE = 0.5


@dataclass
class KindSummary:
    kind: str
    largest: int | None  # largest N that held
    first_failed: int | None
    p95_at_largest: float | None
    deliveries_per_second_at_largest: float | None
    ratio: float | None  # largest / baseline's largest
    # The most deliveries per server CPU-second of any level, and the clients that would keep one
    # core busy at the run's rate: an upper bound, with no headroom for latency. It holds when
    # the server shares its core with other work, when the measured N does not.
    deliveries_per_cpu_second: float | None = None
    cpu_bound_clients: int | None = None
    starved: bool = False  # it failed with its core partly idle (see StepResult.server_starved)


def summarise(kind: str, results: list[StepResult], baseline: int | None, rate: float) -> KindSummary:
    held = [r for r in results if r.holds]
    efficiency = max((r.deliveries_per_cpu_second or 0 for r in results), default=0) or None
    failed = [r.clients for r in results if not r.holds]
    best = max(held, key=lambda r: r.clients) if held else None
    largest = best.clients if best else None
    ratio = largest / baseline if largest is not None and baseline else None
    return KindSummary(
        kind=kind,
        largest=largest,
        first_failed=min(failed) if failed else None,
        p95_at_largest=best.p95 if best else None,
        deliveries_per_second_at_largest=best.deliveries_per_second if best else None,
        ratio=ratio,
        deliveries_per_cpu_second=efficiency,
        cpu_bound_clients=round(efficiency / rate) if efficiency else None,
        starved=any(r.server_starved for r in results if r.clients == min(failed, default=0)),
    )


def compare_layers(results: dict[str, list[StepResult]]) -> list[tuple[int, float, float]]:
    """(N, core, pubsub) deliveries per CPU-second at every N both layers measured. The share of
    the core a server gets does not change these, so they compare the layers on a busy machine
    too (at the same N: the per-message cost is spread over the deliveries)."""
    core = {r.clients: r.deliveries_per_cpu_second for r in results.get("core", [])}
    pubsub = {r.clients: r.deliveries_per_cpu_second for r in results.get("pubsub", [])}
    return [(n, c, p) for n in sorted(set(core) & set(pubsub)) if (c := core[n]) and (p := pubsub[n])]


def print_layer_comparison(rows: list[tuple[int, float, float]]) -> None:
    if not rows:
        return
    print("Deliveries per CPU-second at the N both layers measured (core / pubsub)")
    print("  " + ", ".join(f"{n:,}: {c:,.0f} / {p:,.0f}" for n, c, p in rows))
    ratios = sorted(p / c for _, c, p in rows)
    print(f"  pubsub / core: median {ratios[len(ratios) // 2]:.2f} (from {ratios[0]:.2f} to {ratios[-1]:.2f})")


def choose_layer(summaries: dict[str, KindSummary]) -> str | None:
    layers = [s for k, s in summaries.items() if k != "baseline" and s.largest]
    if not layers:
        return None
    return max(layers, key=lambda s: (s.largest or 0, -(s.p95_at_largest or 0))).kind


def print_summary(summaries: dict[str, KindSummary], choice: str | None) -> None:
    print("\nLargest N with p95 <= 500 ms and nothing lost")
    for s in summaries.values():
        largest = "none" if s.largest is None else f"{s.largest:,}"
        failed = "" if s.first_failed is None else f" (failed at {s.first_failed:,})"
        ratio = "" if s.ratio is None else f", {s.ratio:.0%} of the baseline"
        rate = (
            ""
            if s.deliveries_per_second_at_largest is None
            else f", {s.deliveries_per_second_at_largest:,.0f} deliveries/s"
        )
        print(f"  {s.kind:<9} {largest}{failed}{ratio}{rate}")
    starved = [s for s in summaries.values() if s.starved]
    if starved:
        print(
            "Warning: "
            + ", ".join(s.kind for s in starved)
            + " failed with part of the core idle: other work was using the machine, so these N"
            " are understated. Compare the deliveries per CPU-second below, or run on a quiet machine."
        )
    print("Deliveries per second of server CPU (best level), and the N that would fill one core at this rate")
    for s in summaries.values():
        if s.deliveries_per_cpu_second and s.cpu_bound_clients:
            print(f"  {s.kind:<9} {s.deliveries_per_cpu_second:,.0f}/s, N about {s.cpu_bound_clients:,}")
    if choice is None:
        print("Layer choice: none held even the smallest level.")
    else:
        other = "pubsub" if choice == "core" else "core"
        if other in summaries:
            mine, theirs = summaries[choice], summaries[other]
            reason = "larger N" if (mine.largest or 0) > (theirs.largest or 0) else "same N, lower p95"
            print(f"Layer choice: {choice} ({reason} than {other})")
        else:
            print(f"Layer: {choice} (the other layer was not measured)")
        chosen = summaries[choice]
        baseline = summaries.get("baseline")
        if baseline is not None and baseline.largest and baseline.first_failed is None:
            print(
                f"Target: not judged: the baseline held every level up to {baseline.largest:,}, so its"
                " ceiling is higher (more --levels)"
            )
        elif chosen.ratio is not None:
            verdict = "MET" if chosen.ratio >= TARGET_SHARE else "NOT MET"
            print(f"Target: at least half the baseline's N with nothing lost: {verdict} ({chosen.ratio:.0%})")


def run_fixed_rate(kinds: list[str], levels: list[int], refine: int, target: Target, options: Options,
                   report: dict[str, Any], results_file: Path) -> int:  # fmt: skip
    """Every kind over the levels into `report` (written after each kind); returns 0: a missed
    target or a level that failed is a result, not a failure of the run."""
    print(
        f"==> {options.broadcasters} broadcasters, {options.rate:g} messages/s in all for {options.duration:g} s"
        " per level",
        flush=True,
    )
    report.update(results={}, summary={})
    summaries: dict[str, KindSummary] = {}
    measured: dict[str, list[StepResult]] = {}
    for kind in kinds:
        results = measure_kind(kind, levels, refine, target, options)
        measured[kind] = results
        report["results"][kind] = [
            {
                **asdict(r),
                "holds": r.holds,
                "server_starved": r.server_starved,
                "generator_saturated": r.generator_saturated,
            }
            for r in results
        ]
        baseline = summaries["baseline"].largest if "baseline" in summaries else None
        summaries[kind] = summarise(kind, results, baseline, options.rate)
        report["summary"] = {k: asdict(s) for k, s in summaries.items()}
        write_json(results_file, report)
    choice = choose_layer(summaries)
    print_summary(summaries, choice)
    comparison = compare_layers(measured)
    print_layer_comparison(comparison)
    report["layer_choice"] = choice
    report["layers_per_cpu_second"] = [{"clients": n, "core": c, "pubsub": p} for n, c, p in comparison]
    saturated = [f"{r.kind} {r.clients}" for rs in measured.values() for r in rs if r.generator_saturated]
    if saturated:
        print(f"The load generator was saturated at: {', '.join(saturated)}")
    return 0
