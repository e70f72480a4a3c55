"""Step-transition throughput of the journey API on PostgreSQL, against a bare WSGI + psycopg baseline.

    .venv/bin/python bench/step_throughput.py [--cases 100000] [--seconds 20] [--connections 16] [--workers 4]
                                              [--database-url postgres://…] [--fresh]

1. Prepares the database (created if missing; dropped and recreated with --fresh): `satuatap migrate`,
   `satuatap load-reference`, one desk officer per agency of LTSA-IDM with a bearer token, then >= --cases
   bench cases (workers, cases, their 14 P2P steps and one case_opened event each) written with COPY.
2. Serves satuatap with gunicorn (sync workers) and walks untouched bench cases through their journey over
   HTTP (start, then complete, each step in JOURNEY_ORDER, each by its agency's desk officer) with
   --connections concurrent clients for --seconds; every POST is one transition.
3. Serves bench/bare_app.py with the same gunicorn settings and drives it the same way for the same time.
4. Prints transitions/s, p50/p99 latency and the ratio satuatap ÷ bare, with a CPU breakdown (gunicorn workers,
   PostgreSQL backends, this driver, everything else), and writes bench/results/step_throughput.json.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import io
import json
import os
import platform
import random
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql
from tqdm import tqdm

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/satuatap_bench"

OFFICE = "LTSA-IDM"
PROVINCE, REGENCY = "32", "32.12"
PROCESS_CODE, PROCESS_VERSION = "P2P", 1
PREFIX = "BENCH-"
USER_PREFIX = "bench.idm."
TOKEN_NAME = "bench"
# Cases kept for the bare baseline (the highest-numbered ones), never walked by the satuatap side.
BARE_RESERVE = 2000

TARGET_RATIO, TARGET_P99_MS, STRETCH_TPS = 0.7, 50.0, 1000.0

NULL = "\\N"  # COPY text format
# Column order of the COPY rows below. Every NOT NULL column is listed: Django keeps field defaults in Python,
# so the tables have no database defaults to fall back on.
WORKER_COLUMNS = ("id", "nik", "name", "birth_place", "birth_date", "sex", "address", "phone", "education",
                  "marital_status", "nik_warnings", "created_at", "updated_at", "created_by_id", "district_id",
                  "province_id", "regency_id", "village_id")
CASE_COLUMNS = ("id", "number", "scheme", "status", "destination_country", "version", "opened_at", "updated_at",
                "closed_at", "office_id", "opened_by_id", "process_id", "worker_id")
STEP_COLUMNS = ("case_id", "definition_id", "code", "agency_id", "state", "version", "ready_at", "due_on",
                "sort_order", "outcome", "reason", "blocks_case")
EVENT_COLUMNS = ("case_id", "kind", "actor_id", "office_id", "agency_id", "from_state", "to_state", "reason",
                 "payload", "created_at")


# --- environment and subprocesses ----------------------------------------------------------------------

def django_env(url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="satuatap.config.settings",
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY="bench",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def run(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}")
    return done.stdout


def prepare_database(url: str, *, fresh: bool) -> None:
    info = psycopg.conninfo.conninfo_to_dict(url)
    dbname = info.get("dbname")
    if not dbname:
        raise SystemExit("--database-url must name a database")
    admin = dict(info, dbname="postgres")
    with psycopg.connect(**admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone() is not None
        if exists and fresh:
            print(f"dropping database {dbname}")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(dbname)))
            exists = False
        if not exists:
            print(f"creating database {dbname}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))


def migrate_and_load(url: str) -> None:
    env = django_env(url)
    t0 = time.perf_counter()
    run([str(BIN / "satuatap"), "migrate", "--noinput"], env)
    run([str(BIN / "satuatap"), "load-reference"], env)
    print(f"migrate + load-reference: {time.perf_counter() - t0:.1f} s")


def make_tokens() -> None:
    """Run in a subprocess (--_tokens): one desk officer per agency of the office, each with a fresh token."""
    import django

    django.setup()
    from satuatap.accounts import services
    from satuatap.accounts.models import ApiToken, Role, User
    from satuatap.reference.models import Office

    office = Office.objects.get(code=OFFICE)
    out: dict[str, dict[str, Any]] = {}
    for agency in office.desks.order_by("sort_order"):
        username = USER_PREFIX + agency.code.lower()
        user = User.objects.filter(username=username).first() or services.user_create(
            username=username, password=None, role=Role.DESK_OFFICER, office=office, agency=agency,
            first_name=f"Bench {agency.code}",
        )
        ApiToken.objects.filter(user=user, name=TOKEN_NAME).delete()
        _, secret = services.api_token_create(user=user, name=TOKEN_NAME)
        out[agency.code] = {"user_id": user.pk, "token": secret}
    print(json.dumps(out))


def tokens_for(url: str) -> dict[str, dict[str, Any]]:
    out = run([sys.executable, str(Path(__file__).resolve()), "--_tokens"], django_env(url))
    return json.loads(out.strip().splitlines()[-1])


# --- bulk data -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StepDef:
    id: int
    code: str
    agency: str
    sort_order: int
    sla: int
    outcome_type: str


def step_definitions(conn: psycopg.Connection) -> tuple[int, list[StepDef]]:
    row = conn.execute(
        "SELECT id FROM reference_processdefinition WHERE code = %s AND version = %s", (PROCESS_CODE, PROCESS_VERSION)
    ).fetchone()
    if row is None:
        raise SystemExit(f"process {PROCESS_CODE} v{PROCESS_VERSION} missing: load-reference did not run?")
    defs = conn.execute(
        "SELECT id, code, agency_id, sort_order, sla_working_days, outcome_type FROM reference_stepdefinition "
        "WHERE process_id = %s ORDER BY sort_order",
        (row[0],),
    ).fetchall()
    return row[0], [StepDef(*d) for d in defs]


def bench_case_count(conn: psycopg.Connection) -> tuple[int, int]:
    """(number of bench cases, highest bench case index)."""
    count, top = conn.execute(
        "SELECT count(*), max(substr(number, %s)::int) FROM journey_case WHERE number LIKE %s",
        (len(PREFIX) + 1, PREFIX + "%"),
    ).fetchone()
    return count, top or 0


def _reserve_ids(conn: psycopg.Connection, table: str, n: int) -> list[int]:
    rows = conn.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", (table, n)
    ).fetchall()
    return [r[0] for r in rows]


def generate_cases(url: str, target: int, disnaker_user_id: int, *, batch: int = 5000) -> None:
    from satuatap.core.clock import add_working_days  # pure function, no Django settings needed

    with psycopg.connect(url) as conn:
        count, top = bench_case_count(conn)
        if count >= target:
            print(f"{count:,} bench cases present (>= {target:,}): generation skipped")
            return
        process_id, defs = step_definitions(conn)
        holidays = {r[0] for r in conn.execute("SELECT date FROM reference_holiday")}
        conn.commit()
        now = dt.datetime.now(dt.UTC)
        ts = now.isoformat()
        today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()  # WIB, the office's zone
        reg_due = add_working_days(today, defs[0].sla, holidays).isoformat()
        payload = json.dumps({"process": PROCESS_CODE, "version": PROCESS_VERSION, "scheme": "P2P",
                              "destination_country": ""})
        todo = target - count
        start = top + 1
        width = max(6, len(str(top + todo)))
        t0 = time.perf_counter()
        with tqdm(total=target, initial=count, unit="case", desc="bench cases") as bar:
            for first in range(start, start + todo, batch):
                indices = range(first, min(first + batch, start + todo))
                n = len(indices)
                worker_ids = _reserve_ids(conn, "registry_worker", n)
                case_ids = _reserve_ids(conn, "journey_case", n)
                workers, cases, steps, events = io.StringIO(), io.StringIO(), io.StringIO(), io.StringIO()
                for i, wid, cid in zip(indices, worker_ids, case_ids, strict=True):
                    nik = f"99{i:014d}"  # province 99 does not exist: never a real NIK
                    birth = dt.date(1980, 1, 1) + dt.timedelta(days=i % 7000)
                    sex = "P" if i % 3 else "L"
                    workers.write(
                        f"{wid}\t{nik}\tBench Worker {i}\tIndramayu\t{birth.isoformat()}\t{sex}\t\t\tsma\tsingle\t[]"
                        f"\t{ts}\t{ts}\t{disnaker_user_id}\t{NULL}\t{PROVINCE}\t{REGENCY}\t{NULL}\n"
                    )
                    cases.write(
                        f"{cid}\t{PREFIX}{i:0{width}d}\tP2P\topen\t\t2\t{ts}\t{ts}\t{NULL}\t{OFFICE}\t{disnaker_user_id}"
                        f"\t{process_id}\t{wid}\n"
                    )
                    for j, d in enumerate(defs):
                        if j == 0:  # REG: unlocked at opening, as case_open leaves it
                            state, version, ready_at, due_on = "ready", 2, ts, reg_due
                        else:
                            state, version, ready_at, due_on = "locked", 1, NULL, NULL
                        steps.write(f"{cid}\t{d.id}\t{d.code}\t{d.agency}\t{state}\t{version}\t{ready_at}\t{due_on}"
                                    f"\t{d.sort_order}\t{{}}\t\tf\n")
                    events.write(f"{cid}\tcase_opened\t{disnaker_user_id}\t{OFFICE}\tDISNAKER\t\topen\t\t{payload}"
                                 f"\t{ts}\n")
                with conn.cursor() as cur:
                    for table, columns, buf in (
                        ("registry_worker", WORKER_COLUMNS, workers),
                        ("journey_case", CASE_COLUMNS, cases),
                        ("journey_step", STEP_COLUMNS, steps),
                        ("journey_event", EVENT_COLUMNS, events),
                    ):
                        stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
                            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                        )
                        with cur.copy(stmt) as copy:
                            copy.write(buf.getvalue())
                conn.commit()
                bar.update(n)
        print(f"generated {todo:,} cases ({todo * len(defs):,} steps) in {time.perf_counter() - t0:.1f} s; analysing")
        conn.autocommit = True
        for table in ("registry_worker", "journey_case", "journey_step", "journey_event"):
            conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
