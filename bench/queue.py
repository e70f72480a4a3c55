"""Queue latency on PostgreSQL over HTTP: *call next* with many counters at once, and the display board's update.

    .venv/bin/python bench/queue.py [--counters 50] [--seconds 15] [--workers 4] [--events 30] [--waiting 1500]
                                    [--think 10]
                                    [--database-url postgres://…] [--fresh] [--out bench/results/queue.json]

1. Prepares the database (created if missing; dropped first with --fresh): `satuatap migrate`,
   `satuatap load-reference`, --counters desk officers of LTSA-IDM with bearer tokens and an open counter each.
2. Serves satuatap with gunicorn (sync workers, DEBUG=0).
3. **call next, one counter (baseline)**: one client calls next and finishes the ticket, in a loop, for
   --seconds / 3 on a desk with enough waiting tickets.
4. **call next, --counters counters of one desk** (the worst contention: every call wants the head of the same
   queue) and **--counters counters spread over the office's desks**, each client looping call next → done for
   --seconds with no pause (a saturation test: latency there is mostly waiting for a free server worker).
   The waiting tickets are new registrants, so *done* at any desk but manpower routes the visit on to the
   manpower desk (a new ticket there): the spread scenario does that routing work too.
   Then **one desk with service time**: the same --counters counters, each pausing an exponential --think
   seconds (mean) after each ticket, for twice --seconds: many counters calling at once at a busy office's pace.
   Prints call-next p50/p99, calls/s and the ratio of p50 and p99 to the baseline's.
5. **display update**: a client holds the board's event stream (`/queue/board/LTSA-IDM/events/`, reconnecting
   as the browser does); another calls next --events times at random moments; the latency is from sending
   the call to receiving the board event that shows that ticket. Quoted against the stream's poll interval.

Writes the figures as JSON to --out (default bench/results/queue.json).
"""

from __future__ import annotations

import sys

# This script is named like the standard library's `queue` (which httpx and psycopg import): take its own
# directory off the import path before anything else is imported.
sys.path[:] = [p for p in sys.path if p not in ("", __file__.rsplit("/", 1)[0]) and not p.endswith("/bench")]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import httpx  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/satuatap_bench_queue"
OFFICE = "LTSA-IDM"
USER_PREFIX = "benchq."


def django_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="satuatap.config.settings", DATABASE_URL=url, DEBUG="0",
               SECRET_KEY="bench", ALLOWED_HOSTS="127.0.0.1,localhost,testserver", LOG_LEVEL="WARNING")
    return env


def run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}")


def prepare_database(url: str, *, fresh: bool) -> None:
    info = psycopg.conninfo.conninfo_to_dict(url)
    dbname = info.get("dbname")
    admin = dict(info, dbname="postgres")
    with psycopg.connect(**admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone() is not None
        if exists and fresh:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(dbname)))
            exists = False
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    env = django_env(url)
    run([str(BIN / "satuatap"), "migrate", "--noinput"], env)
    run([str(BIN / "satuatap"), "load-reference"], env)


def setup_django(url: str) -> None:
    os.environ.update(django_env(url))
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()


def officers(n: int) -> list[dict]:
    """n desk officers spread over the office's desks (officer i at desk i mod desks), each with a token."""
    from satuatap.accounts import services as account_services
    from satuatap.accounts.models import ApiToken, Role, User
    from satuatap.reference.models import Office

    office = Office.objects.get(code=OFFICE)
    desks = list(office.desks.order_by("sort_order"))
    out = []
    for i in range(n):
        agency = desks[i % len(desks)]
        for role, name in (("one", f"{USER_PREFIX}one{i}"), ("spread", f"{USER_PREFIX}spread{i}")):
            desk = desks[0] if role == "one" else agency
            user = User.objects.filter(username=name).first() or account_services.user_create(
                username=name, password=None, role=Role.DESK_OFFICER, office=office, agency=desk)
            ApiToken.objects.filter(user=user, name="bench").delete()
            _, secret = account_services.api_token_create(user=user, name="bench")
            out.append({"scenario": role, "i": i, "user_id": user.pk, "agency": desk.code, "token": secret})
    return out


def reset_queue(per_desk: int) -> None:
    """Empty the queue tables, then put `per_desk` new registrants in every desk's queue (bulk insert)."""
    from django.db import connection
    from django.utils import timezone

    from satuatap.core.timeutil import local_date
    from satuatap.queueing import rules
    from satuatap.queueing.models import Counter, DayCounter, Ticket, Visit
    from satuatap.reference import selectors as reference_selectors

    with connection.cursor() as cur:
        cur.execute("TRUNCATE queueing_ticketevent, queueing_ticket, queueing_visit, queueing_daycounter, "
                    "queueing_counter RESTART IDENTITY CASCADE")
    info = reference_selectors.office_info(OFFICE)
    now = timezone.now()
    day = local_date(now, info.zone)
    visits, n = [], 0
    for agency in sorted(info.desk_ids):
        for _ in range(per_desk):
            n += 1
            visits.append((agency, Visit(office_id=OFFICE, day=day, number=n, arrived_at=now)))
    Visit.objects.bulk_create([v for _, v in visits], batch_size=2000)
    Ticket.objects.bulk_create([
        Ticket(visit=v, office_id=OFFICE, agency_id=a, day=day, code=rules.ticket_code(a, v.number), arrived_at=now,
               queued_at=now) for a, v in visits], batch_size=2000)
    DayCounter.objects.create(office_id=OFFICE, day=day, last=n)
    assert not Counter.objects.exists()


def open_counters(base: str, clients: list[dict]) -> None:
    for c in clients:
        r = httpx.post(base + "/api/v1/queue/counter/open", json={"label": f"b{c['i']}"},
                       headers={"Authorization": f"Bearer {c['token']}"}, timeout=30)
        r.raise_for_status()


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def call_loop(base: str, clients: list[dict], seconds: float, think_s: float = 0.0) -> dict:
    """Each client: call next, then done, until time is up; with `think_s`, a random pause (exponential, that
    mean) after each ticket, as an officer serving someone. Call-next latencies of the calls that got a ticket."""
    latencies: list[float] = []
    empty = errors = 0
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def work(c: dict) -> None:
        nonlocal empty, errors
        mine: list[float] = []
        my_empty = my_errors = 0
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {c['token']}"}, timeout=60) as h:
            barrier.wait()
            deadline = time.monotonic() + seconds
            if think_s:
                time.sleep(random.uniform(0, think_s))
            while time.monotonic() < deadline:
                t0 = time.perf_counter()
                r = h.post("/api/v1/queue/counter/call-next")
                dt_ms = (time.perf_counter() - t0) * 1000
                if r.status_code != 200:
                    my_errors += 1
                    continue
                ticket = r.json()["ticket"]
                if ticket is None:
                    my_empty += 1
                    time.sleep(0.05)
                    continue
                mine.append(dt_ms)
                if h.post(f"/api/v1/queue/tickets/{ticket['id']}/done", json={}).status_code != 200:
                    my_errors += 1
                if think_s:
                    time.sleep(min(random.expovariate(1 / think_s), max(0.0, deadline - time.monotonic())))
        with lock:
            latencies.extend(mine)
            empty += my_empty
            errors += my_errors

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"counters": len(clients), "think_s": think_s, "calls": len(latencies), "empty_answers": empty,
            "errors": errors,
            "calls_per_s": round(len(latencies) / wall, 1),
            "call_next_p50_ms": round(percentile(latencies, 50) or 0, 1),
            "call_next_p99_ms": round(percentile(latencies, 99) or 0, 1)}


def display_latency(base: str, client: dict, events: int) -> dict:
    """Time from sending *call next* to the board event that shows the called ticket."""
    seen: dict[str, float] = {}
    stop = threading.Event()
    lock = threading.Lock()

    def listen() -> None:
        last_id = None
        while not stop.is_set():
            headers = {"Last-Event-ID": last_id} if last_id else {}
            try:
                with httpx.stream("GET", base + f"/queue/board/{OFFICE}/events/", headers=headers,
                                  timeout=httpx.Timeout(60, read=60)) as r:
                    for line in r.iter_lines():
                        now = time.perf_counter()
                        if line.startswith("id: "):
                            last_id = line[4:]
                        elif line.startswith("data: "):
                            for call in json.loads(line[6:])["calls"][:3]:
                                with lock:
                                    seen.setdefault(call["ticket"], now)
                        if stop.is_set():
                            return
            except httpx.TransportError:
                time.sleep(0.2)

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    time.sleep(1.5)  # the stream's first event (the current board) is not a measurement
    lat: list[float] = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {client['token']}"}, timeout=30) as h:
        for _ in range(events):
            time.sleep(random.uniform(0.2, 0.9))  # calls at random moments against the stream's poll phase
            t0 = time.perf_counter()
            ticket = h.post("/api/v1/queue/counter/call-next").json()["ticket"]
            if ticket is None:
                break
            deadline = time.perf_counter() + 10
            while time.perf_counter() < deadline:
                with lock:
                    at = seen.get(ticket["code"])
                if at is not None:
                    lat.append((at - t0) * 1000)
                    break
                time.sleep(0.005)
            h.post(f"/api/v1/queue/tickets/{ticket['id']}/done", json={})
    stop.set()
    return {"events": len(lat), "display_p50_ms": round(percentile(lat, 50) or 0, 1),
            "display_p99_ms": round(percentile(lat, 99) or 0, 1), "display_max_ms": round(max(lat or [0]), 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--counters", type=int, default=50)
    p.add_argument("--seconds", type=float, default=15.0)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--events", type=int, default=30)
    p.add_argument("--waiting", type=int, default=1500, help="tickets waiting at each desk at the start")
    p.add_argument("--think", type=float, default=10.0,
                   help="mean seconds an officer spends with a candidate in the service-time scenario")
    p.add_argument("--fresh", action="store_true")
    p.add_argument("--out", default=str(RESULTS / "queue.json"))
    args = p.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)

    prepare_database(args.database_url, fresh=args.fresh)
    setup_django(args.database_url)
    from satuatap.queueing.views import SSE_POLL_S

    people = officers(args.counters)
    one = [c for c in people if c["scenario"] == "one"]
    spread = [c for c in people if c["scenario"] == "spread"]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = RESULTS / "gunicorn_queue.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    # one worker more than asked: the display scenario keeps one busy with its event stream
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "satuatap.config.wsgi", "-w", str(args.workers + 1), "--threads", "1",
         "-b", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning"],
        cwd=REPO, env=django_env(args.database_url), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    results: dict = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + f"/api/v1/queue/offices/{OFFICE}/board", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit(f"gunicorn did not start; see {log_path}") from None
                time.sleep(0.3)
        per_desk = args.waiting

        reset_queue(per_desk)
        open_counters(base, one[:1])
        results["baseline_one_counter"] = call_loop(base, one[:1], max(3.0, args.seconds / 3))

        reset_queue(per_desk)
        open_counters(base, one)
        results["one_desk"] = call_loop(base, one, args.seconds)

        reset_queue(per_desk)
        open_counters(base, spread)
        results["spread_over_desks"] = call_loop(base, spread, args.seconds)

        reset_queue(per_desk)
        open_counters(base, one)
        results["one_desk_with_service_time"] = call_loop(base, one, args.seconds * 2, think_s=args.think)

        reset_queue(per_desk)
        open_counters(base, one[:1])
        results["display"] = display_latency(base, one[0], args.events)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()

    base_r = results["baseline_one_counter"]
    for key in ("one_desk", "spread_over_desks", "one_desk_with_service_time"):
        r = results[key]
        r["p50_vs_baseline"] = round(r["call_next_p50_ms"] / base_r["call_next_p50_ms"], 2) if base_r[
            "call_next_p50_ms"] else None
        r["p99_vs_baseline"] = round(r["call_next_p99_ms"] / base_r["call_next_p99_ms"], 2) if base_r[
            "call_next_p99_ms"] else None
    results["display"]["stream_poll_interval_ms"] = SSE_POLL_S * 1000
    results["setup"] = {"gunicorn_workers": args.workers + 1, "counters": args.counters, "seconds": args.seconds,
                        "cpus": os.cpu_count(), "load_average_1m_at_end": round(os.getloadavg()[0], 2),
                        "python": platform.python_version(),
                        "database": "postgresql", "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    for name, r in results.items():
        print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in r.items()))
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
