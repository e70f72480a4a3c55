"""Interpreter instructions per step transition, satuatap against the bare baseline, counted by valgrind.

    .venv/bin/python bench/transition_instructions.py [--cases 3] [--database-url postgres://…]

Run `step_throughput.py` first (it makes the database, the bench cases and the desk officers). Requests/s on this
shared 2-core machine swing by a third from one minute to the next; instructions do not (two runs agree within
about 1 %). So this script answers "did the change make the request cheaper?" where the throughput ratio can't.

Each side runs in a child process under `valgrind --tool=callgrind` twice: once walking one warm-up case, once
walking the warm-up case and --cases more (28 transitions each, start then complete of every step, in process
through the WSGI callable: satuatap's `config.wsgi.application`, the bare side's `bare_app.application`). The
difference divided by the transitions walked is the cost of one transition in this process: the app, Django,
psycopg's client side. Not counted: the kernel (socket I/O), PostgreSQL and gunicorn's HTTP parsing, which
`step_throughput.py` measures in CPU time. Writes bench/results/transition_instructions.json.

With --floor it also counts what any API request costs before the engine does anything, each as 200 repetitions
minus none: a plain Django view answering JSON on the API lane (a URL added for the count), the same view with the
bearer-token check, `GET /api/v1/me` through Ninja, and reading 42 timestamps with Django's own timestamptz loader
against core.pgtime's compiled one (about 10 more minutes).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py would shadow the standard library's `queue` (see step_throughput.py)
# ruff: noqa: E402
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import importlib.util
import io
import json
import os
import random
import re
import shutil
import subprocess
import time

BENCH_DIR = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("step_throughput", BENCH_DIR / "step_throughput.py")
st = importlib.util.module_from_spec(_spec)
sys.modules["step_throughput"] = st
_spec.loader.exec_module(st)
RESULTS = st.RESULTS
# Under valgrind a request runs some fifty times slower, so Django's 60-second connection age would run out every
# few dozen transitions and the database connection would be opened again inside the count (a live server at load
# renews it once in many thousands of requests): the counting children keep their connection for the whole walk.
UNDER_VALGRIND = {"DATABASE_CONN_MAX_AGE": "3600"}
# The count is a difference of two processes (the warm-up case alone, then with the walked cases), and each one's
# start-up (imports, django.setup) costs well over a hundred times a transition. With string hashing randomised
# per process, that start-up differs between the two by enough to move the per-transition figure by several per
# cent; one fixed seed for every child makes their start-ups alike.
FIXED_HASHING = {"PYTHONHASHSEED": "0"}


def _environ(path: str, body: bytes, token: str) -> dict:
    return {
        "REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000", "HTTP_AUTHORIZATION": f"Bearer {token}", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def walk_child(side: str, url: str, cases: list[str], tokens: dict, plan: list) -> None:
    """In the child: walk each case through the journey, calling the side's WSGI callable in process."""
    if side == "satuatap":
        os.environ.update(st.django_env(url, **UNDER_VALGRIND))
        from satuatap.config.wsgi import application

        prefix = "/api/v1/cases"
    else:
        os.environ["DATABASE_URL"] = url
        sys.path.insert(0, str(BENCH_DIR / "baseline"))
        from bare_app import application

        prefix = "/bare/cases"
    for number in cases:
        for code, action, agency, body in plan:
            status: list[str] = []
            result = application(_environ(f"{prefix}/{number}/steps/{code}/{action}", body.encode(),
                                          tokens[agency]["token"]), lambda s, h, e=None, seen=status: seen.append(s))
            b"".join(result)
            if hasattr(result, "close"):
                result.close()
            if not status[0].startswith("2"):
                raise SystemExit(f"{side} {number} {code} {action}: {status[0]}")


FLOOR_KINDS = ("plain_view", "plain_view_token", "ninja_me", "timestamps_django", "timestamps_compiled")
FLOOR_REPEAT = 200


def floor_child(kind: str, url: str, token: str, repeat: int) -> None:
    """In the child: `repeat` requests (or reads) of one kind, after 20 to warm up."""
    os.environ.update(st.django_env(url, **UNDER_VALGRIND))
    import django

    django.setup()
    if kind.startswith("timestamps"):
        from django.db import connection
        from django.db.backends.postgresql.psycopg_any import register_tzloader

        sql = "SELECT t FROM generate_series(now() - interval '41 hours', now(), interval '1 hour') t"
        with connection.cursor() as cursor:
            if kind == "timestamps_django":
                register_tzloader(connection.timezone, cursor.cursor)  # Django's own loader, on this cursor
            for _ in range(20 + repeat):
                cursor.execute(sql)
                cursor.fetchall()
        return
    from django.http import JsonResponse
    from django.urls import clear_url_caches, path

    from satuatap.accounts import services as account_services
    from satuatap.config import urls

    def plain(request):
        return JsonResponse({"ok": True})

    def plain_token(request):
        user = account_services.api_token_authenticate(secret=request.META["HTTP_AUTHORIZATION"][7:])
        return JsonResponse({"username": user.username})

    urls.urlpatterns[:0] = [path("api/_count/plain", plain), path("api/_count/token", plain_token)]
    clear_url_caches()
    from satuatap.config.wsgi import application

    target = {"plain_view": "/api/_count/plain", "plain_view_token": "/api/_count/token", "ninja_me": "/api/v1/me"}
    for _ in range(20 + repeat):
        environ = _environ(target[kind], b"", token)
        environ["REQUEST_METHOD"] = "GET"
        status: list[str] = []
        result = application(environ, lambda s, h, e=None, seen=status: seen.append(s))
        b"".join(result)
        result.close()
        if not status[0].startswith("2"):
            raise SystemExit(f"{kind}: {status[0]}")


def journey_plan(url: str) -> list[tuple[str, str, str, str]]:
    os.environ.update(st.django_env(url))
    import django

    django.setup()
    from django.utils import timezone

    from satuatap.reference.models import StepDefinition
    from satuatap.web.demo import JOURNEY_ORDER, sample_outcome

    defs = {d.code: (d.agency_id, d.outcome_type) for d in StepDefinition.objects.filter(
        process__code=st.PROCESS_CODE, process__version=st.PROCESS_VERSION)}
    rng, today = random.Random(2026), timezone.localdate()
    plan = []
    for code in JOURNEY_ORDER:
        agency, outcome_type = defs[code]
        plan.append((code, "start", agency, "{}"))
        plan.append((code, "complete", agency, json.dumps({"outcome": sample_outcome(outcome_type, rng, today)})))
    return plan


def counted(job: dict) -> int:
    """Instructions of a child process doing `job` (valgrind's total)."""
    path = RESULTS / f"instructions_{job.get('side') or job['kind']}.json"
    path.write_text(json.dumps(job))
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, str(Path(__file__)),
         "--_child", str(path)], capture_output=True, text=True, check=False, env={**os.environ, **FIXED_HASHING},
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or not found:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"the child ({path.name}) failed under valgrind")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=3, help="cases walked after the warm-up (28 transitions each)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", st.DEFAULT_URL))
    parser.add_argument("--floor", action="store_true", help="also count the per-request floor (see above)")
    parser.add_argument("--only", choices=("satuatap", "bare"),
                        help="count one side only (quicker while iterating on one; no ratio, nothing written)")
    parser.add_argument("--_child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        job = json.loads(Path(args._child).read_text())
        if "kind" in job:
            floor_child(job["kind"], job["url"], job["token"], job["repeat"])
        else:
            walk_child(job["side"], job["url"], job["cases"], job["tokens"], job["plan"])
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed (Debian package valgrind)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    url = args.database_url
    tokens = st.tokens_for(url)
    plan = journey_plan(url)
    fresh, reserved = st.cases_to_walk(url)
    need = 2 * (1 + args.cases)
    if len(fresh) < need:
        raise SystemExit("too few untouched bench cases: run step_throughput.py --fresh")
    picks = fresh[-need:]  # from the end: the throughput runs take from the start
    out: dict = {"cases": args.cases, "transitions": args.cases * len(plan), "source": st.source_state()}
    t0 = time.perf_counter()
    for side, pool in (("satuatap", picks), ("bare", reserved[: 1 + args.cases])):
        if args.only not in (None, side):
            continue
        job = {"side": side, "url": url, "tokens": tokens, "plan": plan}
        base = counted({**job, "cases": pool[:1]})
        walked = pool[1 : 2 + args.cases] if side == "satuatap" else pool[: 1 + args.cases]
        total = counted({**job, "cases": walked})
        per = (total - base) / (args.cases * len(plan))
        out[side] = {"instructions_per_transition": round(per), "setup_instructions": base}
        print(f"{side:9} {per / 1e6:7.3f} M instructions per transition")
    if args.only:
        return
    out["ratio_bare_over_satuatap"] = round(out["bare"]["instructions_per_transition"]
                                           / out["satuatap"]["instructions_per_transition"], 3)
    out["run_s"] = round(time.perf_counter() - t0, 1)
    print(f"bare / satuatap = {out['ratio_bare_over_satuatap']}  ({out['run_s']} s)")
    if args.floor:
        out["floor"] = {}
        for kind in FLOOR_KINDS:
            job = {"kind": kind, "url": url, "token": tokens["DISNAKER"]["token"]}
            per = (counted({**job, "repeat": FLOOR_REPEAT}) - counted({**job, "repeat": 0})) / FLOOR_REPEAT
            if kind.startswith("timestamps"):
                per /= 42  # per value read
            out["floor"][kind] = round(per)
            unit = "per timestamp read" if kind.startswith("timestamps") else "per request"
            print(f"{kind:20} {per / 1e3:9.1f} k instructions {unit}")
    (RESULTS / "transition_instructions.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
