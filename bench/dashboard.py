"""Monitoring dashboard queries at national scale: rollups against naive aggregation over the raw tables.

    .venv/bin/python bench/dashboard.py [--database-url postgres://…/satuatap_national] [--repeat 20]
                                        [--output bench/results/dashboard.json]

Needs the data of bench/national_data.py. Brings the rollups up to date (`monitoring-rollup`: the time of that
run is reported; the first run counts everything), then times each main query of the national and province
statistics pages --repeat times from the rollups and the same number of times directly from the raw tables
(cases, workers, job-order links) in the same run, checks both give the same numbers, and prints p50 / p95 and
the ratio raw ÷ rollup. The "page" rows are every placement table of the statistics page together (what one
page view asks).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Python puts this script's directory first on sys.path; bench/queue.py would then shadow the standard library's
# `queue` (which psycopg and tqdm import). Only the repository's packages are needed from here.
# ruff: noqa: E402 (the imports below must come after the sys.path fix)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/satuatap_national"
TARGET_P95_MS = 300.0


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("NATIONAL_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--raw-repeat", type=int, default=None, help="repeats of the raw queries (default: --repeat)")
    parser.add_argument("--output", default=str(BENCH_DIR / "results" / "dashboard.json"))
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satuatap.config.settings")
    import django

    django.setup()
    from django.db import connection

    from satuatap.journey.models import Case, Event
    from satuatap.monitoring import selectors, services
    from satuatap.monitoring.models import PlacementMonthly, RegionMonthly

    t0 = time.perf_counter()
    services.rollup_run(lag=dt.timedelta(0))
    rollup_first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    services.rollup_run(lag=dt.timedelta(0))
    rollup_noop_s = time.perf_counter() - t0

    year = Case.objects.order_by("-opened_at").values_list("opened_at", flat=True).first().year - 1
    national = selectors.StatsFilter(year=year)
    province = selectors.StatsFilter(year=year, region="35")
    queries = [
        ("national by country", national, "country"),
        ("national by job", national, "job"),
        ("national by province", national, "province"),
        ("national by sex", national, "sex"),
        ("national by scheme", national, "scheme"),
        ("national by month", national, "month"),
        ("province 35 by regency", province, "regency"),
        ("province 35 by country", province, "country"),
        ("national HK women by month", selectors.StatsFilter(year=year, country="HK", sex="P"), "month"),
    ]
    raw_repeat = args.raw_repeat or args.repeat
    rows = []
    mismatches = []

    def timed(fn, n):
        times = []
        result = None
        for _ in range(n):
            start = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - start) * 1000)
        return times, result

    for name, f, dim in queries:
        fast, a = timed(lambda f=f, dim=dim: selectors.placement_table(f=f, dim=dim), args.repeat)
        slow, b = timed(lambda f=f, dim=dim: selectors.placement_table(f=f, dim=dim, source="raw"), raw_repeat)
        b = {k: v for k, v in b.items() if any(v.values())}
        if a != b:
            mismatches.append(name)
        rows.append({"query": name, "rollup_p50_ms": statistics.median(fast), "rollup_p95_ms": _pct(fast, 95),
                     "raw_p50_ms": statistics.median(slow), "raw_p95_ms": _pct(slow, 95), "equal": a == b})

    def page(source: str, f=national):
        return selectors.placement_tables(f=f, dims=selectors.PLACEMENT_TABLES, source=source)

    for label, f in (("page: national statistics", national), ("page: province 35 statistics", province)):
        fast, a = timed(lambda f=f: page("rollup", f), args.repeat)
        slow, b = timed(lambda f=f: page("raw", f), max(3, raw_repeat // 4))
        b = {d: {k: v for k, v in t.items() if any(v.values())} for d, t in b.items()}
        if a != b:
            mismatches.append(label)
        rows.append({"query": label, "rollup_p50_ms": statistics.median(fast), "rollup_p95_ms": _pct(fast, 95),
                     "raw_p50_ms": statistics.median(slow), "raw_p95_ms": _pct(slow, 95), "equal": a == b})

    # The office head's dashboard of the busiest office (office-scoped reads of the raw tables and OfficeDaily).
    from django.db.models import Count

    from satuatap.accounts.models import Role, User

    busiest = Case.objects.values("office_id").annotate(n=Count("id")).order_by("-n").first()["office_id"]
    admin = User.objects.filter(role=Role.ADMIN).first()
    if admin is None:
        admin = User.objects.create(username="bench.monitoring.admin", role=Role.ADMIN)
    board, _ = timed(lambda: selectors.office_dashboard(user=admin, office_code=busiest), args.repeat)
    office_row = {"query": f"office dashboard {busiest}", "p50_ms": statistics.median(board),
                  "p95_ms": _pct(board, 95)}

    # The whole statistics page as a national monitor gets it (in-process request: every query, labels, charts,
    # template), with no filter and with a province filter.
    from django.test import Client

    monitor = User.objects.filter(username="bench.monitoring.national").first()
    if monitor is None:
        monitor = User.objects.create(username="bench.monitoring.national", role=Role.MONITOR)
    client = Client()
    client.force_login(monitor)
    pages = []
    for label, url in (("GET statistics page (national)", f"/monitoring/statistics/?year={year}"),
                       ("GET statistics page (province 35)", f"/monitoring/statistics/?year={year}&province=35")):
        assert client.get(url).status_code == 200
        times, _ = timed(lambda url=url: client.get(url), args.repeat)
        pages.append({"query": label, "p50_ms": statistics.median(times), "p95_ms": _pct(times, 95)})

    print(f"PostgreSQL {connection.pg_version}, year {year}; cases {Case.objects.count():,}, "
          f"events {Event.objects.count():,}; rollup rows: placement {PlacementMonthly.objects.count():,}, "
          f"regency {RegionMonthly.objects.count():,}")
    print(f"rollup: first run {rollup_first_s:.1f} s, incremental run with nothing new {rollup_noop_s * 1000:.0f} ms")
    print(f"{'query':<32}{'rollup p50':>11}{'p95':>9}{'raw p50':>10}{'p95':>9}{'raw/rollup p95':>16}  equal")
    for r in rows:
        r["ratio_p95"] = r["raw_p95_ms"] / r["rollup_p95_ms"] if r["rollup_p95_ms"] else None
        print(f"{r['query']:<32}{r['rollup_p50_ms']:>9.1f}ms{r['rollup_p95_ms']:>7.1f}ms{r['raw_p50_ms']:>8.1f}ms"
              f"{r['raw_p95_ms']:>7.1f}ms{r['ratio_p95']:>15.1f}×  {r['equal']}")
    for r in (office_row, *pages):
        print(f"{r['query']:<36}p50 {r['p50_ms']:>7.1f}ms  p95 {r['p95_ms']:>7.1f}ms")
    worst = max(r["p95_ms"] for r in pages)
    print(f"statistics page p95 {worst:.1f} ms, whole request (target < {TARGET_P95_MS:.0f} ms): "
          f"{'met' if worst < TARGET_P95_MS else 'NOT met'}")
    if mismatches:
        print("MISMATCH between rollup and raw:", ", ".join(mismatches))
    result = {
        "database": args.database_url.rpartition("/")[2], "year": year, "cases": Case.objects.count(),
        "events": Event.objects.count(), "rollup_first_run_s": rollup_first_s, "rollup_noop_run_s": rollup_noop_s,
        "repeat": args.repeat, "raw_repeat": raw_repeat, "queries": rows, "office_dashboard": office_row,
        "pages": pages,
        "page_p95_ms": worst,
        "target_p95_ms": TARGET_P95_MS, "mismatches": mismatches,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load_avg": os.getloadavg()},
    }
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
