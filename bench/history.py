"""History pages and message search with a million messages in one tenant.

What is measured
    One tenant, one room holding `--messages` (1,000,000) messages of twelve words each, from a
    controlled vocabulary: one word ("project") is in about 70% of the messages (common), one
    ("harbor") in about 1% (medium), and one ("zeppelin") in exactly 10 (rare); the other words
    are drawn uniformly from 4,096 made-up words. Then VACUUM ANALYZE, as autovacuum would have
    done on a live table.

    History, through chat.selectors.history (what the API and the socket call), `--samples`
    times each, interleaved: the first page (the newest 50 messages), and a keyset page deep in
    history (`before` = the message 90% of the way back, `--depth`). The baseline, in the same
    run: the same page fetched with OFFSET at the same depth (same query otherwise),
    `--offset-samples` times, since each takes long. Each is timed for the selector call
    (query, prefetches, model instances) and for its SQL alone.

    Search, through chat.search.search_messages (what /api/search/ calls: parsing, the readable
    rooms, the planner's estimate, ranking, the page's messages and snippets), `--samples` times
    for each word, interleaved. For reference, a few samples of the plan NOT chosen for the
    rare and the common word (the traps of ARCHITECTURE.md).

    Targets: deep keyset page <= 1.5 x the first page; search p95 < 50 ms for the rare word and
    <= 3 x that for the common word.

How to run
    make bench-history                          # a million messages (the first run fills, ~3 min)
    make bench-history ARGS="--messages 20000 --samples 30"     # quick iteration

The script never touches the database named in DATABASE_URL: it works in its own database on the
same server, `<name>_bench_history`, which it keeps between runs with the filled tenant (the
first run migrates it, about two minutes because of dj-stripe). The room is refilled only when
it does not hold exactly `--messages` messages, or with `--refill` (after a migration rewrote
every row, say, which leaves the table twice its size and its rows out of id order, as no live
table is); `--fresh` drops and recreates the database.
Results are printed and written to bench/results/history.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.history_fill import (  # noqa: E402
    COMMON,
    MEDIUM,
    RARE,
    build_search_index,
    fill,
    message_count,
    tenant_and_room,
    vacuum_analyze,
)
from bench.lib.database import open_bench_database  # noqa: E402
from bench.lib.machine import load_average, machine_info, machine_line, now  # noqa: E402
from bench.lib.report import RESULTS_DIR, write_json  # noqa: E402
from bench.lib.stats import percentile, verdict  # noqa: E402

DB_SUFFIX = "_bench_history"
PAGE = 50
TARGET_DEEP_RATIO = 1.5
TARGET_RARE_P95_MS = 50.0
TARGET_COMMON_RATIO = 3.0
RESULTS_FILE = RESULTS_DIR / "history.json"


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def sql_timer(queryset: Any) -> Callable[[], Any]:
    """Run the SQL Django generates for `queryset`, and nothing else."""
    from django.db import connection

    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()

    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(samples, 0.50), 3),
        "p95": round(percentile(samples, 0.95), 3),
        "max": round(max(samples), 3),
        "mean": round(statistics.fmean(samples), 3),
        "n": len(samples),
    }


def measure_interleaved(
    cases: Mapping[str, Callable[[], Any]], samples: int, warmup: int = 3
) -> dict[str, dict[str, float]]:
    """Each case `samples` times, round-robin, so all see the same load; after a warm-up."""
    for call in cases.values():
        for _ in range(warmup):
            call()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(samples):
        for name, call in cases.items():
            times[name].append(timed(call))
    return {name: summary(values) for name, values in times.items()}


def measure_history(room: Any, messages: int, depth: float, samples: int, slow_samples: int) -> dict[str, Any]:
    from chat.models import Message
    from chat.payloads import with_related
    from chat.selectors import history

    offset = int(messages * depth)
    deep_before = (
        Message.objects.filter(room=room).order_by("-id").values_list("id", flat=True)[offset - 1 : offset].get()
    )
    newest_first = Message.objects.filter(room=room).select_related("author").order_by("-id")
    cases = {
        "first page": lambda: list(history(room, limit=PAGE)),
        "deep keyset page": lambda: list(history(room, before=deep_before, limit=PAGE)),
        # The page's own query alone (without the prefetches and model instances).
        "first page, SQL": sql_timer(newest_first[:PAGE]),
        "deep keyset page, SQL": sql_timer(newest_first.filter(pk__lt=deep_before)[:PAGE]),
    }
    # The baseline takes long at depth: fewer samples, interleaved among themselves.
    baseline = {
        "deep OFFSET page": lambda: list(
            with_related(Message.objects.filter(room=room).order_by("-id"))[offset : offset + PAGE]
        ),
        "deep OFFSET page, SQL": sql_timer(newest_first[offset : offset + PAGE]),
    }
    # The pages really are the same rows, and really that deep.
    keyset_ids = [m.pk for m in history(room, before=deep_before, limit=PAGE)]
    offset_ids = [m.pk for m in Message.objects.filter(room=room).order_by("-id")[offset : offset + PAGE]]
    assert keyset_ids == offset_ids, "keyset and OFFSET pages differ"
    results = measure_interleaved(cases, samples)
    results.update(measure_interleaved(baseline, slow_samples, warmup=1))
    return {"depth": offset, "results": results}


def measure_search(owner: Any, samples: int, slow_samples: int) -> dict[str, Any]:
    from chat.search import NEWEST, RANK, search_messages

    words = {"rare": RARE, "medium": MEDIUM, "common": COMMON}
    chosen: dict[str, dict[str, Any]] = {}
    found = {}
    for kind, word in words.items():
        page = search_messages(owner, word)
        chosen[kind] = {"plan": page.plan, "estimated": page.estimated}
        found[kind] = len(page.hits)
    cases = {f"{kind} ({word})": partial(search_messages, owner, word) for kind, word in words.items()}
    results = measure_interleaved(cases, samples)
    other = {RANK: NEWEST, NEWEST: RANK}
    rare_other, common_other = other[chosen["rare"]["plan"]], other[chosen["common"]["plan"]]
    slow = {
        f"rare, {rare_other} plan": lambda: search_messages(owner, RARE, plan=rare_other),
        f"common, {common_other} plan": lambda: search_messages(owner, COMMON, plan=common_other),
    }
    reference = measure_interleaved(slow, slow_samples, warmup=1)
    return {"chosen": chosen, "hits_on_first_page": found, "results": results, "other_plan": reference}


def print_table(title: str, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{title} (ms)")
    print(f"  {'case':<32} {'p50':>9} {'p95':>9} {'max':>9} {'mean':>9} {'n':>5}")
    for name, row in rows.items():
        print(
            f"  {name:<32} {row['p50']:>9.3f} {row['p95']:>9.3f} {row['max']:>9.3f} {row['mean']:>9.3f} {row['n']:>5}"
        )


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000, help="messages in the room (default 1,000,000)")
    parser.add_argument("--samples", type=int, default=200, help="samples per case (default 200)")
    parser.add_argument("--offset-samples", type=int, default=20, help="samples of the OFFSET baseline (default 20)")
    parser.add_argument("--slow-samples", type=int, default=5, help="samples of each plan not chosen (default 5)")
    parser.add_argument("--depth", type=float, default=0.9, help="how far back the deep page is (default 0.9)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database")
    parser.add_argument("--refill", action="store_true", help="refill the room even if it holds --messages")
    args = parser.parse_args(argv)
    if args.messages < 1000:
        parser.error("--messages must be at least 1000")
    if not 0 < args.depth < 1:
        parser.error("--depth is a fraction between 0 and 1")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    database = open_bench_database(DB_SUFFIX, "bench-history", fresh=args.fresh)
    client, owner, room = tenant_and_room()
    present = message_count(room)
    fill_seconds = None
    if present != args.messages or args.refill:
        print(f"==> Filling the room with {args.messages:,} messages ({present:,} present) ...", flush=True)
        fill_seconds = fill(client.schema_name, room, owner, args.messages)
        print(f"    ({fill_seconds:.1f}s)", flush=True)
    else:
        print(f"==> Reusing the room's {present:,} messages", flush=True)
        build_search_index()
        vacuum_analyze()

    load_start = load_average()
    print(f"==> {machine_line(load_start)}", flush=True)
    print(f"==> History ({args.samples} samples per case) ...", flush=True)
    history_results = measure_history(room, args.messages, args.depth, args.samples, args.offset_samples)
    print(f"==> Search ({args.samples} samples per word) ...", flush=True)
    search_results = measure_search(owner, args.samples, args.slow_samples)
    load_end = load_average()

    h = history_results["results"]
    s = search_results["results"]
    deep_ratio = h["deep keyset page"]["p50"] / h["first page"]["p50"]
    deep_ratio_sql = h["deep keyset page, SQL"]["p50"] / h["first page, SQL"]["p50"]
    offset_ratio = h["deep OFFSET page"]["p50"] / h["deep keyset page"]["p50"]
    rare_p95 = s[f"rare ({RARE})"]["p95"]
    common_p95 = s[f"common ({COMMON})"]["p95"]
    common_ratio = common_p95 / rare_p95
    report = {
        "date": now(),
        "machine": machine_info(),
        "database": database,
        "messages": args.messages,
        "samples": args.samples,
        "fill_seconds": fill_seconds,
        "load_average": {"start": load_start, "end": load_end},
        "history": history_results,
        "search": search_results,
        "ratios": {
            "deep_keyset_over_first_p50": round(deep_ratio, 3),
            "deep_keyset_over_first_p50_sql": round(deep_ratio_sql, 3),
            "offset_over_deep_keyset_p50": round(offset_ratio, 2),
            "common_over_rare_p95": round(common_ratio, 3),
        },
        "targets": {
            "deep_page_within_1.5x": deep_ratio <= TARGET_DEEP_RATIO,
            "rare_p95_under_50ms": rare_p95 < TARGET_RARE_P95_MS,
            "common_p95_within_3x_rare": common_ratio <= TARGET_COMMON_RATIO,
        },
    }

    print(f"\n{args.messages:,} messages in one room; deep page {history_results['depth']:,} messages back")
    print_table("History, 50 messages a page", h)
    plans = ", ".join(f"{k}: {v['plan']} (estimated {v['estimated']:,})" for k, v in search_results["chosen"].items())
    print(f"\nSearch plans chosen: {plans}")
    print_table("Search, through chat.search.search_messages", s)
    print_table("Search with the plan not chosen (reference)", search_results["other_plan"])
    print("\nRatios")
    print(
        f"  deep keyset / first page (p50):        {deep_ratio:.2f}  (SQL alone {deep_ratio_sql:.2f})  target <= 1.5: {verdict(deep_ratio <= TARGET_DEEP_RATIO)}"
    )
    print(f"  deep OFFSET / deep keyset (p50):       {offset_ratio:.1f}x")
    print(
        f"  rare word p95:                         {rare_p95:.2f} ms  target < 50 ms: {verdict(rare_p95 < TARGET_RARE_P95_MS)}"
    )
    print(
        f"  common word p95 / rare word p95:       {common_ratio:.2f}  target <= 3: {verdict(common_ratio <= TARGET_COMMON_RATIO)}"
    )
    print(f"  load average start {load_start}, end {load_end}")
    write_json(RESULTS_FILE, report)
    print(f"\nWritten to {RESULTS_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
