"""Crash safety of step transitions: SIGKILL gunicorn mid-load, restart it, and check nothing was lost or doubled.

    .venv/bin/python bench/crash.py [--cases 3000] [--kills 3] [--load-seconds 6] [--connections 8] [--workers 2]
                                    [--database-url postgres://…/satuatap_crash] [--fresh] [--out PATH]

1. Prepares its own PostgreSQL database with bench cases, desk officers and tokens (the pieces of
   bench/step_throughput.py, imported).
2. Serves satuatap with gunicorn and walks cases through their journey over HTTP (start, then complete, each step
   in JOURNEY_ORDER) from --connections clients; every POST carries an Idempotency-Key and every 2xx answer is
   recorded client-side as an acknowledged transition.
3. After --load-seconds, SIGKILLs gunicorn's whole process group (master and workers) with requests in flight,
   restarts it, and lets the clients recover as a real client would: retry the request in doubt with the same
   key, then re-read the case and carry on. Repeated --kills times, then one last load period.
4. Checks in the database: every acknowledged transition has exactly one event; no (case, step, kind) event is
   doubled; each step's state and version agree with its events (no step changed without its event or the
   reverse); no step was left locked once its prerequisites were met (no half-applied transition). Prints the
   figures and writes bench/results/crash.json. Exit status 1 if any check fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The script's directory must not shadow the standard library (bench/queue.py would hide `queue`, which psycopg
# needs); step_throughput is loaded from its file instead.
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]

import argparse  # noqa: E402
import collections  # noqa: E402
import datetime as dt  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import psycopg  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

_spec = importlib.util.spec_from_file_location("step_throughput", BENCH_DIR / "step_throughput.py")
st = importlib.util.module_from_spec(_spec)
sys.modules["step_throughput"] = st
_spec.loader.exec_module(st)  # the bench's own helpers: database, tokens, bench cases, gunicorn

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/satuatap_crash"
PATH = "/api/v1/cases/{number}/steps/{code}/{action}"
KIND = {"start": "step_started", "complete": "step_completed"}


# --- the server, restartable ---------------------------------------------------------------------------

class Server:
    """The current gunicorn; clients read `base` and wait on `up` while it is down."""

    def __init__(self, url: str, workers: int) -> None:
        self.url, self.workers = url, workers
        self.up = threading.Event()
        self.generation = 0
        self.gunicorn: st.Gunicorn | None = None
        self.base = ""

    def start(self, ready_headers: dict[str, str]) -> float:
        t0 = time.perf_counter()
        self.generation += 1
        self.gunicorn = st.Gunicorn("satuatap.config.wsgi", self.url, self.workers, f"crash_{self.generation}")
        self.gunicorn.wait_ready("/api/v1/me", ready_headers)
        self.base = self.gunicorn.base
        self.up.set()
        return time.perf_counter() - t0

    def kill(self) -> int:
        """SIGKILL the master and every worker at once (its own process group); returns how many processes."""
        assert self.gunicorn is not None
        self.up.clear()
        pids = [self.gunicorn.proc.pid, *st.children(self.gunicorn.proc.pid)]
        os.killpg(self.gunicorn.proc.pid, signal.SIGKILL)
        self.gunicorn.proc.wait(timeout=10)
        self.gunicorn.log.close()
        return len(pids)

    def stop(self) -> None:
        if self.gunicorn is not None:
            self.gunicorn.stop()


# --- the clients ---------------------------------------------------------------------------------------

@dataclass
class Record:
    acks: list[tuple[str, str, str]] = field(default_factory=list)  # (case, step, action) answered 2xx
    replayed: int = 0  # 2xx answers replayed from the idempotency store
    in_doubt: list[tuple[str, str, str]] = field(default_factory=list)  # sent, connection lost before an answer
    retry_outcomes: collections.Counter = field(default_factory=collections.Counter)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    samples: list[str] = field(default_factory=list)
    journeys: int = 0


def next_position(client: httpx.Client, base: str, number: str, plan: list[tuple[str, str]],
                  headers: dict[str, str]) -> int:
    """Where a case stands, from the server: the index in the plan of the next transition to send."""
    r = client.get(f"{base}/api/v1/cases/{number}", headers=headers)
    r.raise_for_status()
    states = {s["code"]: s["state"] for s in r.json()["steps"]}
    for i, (code, action) in enumerate(plan):
        state = states.get(code)
        if (action == "start" and state in ("ready", "rejected", "expired")) or (
                action == "complete" and state == "in_progress"):
            return i
        if state == "locked":
            return i  # cannot go on; the caller will see the refusal and stop this case
    return len(plan)


def client_loop(idx: int, server: Server, journey: st.Journey, cases: list[str], stop: threading.Event,
                record: Record, read_headers: dict[str, str]) -> None:
    plan = [(code, action) for code, action, _, _ in journey.plan]
    headers_of = {(code, action): headers for code, action, headers, _ in journey.plan}
    bodies_of = {(code, action): bodies for code, action, _, bodies in journey.plan}
    attempt: collections.Counter = collections.Counter()
    client = httpx.Client(timeout=30.0)

    def post(number: str, code: str, action: str) -> httpx.Response:
        bodies = bodies_of[(code, action)]
        body = b"{}" if bodies is None else bodies[hash((number, code)) % len(bodies)]
        key = f"crash-{number}-{code}-{action}-{attempt[(number, code, action)]}"
        headers = {**headers_of[(code, action)], "Idempotency-Key": key}
        return client.post(server.base + PATH.format(number=number, code=code, action=action), content=body,
                           headers=headers)

    def resync(number: str) -> int:
        while not stop.is_set():
            server.up.wait(timeout=1.0)
            if not server.up.is_set():
                continue
            try:
                return next_position(client, server.base, number, plan, read_headers)
            except httpx.HTTPError:
                time.sleep(0.2)
        return len(plan)

    try:
        for number in cases:
            pos = 0
            while pos < len(plan) and not stop.is_set():
                server.up.wait()
                code, action = plan[pos]
                try:
                    r = post(number, code, action)
                except httpx.TransportError:
                    record.in_doubt.append((number, code, action))
                    # Retry once with the same key once the server is back, as a client on a bad line would.
                    while not server.up.is_set() and not stop.is_set():
                        server.up.wait(timeout=1.0)
                    if stop.is_set():
                        return
                    try:
                        again = post(number, code, action)
                    except httpx.TransportError:
                        record.retry_outcomes["transport_error"] += 1
                        pos = resync(number)
                        continue
                    if 200 <= again.status_code < 300:
                        replay = again.headers.get("Idempotent-Replayed") == "true"
                        record.retry_outcomes["2xx_replayed" if replay else "2xx_done_now"] += 1
                        record.acks.append((number, code, action))
                        pos += 1
                    else:
                        try:
                            err = again.json().get("code", "?")
                        except ValueError:
                            err = "not_json"
                        record.retry_outcomes[f"{again.status_code}_{err}"] += 1
                        # In doubt still: a new key, from where the server says the case is.
                        attempt[(number, code, action)] += 1
                        pos = resync(number)
                    continue
                record.statuses[r.status_code] += 1
                if 200 <= r.status_code < 300:
                    record.acks.append((number, code, action))
                    if r.headers.get("Idempotent-Replayed") == "true":
                        record.replayed += 1
                    pos += 1
                else:
                    if len(record.samples) < 5:
                        record.samples.append(f"{r.status_code} {number} {code} {action}: {r.text[:200]}")
                    attempt[(number, code, action)] += 1
                    new_pos = resync(number)
                    if new_pos == pos:  # the same refusal again would follow: leave this case
                        break
                    pos = new_pos
            if pos >= len(plan):
                record.journeys += 1
            if stop.is_set():
                return
    finally:
        client.close()


# --- the checks ----------------------------------------------------------------------------------------

def verify(url: str, acks: list[tuple[str, str, str]], touched: set[str]) -> dict[str, Any]:
    problems: dict[str, list[Any]] = collections.defaultdict(list)
    with psycopg.connect(url) as conn:
        numbers = sorted(touched)
        events = conn.execute(
            """SELECT c.number, s.code, e.kind, e.to_state, e.id
               FROM journey_event e JOIN journey_case c ON c.id = e.case_id
               LEFT JOIN journey_step s ON s.id = e.step_id
               WHERE c.number = ANY(%s) ORDER BY e.id""",
            (numbers,),
        ).fetchall()
        steps = conn.execute(
            """SELECT c.number, s.code, s.state, s.version, s.blocks_case, d.prerequisites, d.optional,
                      d.requires_clear_case
               FROM journey_step s JOIN journey_case c ON c.id = s.case_id
               JOIN reference_stepdefinition d ON d.id = s.definition_id
               WHERE c.number = ANY(%s)""",
            (numbers,),
        ).fetchall()
    per_kind = collections.Counter((n, code, kind) for n, code, kind, _, _ in events if code)
    moves: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for n, code, _, to_state, _ in events:
        if code and to_state:
            moves[(n, code)].append(to_state)

    ack_set = set(acks)
    for n, code, action in sorted(ack_set):
        count = per_kind[(n, code, KIND[action])]
        if count != 1:
            problems["acknowledged_not_exactly_once"].append([n, code, action, count])
    for (n, code, kind), count in per_kind.items():
        if kind in KIND.values() and count > 1:
            problems["doubled_events"].append([n, code, kind, count])

    by_case: dict[str, dict[str, tuple]] = collections.defaultdict(dict)
    for n, code, state, version, blocks, prereq, optional, clear in steps:
        by_case[n][code] = (state, version, blocks, prereq, optional, clear)
    for n, case_steps in by_case.items():
        for code, (state, version, *_rest) in case_steps.items():
            history = moves.get((n, code), [])
            # Bench cases start with REG ready at version 2 and every other step locked at version 1.
            initial_state, initial_version = ("ready", 2) if code == "REG" else ("locked", 1)
            expected_state = history[-1] if history else initial_state
            if state != expected_state or version != initial_version + len(history):
                problems["step_disagrees_with_events"].append(
                    [n, code, state, version, expected_state, initial_version + len(history)])

        def satisfied(st_: tuple) -> bool:
            return st_[0] == "waived" or (st_[0] == "done" and not st_[2])

        clear_case = all(
            s[0] != "rejected" and not (s[0] == "done" and s[2])
            and (s[4] or s[5] or satisfied(s))
            for s in case_steps.values()
        )
        for code, s in case_steps.items():
            prereq = s[3] or []
            if s[0] == "locked" and all(satisfied(case_steps[p]) for p in prereq if p in case_steps) and (
                    not s[5] or clear_case):
                problems["left_locked_after_prerequisites_met"].append([n, code])
    return {
        "acknowledged": len(ack_set),
        "events_checked": len(events),
        "cases_checked": len(by_case),
        "problems": {k: {"count": len(v), "first": v[:10]} for k, v in problems.items()},
        "ok": not problems,
    }


def in_doubt_fates(url: str, in_doubt: list[tuple[str, str, str]], acks: set[tuple[str, str, str]]) -> dict:
    """What became of the requests cut off by a kill: applied (its event exists) or not."""
    applied = 0
    with psycopg.connect(url) as conn:
        for n, code, action in in_doubt:
            row = conn.execute(
                """SELECT count(*) FROM journey_event e JOIN journey_case c ON c.id = e.case_id
                   JOIN journey_step s ON s.id = e.step_id WHERE c.number = %s AND s.code = %s AND e.kind = %s""",
                (n, code, KIND[action]),
            ).fetchone()
            applied += row[0] > 0
    return {"in_doubt": len(in_doubt), "applied": applied, "not_applied": len(in_doubt) - applied,
            "acknowledged_after_retry": sum(1 for t in in_doubt if t in acks)}


# --- main ----------------------------------------------------------------------------------------------

def tokens_for(url: str) -> dict[str, dict[str, Any]]:
    """Desk officers and tokens, made in a subprocess (-P: no script directory on its path)."""
    out = st.run([sys.executable, "-P", str(Path(__file__).resolve()), "--_tokens"], st.django_env(url))
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=3000, help="bench cases the database must hold")
    parser.add_argument("--kills", type=int, default=3, help="how many times gunicorn is SIGKILLed")
    parser.add_argument("--load-seconds", type=float, default=6.0, help="load before each kill (and after the last)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--database-url", default=os.environ.get("CRASH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--out", type=Path, default=st.RESULTS / "crash.json")
    parser.add_argument("--_tokens", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._tokens:
        st.make_tokens()
        return
    url = args.database_url
    st.RESULTS.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()

    st.prepare_database(url, fresh=args.fresh)
    st.migrate_and_load(url)
    tokens = tokens_for(url)
    st.generate_cases(url, args.cases, tokens["DISNAKER"]["user_id"])
    st.ensure_rule_inputs(url)
    with psycopg.connect(url) as conn:
        _, defs = st.step_definitions(conn)
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    order, bodies = st.outcome_bodies(url, defs)
    journey = st.Journey(order, defs, tokens, bodies)
    fresh, reserved = st.cases_to_walk(url)
    cases = fresh + reserved
    if len(cases) < args.connections * 10:
        print("WARNING: few untouched cases left; add --fresh or raise --cases")
    read_headers = {"Authorization": f"Bearer {tokens['DISNAKER']['token']}"}
    # Production settings (DEBUG=0) want a card signing key for the CARD step: a throw-away one for this run.
    os.environ.setdefault("SATUATAP_CARD_PRIVATE_KEY", Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode())

    server = Server(url, args.workers)
    restarts: list[dict[str, Any]] = []
    record = Record()
    stop = threading.Event()
    lists = [cases[i::args.connections] for i in range(args.connections)]
    print(f"{len(cases):,} untouched cases; {args.connections} connections, {args.workers} gunicorn workers, "
          f"{args.kills} kills after {args.load_seconds:g} s of load each")
    startup = server.start(read_headers)
    threads = [threading.Thread(target=client_loop, args=(i, server, journey, lists[i], stop, record, read_headers),
                                daemon=True) for i in range(args.connections)]
    t_load = time.perf_counter()
    for t in threads:
        t.start()
    try:
        for k in range(args.kills):
            time.sleep(args.load_seconds)
            acks_before, doubt_before = len(record.acks), len(record.in_doubt)
            killed = server.kill()
            t_kill = time.perf_counter()
            time.sleep(0.5)  # clients notice the dead server
            # What the cut-off requests had done when the server died (before any retry can act).
            at_kill = in_doubt_fates(url, record.in_doubt[doubt_before:], set())
            down_for = server.start(read_headers) + 0.5
            restarts.append({"kill": k + 1, "at_s": round(t_kill - t_load, 2), "processes_killed": killed,
                             "acks_before_kill": acks_before, "cut_off": at_kill["in_doubt"],
                             "cut_off_already_applied": at_kill["applied"], "restart_s": round(down_for, 2)})
            print(f"kill {k + 1}: SIGKILL to {killed} processes after {acks_before:,} acknowledged transitions; "
                  f"{at_kill['in_doubt']} requests cut off ({at_kill['applied']} already applied); "
                  f"back in {down_for:.1f} s")
        time.sleep(args.load_seconds)
    finally:
        stop.set()
        server.up.set()
        for t in threads:
            t.join(timeout=60)
        server.stop()
    elapsed = time.perf_counter() - t_load

    touched = {n for n, _, _ in record.acks} | {n for n, _, _ in record.in_doubt}
    result = verify(url, record.acks, touched)
    fates = in_doubt_fates(url, record.in_doubt, set(record.acks))
    res: dict[str, Any] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "postgres": pg_version, "loadavg_after": os.getloadavg()},
        "config": {"workers": args.workers, "connections": args.connections, "kills": args.kills,
                   "load_seconds": args.load_seconds, "cases": args.cases,
                   "database": psycopg.conninfo.conninfo_to_dict(url).get("dbname")},
        "source": st.source_state(),
        "load": {"seconds": round(elapsed, 1), "acknowledged": len(record.acks),
                 "per_s": round(len(record.acks) / elapsed, 1), "replayed_2xx": record.replayed,
                 "journeys_finished": record.journeys, "statuses": dict(record.statuses),
                 "samples": record.samples, "first_startup_s": round(startup, 2)},
        "restarts": restarts,
        "in_doubt": {**fates, "retry_with_same_key": dict(record.retry_outcomes)},
        "verification": result,
        "total_run_s": round(time.perf_counter() - t_start, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2) + "\n")

    print(f"\n{len(record.acks):,} acknowledged transitions in {elapsed:.1f} s ({res['load']['per_s']:,.1f}/s) "
          f"across {args.kills} SIGKILLs; {record.journeys} journeys finished")
    print(f"cut off by a kill: {fates['in_doubt']} requests, {sum(r['cut_off_already_applied'] for r in restarts)} "
          f"applied before the kill; after the retries {fates['applied']} applied, {fates['not_applied']} not; "
          f"same-key retries: {dict(record.retry_outcomes)}")
    print(f"checked {result['events_checked']:,} events of {result['cases_checked']:,} cases: "
          + ("every acknowledged transition present exactly once, no step half-changed"
             if result["ok"] else f"PROBLEMS {json.dumps(result['problems'])}"))
    if record.samples:
        print("non-2xx samples:", *record.samples, sep="\n  ")
    print(f"\nwritten {args.out}")
    if not result["ok"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
