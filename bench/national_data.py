"""Ten years of national data on PostgreSQL for the monitoring benchmark (bench/dashboard.py).

    .venv/bin/python bench/national_data.py [--scale 1.0] [--database-url postgres://…/satuatap_national]
                                            [--fresh] [--part 10000] [--seed 2026]

--scale 1.0 is about 3 million cases and 40 million journey events from workers of the 514 regencies, at 50
offices (the 6 reference offices and 44 bench offices), over ten years up to yesterday; --scale 0.01 is a
thirtieth of a minute's work for development.

1. Creates the database if missing (dropped first with --fresh), runs `satuatap migrate` and
   `satuatap load-reference`, loads the placement job titles, and adds the bench offices and one legal job order
   per destination and job (idempotent).
2. Writes the rows of `satuatap.monitoring.generate` (workers, cases, steps, events, job-order links) with COPY,
   one transaction per part of --part cases; finished parts are recorded in `bench_national_parts`, so a run
   that stops resumes where it was. A tqdm bar shows cases written.
3. Moves the id sequences past the rows written, ANALYZEs, prints the row counts and writes
   bench/results/national_data.json. Then run `satuatap monitoring-rollup` (or bench/dashboard.py, which does).
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
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from tqdm import tqdm

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/satuatap_national"
FULL_CASES = 3_000_000
YEARS = 10
OFFICES = 50
PREFIX = "NAT"
# Destination → jobs offered there (one bench job order each).
JOBS = {
    "HK": ["DOMESTIC_WORKER", "CHILD_CARER"], "TW": ["ELDERLY_CARER", "FACTORY_OPERATOR", "FISHING_CREW"],
    "MY": ["FACTORY_OPERATOR", "FARM_WORKER", "DOMESTIC_WORKER"], "JP": ["CAREGIVER_NURSING", "WELDER"],
    "SG": ["DOMESTIC_WORKER"], "KR": ["FACTORY_OPERATOR", "FISHING_CREW"], "SA": ["NURSE", "HOSPITALITY_STAFF"],
    "BN": ["DOMESTIC_WORKER"], "AE": ["HOSPITALITY_STAFF"], "IT": ["SEAFARER"], "DE": ["NURSE"],
    "PL": ["WELDER"], "TR": ["SEAFARER"], "QA": ["HOSPITALITY_STAFF"], "KW": ["NURSE"],
}
TABLES = (  # generator chunk attribute, table
    ("workers", "registry_worker"), ("cases", "journey_case"), ("steps", "journey_step"),
    ("events", "journey_event"), ("links", "placement_joborderlink"),
)


def _admin_url(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    return f"{base}/postgres", name.split("?")[0]


def ensure_database(url: str, *, fresh: bool) -> None:
    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare_schema(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([str(BIN / "satuatap"), "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([str(BIN / "satuatap"), "load-reference", "--quiet"], env=env, check=True)


def setup_reference() -> list[str]:
    """Bench offices (up to 50 in all) and one legal job order per destination and job; returns their numbers."""
    from satuatap.placement import services as placement_services
    from satuatap.placement.models import Company, Employer, JobOrder, JobTitle
    from satuatap.reference.models import Agency, Office, Region

    placement_services.placement_reference_load()
    existing = Office.objects.count()
    taken = set(Office.objects.values_list("regency_id", flat=True))
    # Busy sending regencies first (East / Central / West Java, NTB, Lampung …), then one per other province.
    regencies = list(Region.objects.filter(level=2).order_by("code").values_list("code", flat=True))
    busy = [r for r in regencies if r[:2] in ("35", "33", "32", "52", "18", "53", "12", "73") and r not in taken]
    order = busy[::3] + [r for r in regencies if r not in taken and r not in busy[::3]]
    agencies = list(Agency.objects.all())
    n = 0
    while existing + n < OFFICES and order:
        regency = order.pop(0)
        code = f"{PREFIX}-{regency.replace('.', '')}"
        office, created = Office.objects.get_or_create(
            code=code, defaults={"name": f"LTSA Bench {regency}", "regency_id": regency})
        if created:
            # Some offices lack the immigration or police desk, as in the field.
            missing = {"IMIGRASI"} if n % 5 == 0 else {"POLRI", "IMIGRASI"} if n % 7 == 0 else set()
            office.desks.set([a for a in agencies if a.code not in missing])
        n += 1
    today = dt.date.today()
    numbers = []
    company, _ = Company.objects.get_or_create(
        licence_number=f"SIP3MI/{PREFIX}", defaults={
            "name": "PT Bench Nasional", "licence_valid_from": dt.date(2010, 1, 1),
            "licence_valid_to": dt.date(today.year + 5, 1, 1), "status": "active"})
    for country, jobs in JOBS.items():
        employer, _ = Employer.objects.get_or_create(name=f"Bench employer {country}", country_id=country,
                                                     defaults={"city": "-", "type": "company"})
        for job in jobs:
            number = f"{PREFIX}-JO-{country}-{job}"
            title = JobTitle.objects.get(pk=job)
            JobOrder.objects.get_or_create(number=number, defaults={
                "company": company, "employer": employer, "sector": title.sector, "job_title": title,
                "positions": 10_000_000, "salary": 1000, "currency": "USD", "contract_months": 24,
                "valid_from": dt.date(2010, 1, 1), "valid_to": dt.date(today.year + 5, 1, 1), "attested": True,
                "status": "active"})
            numbers.append(number)
    return numbers


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in COPY's text format (formatted here in bulk: write_row's per-value adaptation is slower)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):  # datetimes are aware: isoformat keeps the offset
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def write_part(conn: psycopg.Connection, chunks, ids) -> dict[str, int]:
    counts = dict.fromkeys([t for _, t in TABLES], 0)
    for chunk in chunks:
        for attr, table in TABLES:
            rows = getattr(chunk, attr)
            if not rows:
                continue
            cols = list(rows[0])
            stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in cols))
            with conn.cursor().copy(stmt) as copy:
                for i in range(0, len(rows), 20_000):
                    block = "".join("\t".join(_copy_text(row[c]) for c in cols) + "\n" for row in rows[i:i + 20_000])
                    copy.write(block.encode())
            counts[table] += len(rows)
    return counts


def _next_ids(conn: psycopg.Connection):
    from satuatap.monitoring import generate

    def nxt(table: str) -> int:
        return conn.execute(sql.SQL("SELECT COALESCE(MAX(id), 0) + 1 FROM {}").format(sql.Identifier(table))
                            ).fetchone()[0]

    return generate.Ids(worker=nxt("registry_worker"), case=nxt("journey_case"), step=nxt("journey_step"),
                        event=nxt("journey_event"), link=nxt("placement_joborderlink"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url", default=os.environ.get("NATIONAL_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--part", type=int, default=10_000, help="cases per transaction")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", default=str(RESULTS / "national_data.json"))
    args = parser.parse_args()
    started = time.monotonic()
    ensure_database(args.database_url, fresh=args.fresh)
    prepare_schema(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satuatap.config.settings")
    import django

    django.setup()
    from satuatap.monitoring import generate
    from satuatap.monitoring import selectors as monitoring_selectors

    numbers = setup_reference()
    universe = monitoring_selectors.generation_universe(job_order_numbers=numbers)
    total = int(FULL_CASES * args.scale)
    parts = max(1, -(-total // args.part))
    last_day = dt.date.today() - dt.timedelta(days=1)
    first_day = last_day.replace(year=last_day.year - YEARS) + dt.timedelta(days=1)
    # Each part covers its own stretch of the ten years, so resuming never reorders time.
    span = (last_day - first_day).days + 1
    written = dict.fromkeys([t for _, t in TABLES], 0)
    with psycopg.connect(args.database_url) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_national_parts (part integer PRIMARY KEY, "
                     "cases integer NOT NULL, events integer NOT NULL, done_at timestamptz NOT NULL DEFAULT now())")
        conn.commit()
        # Resuming continues the same plan only: parts split the ten years by --scale and --part.
        conn.execute("CREATE TABLE IF NOT EXISTS bench_national_plan (scale double precision NOT NULL, "
                     "part integer NOT NULL, seed integer NOT NULL)")
        plan = conn.execute("SELECT scale, part, seed FROM bench_national_plan").fetchone()
        if plan is None:
            conn.execute("INSERT INTO bench_national_plan VALUES (%s, %s, %s)", [args.scale, args.part, args.seed])
        elif tuple(plan) != (args.scale, args.part, args.seed):
            print(f"the database holds data of --scale {plan[0]} --part {plan[1]} --seed {plan[2]}: "
                  "resume with those, or start again with --fresh", file=sys.stderr)
            return 2
        conn.commit()
        done = {row[0] for row in conn.execute("SELECT part FROM bench_national_parts")}
        bar = tqdm(total=total, unit="case", desc="national data", initial=min(total, len(done) * args.part))
        for part in range(parts):
            if part in done:
                continue
            size = min(args.part, total - part * args.part)
            p_first = first_day + dt.timedelta(days=span * part // parts)
            p_last = first_day + dt.timedelta(days=span * (part + 1) // parts - 1)
            ids = _next_ids(conn)
            chunks = generate.generate(universe=universe, cases=size, first_day=p_first, last_day=p_last, ids=ids,
                                       seed=args.seed * 1000 + part, chunk_size=size,
                                       number_prefix=f"{PREFIX}{part}")
            counts = write_part(conn, chunks, ids)
            conn.execute("INSERT INTO bench_national_parts (part, cases, events) VALUES (%s, %s, %s)",
                         [part, counts["journey_case"], counts["journey_event"]])
            conn.commit()
            for k, v in counts.items():
                written[k] += v
            bar.update(size)
        bar.close()
        for _, table in TABLES:
            conn.execute(sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), "
                                 "(SELECT COALESCE(MAX(id), 1) FROM {}))").format(sql.Literal(table),
                                                                                  sql.Identifier(table)))
        conn.commit()
        conn.autocommit = True
        for _, table in TABLES:
            conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
        totals = {table: conn.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
                  for _, table in TABLES}
        offices = conn.execute("SELECT COUNT(*) FROM reference_office").fetchone()[0]
        regencies = conn.execute("SELECT COUNT(DISTINCT regency_id) FROM registry_worker").fetchone()[0]
    result = {
        "scale": args.scale, "database": _admin_url(args.database_url)[1], "years": YEARS,
        "period": [first_day.isoformat(), last_day.isoformat()], "rows": totals, "written_this_run": written,
        "offices": offices, "origin_regencies": regencies, "seconds": round(time.monotonic() - started, 1),
    }
    for table, n in totals.items():
        print(f"{table:<26}{n:>12,}")
    print(f"offices {offices}, origin regencies {regencies}, {result['seconds']} s")
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
