"""The extraction benchmark's rounds, ratios, targets and printed report.

Targets: one worker within 10% of raw pdfminer.six (time to ready / pdfminer's time <= 1.10);
two worker processes at least 1.7 times faster than one; page 1 searchable within 2 s of the
upload (median); chat p95 during extraction within 1.5 times the idle p95.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.extract_input import Input, Timing
from bench.extract_platform import Extraction
from bench.extract_profile import PROFILE_PDFMINER, PROFILE_PLATFORM
from bench.lib.machine import load_average, machine_info, now
from bench.lib.report import RESULTS_DIR
from bench.lib.stats import fmt, median, verdict
from bench.lib.webserver import ROOT

TARGET_OVERHEAD = 1.10
TARGET_SPEEDUP = 1.7
TARGET_FIRST_PAGE = 2.0
TARGET_CHAT_P95_RATIO = 1.5


@dataclass
class Round:
    pdftotext: Timing
    pdfminer: Timing
    platform: dict[int, Extraction] = field(default_factory=dict)


def ratios(rounds: list[Round]) -> dict[str, float | None]:
    overhead = [
        r.platform[1].ready / r.pdfminer.seconds for r in rounds if 1 in r.platform and r.platform[1].ready is not None
    ]
    cpu_overhead = [r.platform[1].worker_cpu / r.pdfminer.cpu for r in rounds if 1 in r.platform and r.pdfminer.cpu]
    pool_overhead = [r.platform[1].pool_cpu / r.pdfminer.cpu for r in rounds if 1 in r.platform and r.pdfminer.cpu]
    speedup = [
        r.platform[1].ready / r.platform[2].ready
        for r in rounds
        if 1 in r.platform and 2 in r.platform and r.platform[1].ready and r.platform[2].ready
    ]
    return {
        "one_worker_over_pdfminer": median(overhead),
        "one_worker_cpu_over_pdfminer_cpu": median(cpu_overhead),
        "one_worker_pool_cpu_over_pdfminer_cpu": median(pool_overhead),
        "two_workers_speedup": median(speedup),
    }


def print_report(report: dict[str, Any]) -> None:
    pages = report["input"]["pages"]
    print(f"\nInput: {report['input']['description']}; {pages} pages, {report['input']['size']:,} bytes")
    print(f"Search probe word for page 1: {report['probe_word']!r}")
    print(
        f"\n{'median of ' + str(report['repeats']) + ' rounds':<40} {'seconds':>8} {'pages/s':>8} {'CPU s':>7}"
        f" {'pool CPU':>8} {'page 1 s':>9}"
    )
    base = report["baselines"]
    for name, key in (("pdftotext (poppler)", "pdftotext"), ("pdfminer.six, one extract_text call", "pdfminer")):
        row = base[key]
        print(f"  {name:<38} {fmt(row['seconds']):>8} {fmt(pages / row['seconds'], 1):>8} {fmt(row['cpu']):>7}")
    here = base.get("pdfminer_in_django_process")
    if here:
        print(
            f"  {'pdfminer.six, in a process with Django':<38} {fmt(here['seconds']):>8}"
            f" {fmt(pages / here['seconds'], 1):>8} {fmt(here['cpu']):>7}  (once)"
        )
    per_page = base.get("pdfminer_per_page")
    if per_page:
        print(
            f"  {'pdfminer.six, extract_text per page':<38} {fmt(per_page['seconds']):>8}"
            f" {fmt(pages / per_page['seconds'], 1):>8} {fmt(per_page['cpu']):>7}  (once)"
        )
    for workers, row in report["platform"].items():
        name = f"platform, {workers} worker process{'es' if int(workers) > 1 else ''}"
        print(
            f"  {name:<38} {fmt(row['ready']):>8} {fmt(row['pages_per_second'], 1):>8}"
            f" {fmt(row['worker_cpu']):>7} {fmt(row['pool_cpu']):>8} {fmt(row['first_page']):>9}"
        )
    print("  (platform seconds: from the upload action's call until the document is ready;")
    print("   CPU s: all the worker's processes; pool CPU: its pool processes, where tasks run;")
    print("   page 1 s: until search finds page 1)")
    r = report["ratios"]
    t = report["targets"]
    print("\nRatios (median of the rounds' ratios)")
    print(
        f"  one worker / raw pdfminer.six (wall):   {fmt(r['one_worker_over_pdfminer'], 3)}"
        f"  target <= {TARGET_OVERHEAD:.2f}: {verdict(t['overhead_within_10_percent'])}"
    )
    print(
        f"  one worker / raw pdfminer.six (CPU):    {fmt(r['one_worker_cpu_over_pdfminer_cpu'], 3)}"
        f"  (pool processes alone: {fmt(r['one_worker_pool_cpu_over_pdfminer_cpu'], 3)})"
    )
    print(
        f"  two workers speed-up over one:          {fmt(r['two_workers_speedup'], 2)}x"
        f"  target >= {TARGET_SPEEDUP}: {verdict(t['two_workers_1_7x'])}"
    )
    first = report["first_page"]
    print(
        f"  page 1 searchable after (median, max):  {fmt(first['median'])} s, {fmt(first['max'])} s"
        f"  target <= {TARGET_FIRST_PAGE:.0f} s: {verdict(t['first_page_within_2s'])}"
    )
    pdftotext_pps = pages / base["pdftotext"]["seconds"]
    two = report["platform"].get("2", {}).get("pages_per_second")
    if two:
        print(f"  pdftotext / platform with two workers:  {pdftotext_pps / two:.1f}x faster")
    for key in ("chat", "chat_unniced"):
        chat = report.get(key)
        if not chat:
            continue
        nice = f", workers at nice {chat['worker_nice']}" if chat["worker_nice"] else ", workers not niced"
        print(f"\nChat round trip (message.send until its own message.new{nice}), ms")
        for phase in ("idle", "extracting"):
            row = chat[phase]
            if row:
                print(
                    f"  {phase:<12} p50 {row['p50_ms']:>8.1f}  p95 {row['p95_ms']:>8.1f}  max {row['max_ms']:>8.1f}"
                    f"  n {row['n']}"
                )
        line = f"  p95 during extraction / idle: {fmt(chat['p95_ratio'])}"
        if key == "chat":
            line += f"  target <= {TARGET_CHAT_P95_RATIO}: {verdict(t['chat_p95_within_1_5x'])}"
        print(line)
        if chat["lost"] or chat["errors"]:
            print(f"  lost: {chat['lost']}, error frames: {chat['errors']}")
        during = [e["ready"] for e in chat["extractions"] if e["ready"]]
        if during:
            print(f"  extraction (two workers) with daphne and the chat running: {fmt(median(during))} s (median)")
    profile = report.get("profile")
    if profile and "profiled_seconds" in profile:
        total = profile["profiled_seconds"] or 1.0
        print(f"\nProfile of one one-worker extraction (cProfile in the pool process; {total:.2f} s in tasks)")
        for key, label, _path, _name in PROFILE_PDFMINER:
            seconds = profile["pdfminer"][key]
            print(f"  {label:<50} {seconds:>7.2f} s  {seconds / total:>6.1%}")
        outside = profile["outside_pdfminer"]
        print(f"  {'everything else in the tasks':<50} {outside:>7.2f} s  {outside / total:>6.1%}")
        for key, label, _path, _name in PROFILE_PLATFORM:
            seconds = profile["platform"][key]
            print(f"    {label:<48} {seconds:>7.2f} s  {seconds / total:>6.1%}")
        print("    (these overlap: storing a page may finish the document, and finishing announces it)")
        print(f"  full listing: {(RESULTS_DIR / 'extract-profile.txt').relative_to(ROOT)}")
    print(
        f"\nLoad average at start {report['load_average']['start']}, at end {report['load_average']['end']};"
        f" {report['machine']['cpus']} CPUs"
    )


def build_report(args: argparse.Namespace, document: Input, word: str, rounds: list[Round], per_page: Timing | None,
                 here: Timing | None, load_start: list[float]) -> dict[str, Any]:  # fmt: skip
    platform: dict[str, dict[str, Any]] = {}
    for workers in (1, 2):
        runs = [r.platform[workers] for r in rounds if workers in r.platform]
        if runs:
            platform[str(workers)] = {
                "ready": median([e.ready for e in runs]),
                "first_page": median([e.first_page for e in runs]),
                "pages_per_second": median([e.pages_per_second for e in runs]),
                "worker_cpu": median([e.worker_cpu for e in runs]),
                "pool_cpu": median([e.pool_cpu for e in runs]),
                "runs": [asdict(e) for e in runs],
            }
    first_pages = [e.first_page for r in rounds for e in r.platform.values() if e.first_page is not None]
    computed = ratios(rounds)
    overhead, speedup = computed["one_worker_over_pdfminer"], computed["two_workers_speedup"]
    first_median = median(first_pages)
    return {
        "date": now(),
        "machine": machine_info(),
        "load_average": {"start": load_start, "end": load_average()},
        "input": {**asdict(document), "path": str(document.path)},
        "probe_word": word,
        "repeats": len(rounds),
        "baselines": {
            "pdftotext": {
                "seconds": median([r.pdftotext.seconds for r in rounds]),
                "cpu": median([r.pdftotext.cpu for r in rounds]),
                "runs": [asdict(r.pdftotext) for r in rounds],
            },
            "pdfminer": {
                "seconds": median([r.pdfminer.seconds for r in rounds]),
                "cpu": median([r.pdfminer.cpu for r in rounds]),
                "runs": [asdict(r.pdfminer) for r in rounds],
            },
            "pdfminer_per_page": asdict(per_page) if per_page else None,
            "pdfminer_in_django_process": asdict(here) if here else None,
        },
        "platform": platform,
        "first_page": {"median": first_median, "max": max(first_pages) if first_pages else None},
        "ratios": computed,
        "targets": {
            "overhead_within_10_percent": None if overhead is None else overhead <= TARGET_OVERHEAD,
            "two_workers_1_7x": None if speedup is None else speedup >= TARGET_SPEEDUP,
            "first_page_within_2s": None if first_median is None else first_median <= TARGET_FIRST_PAGE,
            "chat_p95_within_1_5x": None,
        },
    }
