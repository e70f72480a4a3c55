"""Step-transition throughput of the journey API on PostgreSQL, against a bare WSGI + psycopg baseline.

    .venv/bin/python bench/step_throughput.py [--cases 100000] [--seconds 20] [--connections 16] [--workers 4]
                                              [--database-url postgres://…] [--fresh]

1. Prepares the database (created if missing; dropped and recreated with --fresh): `satuatap migrate`,
   `satuatap load-reference`, one desk officer per agency of LTSA-IDM with a bearer token, then >= --cases
   bench cases (workers, cases, their 14 P2P steps and one case_opened event each) written with COPY.
2. Serves satuatap with gunicorn (sync workers) and walks untouched bench cases through their journey over
   HTTP (start, then complete, each step in JOURNEY_ORDER, each by its agency's desk officer) with
   --connections concurrent clients for --seconds; every POST is one transition.
3. Serves bench/baseline/bare_app.py with the same gunicorn settings and drives it the same way for the same time.
4. Prints transitions/s, p50/p99 latency and the ratio satuatap ÷ bare, with a CPU breakdown (gunicorn workers,
   PostgreSQL backends, this driver, everything else), and writes bench/results/step_throughput.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Python puts this script's directory first on sys.path, where bench/queue.py would shadow the standard library's
# `queue` (psycopg and tqdm import it): take bench/ off the path before anything else is imported.
# ruff: noqa: E402
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

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
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
# Cases kept for the bare baseline (the highest-numbered ones), never walked by the satuatap side. Each run walks
# untouched ones first (about 700 per run), as the satuatap side does, so neither side works on rows that earlier
# runs churned; only when they run out does the bare side walk touched ones again.
BARE_RESERVE = 10_000

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

CARD_KEYS = RESULTS / "card-keys"  # the bench's own card signing key (CARD completions sign a card)


def _card_keys_dir() -> str:
    if not any(CARD_KEYS.glob("*.pem")):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        CARD_KEYS.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path = CARD_KEYS / "bench-1.pem"
        path.write_bytes(pem)
        path.chmod(0o600)
    return str(CARD_KEYS)


def django_env(url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="satuatap.config.settings",
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY="bench",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        LOG_LEVEL="WARNING",
        SATUATAP_CARD_KEYS_DIR=_card_keys_dir(),
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
    run([str(BIN / "satuatap"), "load_placement_reference"], env)
    print(f"migrate + load-reference: {time.perf_counter() - t0:.1f} s")


def ensure_tokens() -> dict[str, dict[str, Any]]:
    """One desk officer per agency of the office, each with a fresh token (Django must be set up)."""
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
    ensure_job_order()
    return out


BENCH_JOB_ORDER = "JO-BENCH-TW"


def ensure_job_order() -> None:
    """A legal job order the bench cases hold a place in, so the placement rules pass as in real work."""
    import datetime as dt

    from django.utils import timezone

    from satuatap.placement.models import Company, Employer, JobOrder, JobTitle
    from satuatap.reference.models import Region

    if JobOrder.objects.filter(number=BENCH_JOB_ORDER).exists():
        return
    today = timezone.localdate()
    company = Company.objects.create(
        name="PT Bench Penempatan", licence_number="SIP3MI/BENCH", licence_valid_from=today - dt.timedelta(days=700),
        licence_valid_to=today + dt.timedelta(days=1400), status="active",
    )
    employer = Employer.objects.create(name="Bench Electronics Ltd", country_id="TW", city="Taoyuan", type="company")
    jo = JobOrder.objects.create(
        number=BENCH_JOB_ORDER, company=company, employer=employer, sector="manufacturing",
        job_title=JobTitle.objects.get(pk="FACTORY_OPERATOR"), positions=10_000_000, positions_used=0, salary=28590,
        currency="TWD", contract_months=36, valid_from=today - dt.timedelta(days=60),
        valid_to=today + dt.timedelta(days=300), attested=True, attested_on=today - dt.timedelta(days=30),
        attestation_ref="KDEI/ATT/BENCH", attestation_mission="KDEI Taipei", sip2mi_number="SIP2MI/BENCH",
        sip2mi_valid_from=today - dt.timedelta(days=60), sip2mi_valid_to=today + dt.timedelta(days=300),
        status="active",
    )
    jo.recruitment_regions.set(Region.objects.filter(level=1))


def ensure_rule_inputs(url: str) -> None:
    """What the placement rules check for every bench case: the family's consent and a job order place."""
    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        consents = conn.execute(
            """INSERT INTO registry_familyconsent (worker_id, consenter_name, relation, consent_date,
                   village_head_acknowledged, village_head_name, recorded_at)
               SELECT c.worker_id, 'Ibu Bench', 'mother', CURRENT_DATE, true, 'Kuwu Bench', now()
               FROM journey_case c
               WHERE c.number LIKE 'BENCH-%%'
                 AND NOT EXISTS (SELECT 1 FROM registry_familyconsent f WHERE f.worker_id = c.worker_id)"""
        ).rowcount
        links = conn.execute(
            """INSERT INTO placement_joborderlink (job_order_id, case_ref, worker_id, linked_at, release_reason)
               SELECT jo.id, c.number, c.worker_id, now(), ''
               FROM journey_case c CROSS JOIN placement_joborder jo
               WHERE jo.number = %s AND c.number LIKE 'BENCH-%%'
                 AND NOT EXISTS (SELECT 1 FROM placement_joborderlink l
                                 WHERE l.case_ref = c.number AND l.released_at IS NULL)""",
            (BENCH_JOB_ORDER,),
        ).rowcount
        conn.execute(
            """UPDATE placement_joborder SET positions_used =
                   (SELECT count(*) FROM placement_joborderlink l
                    WHERE l.job_order_id = placement_joborder.id AND l.released_at IS NULL)
               WHERE number = %s""",
            (BENCH_JOB_ORDER,),
        )
        conn.execute("UPDATE journey_case SET destination_country = 'TW' "
                     "WHERE number LIKE 'BENCH-%%' AND destination_country <> 'TW'")
    if consents or links:
        print(f"rule inputs: {consents:,} consents, {links:,} job order places ({time.perf_counter() - t0:.1f} s)")


def make_tokens() -> None:
    """Run in a subprocess (--_tokens), so that this process sets Django up only later, for the outcomes."""
    import django

    django.setup()
    print(json.dumps(ensure_tokens()))


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


def cases_to_walk(url: str) -> tuple[list[str], list[str]]:
    """(untouched bench cases for the satuatap side, cases reserved for the bare side: untouched ones first)."""
    untouched = ("SELECT c.number FROM journey_case c JOIN journey_step s ON s.case_id = c.id AND s.code = 'REG' "
                 "WHERE c.number LIKE %s AND c.status = 'open' AND s.state = 'ready' AND s.version = 2 ")
    with psycopg.connect(url) as conn:
        reserved = [r[0] for r in conn.execute(
            "SELECT number FROM journey_case WHERE number LIKE %s ORDER BY number DESC LIMIT %s",
            (PREFIX + "%", BARE_RESERVE),
        )]
        floor = min(reserved) if reserved else ""
        fresh = [r[0] for r in conn.execute(untouched + "AND c.number < %s ORDER BY c.number", (PREFIX + "%", floor))]
        bare_fresh = [r[0] for r in conn.execute(untouched + "AND c.number >= %s ORDER BY c.number",
                                                 (PREFIX + "%", floor))]
    seen = set(bare_fresh)
    return fresh, bare_fresh + sorted(n for n in reserved if n not in seen)


# --- CPU accounting ------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy() -> tuple[float, float]:
    """(busy CPU seconds, total CPU seconds) of the whole machine since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already inside user/nice
    return (total - idle) / TICK, total / TICK


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


class CpuMeter:
    """CPU used during the measured window by gunicorn, the database backends, this driver, and everyone else."""

    def __init__(self, url: str, gunicorn_pid: int) -> None:
        self.url = url
        self.gunicorn_pid = gunicorn_pid
        self.conn = psycopg.connect(url, autocommit=True)

    def _backends(self) -> dict[int, float]:
        pids = [r[0] for r in self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )]
        return {p: proc_cpu(p) for p in pids}

    def _gunicorn(self) -> dict[int, float]:
        pids = [self.gunicorn_pid, *children(self.gunicorn_pid)]
        return {p: proc_cpu(p) for p in pids}

    def start(self) -> None:
        self.t0 = time.perf_counter()
        self.busy0, self.total0 = machine_busy()
        self.self0 = _self_cpu()
        self.gun0 = self._gunicorn()
        self.pg0 = self._backends()

    def stop(self, transitions: int) -> dict[str, Any]:
        elapsed = time.perf_counter() - self.t0
        busy1, total1 = machine_busy()
        gun1, pg1 = self._gunicorn(), self._backends()
        driver = _self_cpu() - self.self0
        gunicorn = sum(v - self.gun0.get(p, 0.0) for p, v in gun1.items())
        postgres = sum(v - self.pg0.get(p, 0.0) for p, v in pg1.items())
        busy, total = busy1 - self.busy0, total1 - self.total0
        other = max(0.0, busy - gunicorn - postgres - driver)
        self.conn.close()
        per = (lambda s: round(1000 * s / transitions, 3)) if transitions else (lambda s: None)
        return {
            "elapsed_s": round(elapsed, 3),
            "machine_busy_pct": round(100 * busy / total, 1) if total else None,
            "cpu_seconds": {"gunicorn": round(gunicorn, 2), "postgres": round(postgres, 2),
                            "driver": round(driver, 2), "other": round(other, 2)},
            "cpu_ms_per_request": {"gunicorn": per(gunicorn), "postgres": per(postgres), "driver": per(driver)},
        }


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- gunicorn ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """A gunicorn server in its own process group, stopped (TERM, then KILL) on exit."""

    def __init__(self, app: str, url: str, workers: int, name: str, extra: list[str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = RESULTS / f"gunicorn_{name}.log"
        cmd = [str(BIN / "gunicorn"), app, "-w", str(workers), "--threads", "1", "-b", f"127.0.0.1:{self.port}",
               "--log-level", "warning", *(extra or [])]
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=django_env(url), stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.workers = workers

    def wait_ready(self, path: str, headers: dict[str, str] | None = None, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}); see {self.log_path}")
            try:
                urllib.request.urlopen(urllib.request.Request(self.base + path, headers=headers or {}),
                                       timeout=2.0).close()
            except urllib.error.HTTPError:
                pass  # an answer all the same: the server is up
            except OSError:  # not listening yet
                time.sleep(0.2)
                continue
            # all workers up: the master has forked them all
            if len(children(self.proc.pid)) >= self.workers:
                return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # our own process group: the master and its workers
                self.proc.wait(timeout=5)
        self.log.close()


# --- the load ------------------------------------------------------------------------------------------

@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds, 2xx only
    statuses: collections.Counter = field(default_factory=collections.Counter)
    errors: collections.Counter = field(default_factory=collections.Counter)
    journeys: int = 0  # cases taken all the way to DEP done
    samples: list[str] = field(default_factory=list)  # first few non-2xx bodies


class Journey:
    """Request bodies and tokens for walking a case: start then complete, each step in JOURNEY_ORDER."""

    def __init__(self, order: tuple[str, ...], defs: list[StepDef], tokens: dict[str, dict[str, Any]],
                 outcomes: dict[str, list[bytes]]) -> None:
        by_code = {d.code: d for d in defs}
        missing = [c for c in order if c not in by_code]
        if missing:
            raise SystemExit(f"JOURNEY_ORDER has steps the process lacks: {missing}")
        self.plan: list[tuple[str, str, dict[str, str], list[bytes] | None]] = []
        for code in order:
            token = tokens[by_code[code].agency]["token"]
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            self.plan.append((code, "start", headers, None))
            self.plan.append((code, "complete", headers, outcomes[code]))


class RawClient:
    """The lean client: HTTP/1.1 over a plain socket, one connection per request (gunicorn's sync workers close
    every connection after answering; the request says `Connection: close` too), the request's bytes put together
    from a header block encoded once per token, the answer read to the end of the stream. On a 2-core machine the
    load generator shares the cores with the servers it measures; httpx spends about 0.7 ms of CPU per request
    (about as much as the bare endpoint's whole gunicorn worker), this client a fraction of that, which leaves
    the cores to the servers and keeps that overhead from levelling the two sides."""

    def __init__(self, base: str) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.address = (host, int(port))
        self.host = f"Host: {host}:{port}\r\nConnection: close\r\n".encode()
        self.blocks: dict[int, bytes] = {}
        self.errors: tuple[type[BaseException], ...] = (OSError,)  # ConnectionError and timeouts among them

    def _block(self, headers: dict[str, str]) -> bytes:
        block = self.blocks.get(id(headers))
        if block is None:
            block = self.blocks[id(headers)] = self.host + "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode()
        return block

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        request = b"".join((b"POST ", path.encode(), b" HTTP/1.1\r\n", self._block(headers),
                            b"Content-Length: %d\r\n\r\n" % len(body), body))
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(30.0)
            sock.connect(self.address)
            sock.sendall(request)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        answer = b"".join(chunks)
        if not answer.startswith(b"HTTP/1.") or len(answer) < 12:
            raise ConnectionError(f"not an HTTP answer: {answer[:40]!r}")
        content = answer.partition(b"\r\n\r\n")[2]
        return int(answer[9:12]), content

    def close(self) -> None:
        pass


class HttpxClient:
    """httpx, as the bench drove both sides until 2026-12-06 (`--client httpx`)."""

    def __init__(self, base: str) -> None:
        import httpx  # the bench extra; the raw client needs nothing beyond the standard library

        self.client = httpx.Client(base_url=base, timeout=30.0)
        self.errors: tuple[type[BaseException], ...] = (httpx.HTTPError,)

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        response = self.client.post(path, content=body, headers=headers)
        return response.status_code, response.content

    def close(self) -> None:
        self.client.close()


CLIENTS = {"raw": RawClient, "httpx": HttpxClient}


def drive(base: str, path_fmt: str, journey: Journey, case_lists: list[list[str]], *, seconds: float,
          warmup: float, cycle: bool, meter: CpuMeter, client: str = "raw") -> tuple[Tally, float, dict[str, Any]]:
    """Each connection walks its own cases; requests finished during the warm-up are not counted."""
    tallies = [Tally() for _ in case_lists]
    ready = threading.Barrier(len(case_lists) + 1)
    clock: dict[str, float] = {}
    start_body = b"{}"
    make_client = CLIENTS[client]

    def worker(idx: int) -> None:
        tally = tallies[idx]
        rng = random.Random(idx)
        cases = case_lists[idx]
        http = make_client(base)
        try:
            ready.wait()
            t_measure, t_end = clock["measure"], clock["end"]
            while True:
                for number in cases:
                    finished = True
                    for code, action, headers, bodies in journey.plan:
                        if time.perf_counter() >= t_end:
                            return
                        body = start_body if bodies is None else bodies[rng.randrange(len(bodies))]
                        path = path_fmt.format(number=number, code=code, action=action)
                        t0 = time.perf_counter()
                        try:
                            status, content = http.post(path, body, headers)
                        except http.errors as exc:
                            tally.errors[type(exc).__name__] += 1
                            finished = False
                            break
                        t1 = time.perf_counter()
                        if t0 < t_measure:
                            continue
                        tally.statuses[status] += 1
                        if 200 <= status < 300:
                            tally.latencies.append(t1 - t0)
                        else:
                            if len(tally.samples) < 3:
                                tally.samples.append(f"{status} {path}: {content[:300].decode(errors='replace')}")
                            finished = False
                            break
                    if finished:
                        tally.journeys += 1
                if not cycle:
                    return
        finally:
            http.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(len(case_lists))]
    for t in threads:
        t.start()
    now = time.perf_counter()
    clock["measure"] = now + warmup
    clock["end"] = now + warmup + seconds
    ready.wait()
    time.sleep(max(0.0, clock["measure"] - time.perf_counter()))
    t_measure = time.perf_counter()
    meter.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t_measure
    merged = Tally()
    for t in tallies:
        merged.latencies.extend(t.latencies)
        merged.statuses.update(t.statuses)
        merged.errors.update(t.errors)
        merged.journeys += t.journeys
        merged.samples.extend(t.samples)
    return merged, elapsed, meter.stop(len(merged.latencies))


# --- figures -------------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks; `values` sorted."""
    if not values:
        return None
    k = (len(values) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summarize(tally: Tally, elapsed: float, cpu: dict[str, Any]) -> dict[str, Any]:
    lat = sorted(tally.latencies)
    ms = lambda v: None if v is None else round(1000 * v, 2)  # noqa: E731
    return {
        "requests_2xx": len(lat),
        "per_s": round(len(lat) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": ms(percentile(lat, 0.50)),
        "p90_ms": ms(percentile(lat, 0.90)),
        "p99_ms": ms(percentile(lat, 0.99)),
        "max_ms": ms(lat[-1] if lat else None),
        "mean_ms": ms(sum(lat) / len(lat) if lat else None),
        "non_2xx": {str(k): v for k, v in sorted(tally.statuses.items()) if not 200 <= k < 300},
        "non_2xx_samples": tally.samples,
        "transport_errors": dict(tally.errors),
        "journeys_completed": tally.journeys,
        "elapsed_s": round(elapsed, 3),
        "cpu": cpu,
    }


def print_report(res: dict[str, Any]) -> None:
    a, b = res["satuatap"], res["bare"]
    rows = [
        ("requests/s (2xx)", "per_s"), ("p50 ms", "p50_ms"), ("p90 ms", "p90_ms"), ("p99 ms", "p99_ms"),
        ("max ms", "max_ms"), ("2xx requests", "requests_2xx"), ("journeys completed", "journeys_completed"),
    ]
    cfg = res["config"]
    print()
    print(f"{cfg['workers']} sync gunicorn workers, {cfg['connections']} connections ({cfg['client']} client), "
          f"{cfg['rounds']} rounds of "
          f"{cfg['seconds']} s measured per side (+{cfg['warmup']} s warm-up each), {res['machine']['cores']} cores")
    print(f"{'':24}{'satuatap':>12}{'bare':>12}")
    for label, key in rows:
        print(f"{label:24}{_fmt(a.get(key)):>12}{_fmt(b.get(key)):>12}")
    print(f"{'non-2xx':24}{_fmt(sum(a['non_2xx'].values())):>12}{_fmt(sum(b['non_2xx'].values())):>12}")
    print(f"{'transport errors':24}{_fmt(sum(a['transport_errors'].values())):>12}"
          f"{_fmt(sum(b['transport_errors'].values())):>12}")
    for part in ("gunicorn", "postgres", "driver"):
        print(f"{'CPU ms/request ' + part:24}{_fmt(a['cpu']['cpu_ms_per_request'][part]):>12}"
              f"{_fmt(b['cpu']['cpu_ms_per_request'][part]):>12}")
    print(f"{'CPU s other processes':24}{_fmt(a['cpu']['cpu_seconds']['other']):>12}"
          f"{_fmt(b['cpu']['cpu_seconds']['other']):>12}")
    print(f"{'machine busy %':24}{_fmt(a['cpu']['machine_busy_pct']):>12}{_fmt(b['cpu']['machine_busy_pct']):>12}")
    t = res["targets"]
    print()
    spread = res.get("ratio_rounds") or {}
    print(f"ratio satuatap/bare = {_fmt(res['ratio'])}   (target >= {TARGET_RATIO}: {_yes(t['ratio_met'])}; "
          f"rounds {_fmt(spread.get('min'))} to {_fmt(spread.get('max'))})")
    print(f"satuatap p99 = {_fmt(a['p99_ms'])} ms   (target < {TARGET_P99_MS:.0f} ms: {_yes(t['p99_met'])})")
    print(f"satuatap transitions/s = {_fmt(a['per_s'])}   (stretch >= {STRETCH_TPS:.0f}: {_yes(t['stretch_met'])})")
    for side in ("satuatap", "bare"):
        for sample in res[side]["non_2xx_samples"]:
            print(f"  {side} non-2xx: {sample}")


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.2f}" if v < 100 else f"{v:,.1f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def _yes(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "NO")


# --- main ----------------------------------------------------------------------------------------------

def outcome_bodies(url: str, defs: list[StepDef], per_step: int = 64) -> tuple[tuple[str, ...], dict[str, list[bytes]]]:
    """JOURNEY_ORDER and, per step, request bodies with outcomes made by satuatap.web.demo.sample_outcome."""
    os.environ.update(django_env(url))
    import django

    django.setup()
    from django.utils import timezone

    from satuatap.web.demo import JOURNEY_ORDER, sample_outcome

    rng = random.Random(2026)
    today = timezone.localdate()
    bodies = {
        d.code: [json.dumps({"outcome": sample_outcome(d.outcome_type, rng, today)}).encode() for _ in range(per_step)]
        for d in defs
    }
    return tuple(JOURNEY_ORDER), bodies


def source_state() -> dict[str, Any]:
    """Which code was measured: the commit, the files under src/ that differ from it, and PYTHONPATH when it
    points the run at other code (bench/README.md: measuring older code)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return done.stdout.rstrip("\n")

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "src").splitlines()]
    state = {"commit": git("rev-parse", "--short", "HEAD"), "src_changes_uncommitted": dirty}
    if os.environ.get("PYTHONPATH"):
        state["pythonpath"] = os.environ["PYTHONPATH"]
    return state


def checkpoint(url: str) -> None:
    """Start each side on clean tables with fresh statistics (dead rows of the previous side vacuumed, the
    planner's view of the steps' states current) and no dirty buffers (CHECKPOINT needs superuser)."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            for table in ("journey_case", "journey_step", "journey_event", "placement_decision"):
                conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
            conn.execute("CHECKPOINT")
    except psycopg.Error as exc:
        print(f"(VACUUM / CHECKPOINT skipped: {exc})")


@dataclass
class Side:
    name: str
    app: str
    path_fmt: str
    ready_path: str
    ready_headers: dict[str, str]
    cases: list[str]
    cycle: bool
    extra: list[str] | None = None
    server: Gunicorn | None = None
    tally: Tally = field(default_factory=Tally)
    elapsed: float = 0.0
    cpu_seconds: collections.Counter = field(default_factory=collections.Counter)
    busy_weighted: float = 0.0


def _merge(into: Tally, more: Tally) -> None:
    into.latencies.extend(more.latencies)
    into.statuses.update(more.statuses)
    into.errors.update(more.errors)
    into.journeys += more.journeys
    into.samples.extend(more.samples[: max(0, 3 - len(into.samples))])


def run_sides(sides: list[Side], url: str, args: argparse.Namespace, journey: Journey) -> list[dict[str, Any]]:
    """Serve every side at once, then drive them in turn for --rounds rounds (A then B, then B then A, …), so a
    machine that speeds up or slows down during the run (shared hosts do) weighs on both sides alike. Each round
    walks its own share of each side's cases. Returns the rates of each round."""
    checkpoint(url)
    rounds: list[dict[str, Any]] = []
    try:
        for side in sides:
            side.server = Gunicorn(side.app, url, args.workers, side.name, side.extra)
        for side in sides:
            side.server.wait_ready(side.ready_path, side.ready_headers)
            print(f"{side.name}: gunicorn pid {side.server.proc.pid} on {side.server.base}")
        print(f"{args.rounds} rounds of {args.warmup:g} + {args.seconds:g} s per side, {args.connections} connections")
        for r in range(args.rounds):
            rates: dict[str, float] = {}
            for side in (sides if r % 2 == 0 else list(reversed(sides))):
                share = side.cases[r::args.rounds]
                lists = [share[i::args.connections] for i in range(args.connections)]
                meter = CpuMeter(url, side.server.proc.pid)
                tally, elapsed, cpu = drive(side.server.base, side.path_fmt, journey, lists, seconds=args.seconds,
                                            warmup=args.warmup, cycle=side.cycle, meter=meter,
                                            client=args.client)
                _merge(side.tally, tally)
                side.elapsed += elapsed
                side.cpu_seconds.update(cpu["cpu_seconds"])
                side.busy_weighted += (cpu["machine_busy_pct"] or 0.0) * elapsed
                rates[side.name] = round(len(tally.latencies) / elapsed, 1) if elapsed else 0.0
            if rates.get("bare") and "satuatap" in rates:
                rates["ratio"] = round(rates["satuatap"] / rates["bare"], 3)
            rounds.append(rates)
            print(f"round {r + 1}: " + ", ".join(f"{k} {v:,}" for k, v in rates.items()))
    finally:
        for side in sides:
            if side.server is not None:
                side.server.stop()
    return rounds


def side_summary(side: Side) -> dict[str, Any]:
    n = len(side.tally.latencies)
    per = (lambda v: round(1000 * v / n, 3)) if n else (lambda v: None)
    cpu = {
        "elapsed_s": round(side.elapsed, 3),
        "machine_busy_pct": round(side.busy_weighted / side.elapsed, 1) if side.elapsed else None,
        "cpu_seconds": {k: round(v, 2) for k, v in side.cpu_seconds.items()},
        "cpu_ms_per_request": {k: per(side.cpu_seconds[k]) for k in ("gunicorn", "postgres", "driver")},
    }
    out = summarize(side.tally, side.elapsed, cpu)
    out["cases_available"] = len(side.cases)
    print(f"{side.name}: {out['per_s']:,.1f} requests/s, p50 {out['p50_ms']} ms, p99 {out['p99_ms']} ms")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="bench cases the database must hold")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured duration per side and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each driving every side in turn")
    parser.add_argument("--warmup", type=float, default=2.0, help="uncounted warm-up per side")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (both sides)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--batch", type=int, default=5000, help="cases per COPY batch")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="raw",
                        help="load generator: raw sockets (default) or httpx (as before 2026-12-06)")
    parser.add_argument("--only", choices=("satuatap", "bare"), help="run one side only (no ratio)")
    parser.add_argument("--out", type=Path, default=RESULTS / "step_throughput.json")
    parser.add_argument("--_tokens", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._tokens:
        make_tokens()
        return
    url = args.database_url
    RESULTS.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()

    prepare_database(url, fresh=args.fresh)
    migrate_and_load(url)
    tokens = tokens_for(url)
    print(f"desk officers with tokens: {', '.join(sorted(tokens))}")
    generate_cases(url, args.cases, tokens["DISNAKER"]["user_id"], batch=args.batch)
    ensure_rule_inputs(url)

    with psycopg.connect(url) as conn:
        _, defs = step_definitions(conn)
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    order, bodies = outcome_bodies(url, defs)
    journey = Journey(order, defs, tokens, bodies)
    fresh, reserved = cases_to_walk(url)
    print(f"{len(fresh):,} untouched cases for satuatap, {len(reserved):,} reserved for the bare baseline")
    if len(reserved) < BARE_RESERVE:
        print("WARNING: fewer bench cases than the bare side's reserve; raise --cases")
    if len(fresh) < args.connections * 20:
        print("WARNING: few untouched cases left; add --fresh or raise --cases")
    auth = {"Authorization": f"Bearer {tokens['DISNAKER']['token']}"}

    res: dict[str, Any] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "postgres": pg_version, "loadavg_before": os.getloadavg()},
        "config": {"workers": args.workers, "threads": 1, "worker_class": "sync", "connections": args.connections,
                   "client": args.client,
                   "seconds": args.seconds, "rounds": args.rounds, "warmup": args.warmup, "cases": args.cases,
                   "database": psycopg.conninfo.conninfo_to_dict(url).get("dbname"),
                   "journey_order": list(order)},
        "source": source_state(),
        "satuatap": None,
        "bare": None,
    }
    sides = []
    if args.only in (None, "satuatap"):
        sides.append(Side("satuatap", "satuatap.config.wsgi", "/api/v1/cases/{number}/steps/{code}/{action}",
                          "/api/v1/me", auth, fresh, cycle=False))
    if args.only in (None, "bare"):
        sides.append(Side("bare", "bare_app:application", "/bare/cases/{number}/steps/{code}/{action}", "/health", {},
                          reserved, cycle=True, extra=["--pythonpath", str(BENCH_DIR / "baseline")]))
    res["rounds"] = run_sides(sides, url, args, journey)
    for side in sides:
        res[side.name] = side_summary(side)
    a, b = res["satuatap"], res["bare"]
    # the rates over all rounds; the per-round ratios (in res["rounds"]) show how steady the machine was
    res["ratio"] = round(a["per_s"] / b["per_s"], 3) if a and b and b["per_s"] else None
    per_round = [r["ratio"] for r in res["rounds"] if "ratio" in r]
    res["ratio_rounds"] = {"min": min(per_round), "max": max(per_round)} if per_round else None
    res["targets"] = {
        "ratio": TARGET_RATIO, "p99_ms": TARGET_P99_MS, "stretch_per_s": STRETCH_TPS,
        "ratio_met": None if res["ratio"] is None else res["ratio"] >= TARGET_RATIO,
        "p99_met": None if not a or a["p99_ms"] is None else a["p99_ms"] < TARGET_P99_MS,
        "stretch_met": None if not a else a["per_s"] >= STRETCH_TPS,
    }
    res["total_run_s"] = round(time.perf_counter() - t_start, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2) + "\n")
    if a and b:
        print_report(res)
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
