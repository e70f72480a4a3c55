"""Where one step transition spends its time: Django's test client, in-process, against the bench database.

    .venv/bin/python bench/profile_transition.py [--cases 10] [--timer wall|cpu] [--database-url postgres://…]

Run `step_throughput.py` first (it creates the database and the bench cases). This script walks untouched bench
cases through their journey (start + complete of every step in JOURNEY_ORDER, by each step's desk officer) in
four passes of --cases cases each (28 transitions per case), after a warm-up:

1. timed: wall and CPU time per transition, and every SQL statement (count and shape per transition);
2. instrumented: the main functions of a request wrapped with timers (wall, this thread's CPU, and SQL time
   spent inside each), cheap enough not to distort the figures: the table to read first;
3. cProfile: the same parts from the profile, plus the full profile in profile_transition.{txt,prof}.

The test client skips gunicorn's HTTP parsing and adds a little of its own; cProfile inflates Python-heavy parts
more than database waits, so read its parts as shares. Writes bench/results/profile_transition.{json,txt,prof}.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Python puts this script's directory first on sys.path, where bench/queue.py would shadow the standard library's
# `queue` (psycopg, httpx and tqdm import it): take bench/ off the path before anything else is imported.
# ruff: noqa: E402
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import collections
import cProfile
import functools
import importlib.util
import io
import json
import os
import pstats
import random
import re
import time
from pathlib import Path
from typing import Any

_ST_FILE = Path(__file__).resolve().with_name("step_throughput.py")
_spec = importlib.util.spec_from_file_location("step_throughput", _ST_FILE)
_st = importlib.util.module_from_spec(_spec)
sys.modules["step_throughput"] = _st
_spec.loader.exec_module(_st)
DEFAULT_URL, RESULTS, cases_to_walk, django_env, ensure_tokens = (
    _st.DEFAULT_URL, _st.RESULTS, _st.cases_to_walk, _st.django_env, _st.ensure_tokens
)

# (label, path fragment of the file, function name): cumulative time of each, per transition.
PARTS: list[tuple[str, str, str]] = [
    ("whole request (test client)", "django/test/client.py", "request"),
    ("Django handler + middleware", "django/core/handlers/base.py", "get_response"),
    ("  LocaleMiddleware", "django/middleware/locale.py", "process_request"),
    ("  SessionMiddleware response", "django/contrib/sessions/middleware.py", "process_response"),
    ("Ninja view (operation.run)", "ninja/operation.py", "run"),
    ("  auth: BearerAuth.authenticate", "satuatap/accounts/api.py", "authenticate"),
    ("    api_token_authenticate", "satuatap/accounts/services.py", "api_token_authenticate"),
    ("  input parsing (_get_values)", "ninja/operation.py", "_get_values"),
    ("  service: step_start", "satuatap/journey/services.py", "step_start"),
    ("  service: step_complete", "satuatap/journey/services.py", "step_complete"),
    ("    _lock_case", "satuatap/journey/services.py", "_lock_case"),
    ("    _load_ctx", "satuatap/journey/services.py", "_load_ctx"),
    ("    _authorize_step", "satuatap/journey/services.py", "_authorize_step"),
    ("    _office_desks", "satuatap/journey/services.py", "_office_desks"),
    ("    validate_outcome", "satuatap/journey/outcomes.py", "validate_outcome"),
    ("    _unlock_ready_steps", "satuatap/journey/services.py", "_unlock_ready_steps"),
    ("    _sync_case_status", "satuatap/journey/services.py", "_sync_case_status"),
    ("    _save", "satuatap/journey/services.py", "_save"),
    ("      Step UPDATE (QuerySet.update)", "django/db/models/query.py", "update"),
    ("      Step bulk_update (older _save)", "django/db/models/query.py", "bulk_update"),
    ("      Event bulk_create", "django/db/models/query.py", "bulk_create"),
    ("      Case.save", "django/db/models/base.py", "save"),
    ("    transaction commit (Atomic.__exit__)", "django/db/transaction.py", "__exit__"),
    ("  output: _transition_answer", "satuatap/journey/api.py", "_transition_answer"),
    ("    _step_data (each changed step)", "satuatap/journey/api.py", "_step_data"),
    ("  response: _result_to_response", "ninja/operation.py", "_result_to_response"),
    ("    JSON render", "ninja/renderers.py", "render"),
    ("    Ninja DjangoGetter root validator", "ninja/schema.py", "_run_root_validator"),
    ("pydantic model_validate (all)", "pydantic/main.py", "model_validate"),
    ("DB: psycopg cursor.execute (all)", "psycopg/cursor.py", "execute"),
    ("DB: health check SELECT 1 (is_usable)", "django/db/backends/postgresql/base.py", "is_usable"),
    ("DB: connection.commit", "django/db/backends/base/base.py", "commit"),
]

_NUM = re.compile(r"\b\d+\b|'[^']*'")


class QueryLog:
    def __init__(self) -> None:
        self.shapes: collections.Counter[str] = collections.Counter()
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - t0
            self.count += 1
            self.shapes[_NUM.sub("?", " ".join(sql.split()))[:150]] += 1


class Parts:
    """Inclusive wall, thread-CPU and SQL seconds of wrapped functions."""

    def __init__(self, qlog: QueryLog) -> None:
        self.qlog = qlog
        self.wall: collections.Counter[str] = collections.Counter()
        self.cpu: collections.Counter[str] = collections.Counter()
        self.sql: collections.Counter[str] = collections.Counter()
        self.calls: collections.Counter[str] = collections.Counter()
        self.order: list[str] = []
        self._restore: list[tuple[object, str, object]] = []

    def wrap(self, label: str, owner: object, attr: str | int) -> None:
        """Time calls of owner.attr (or owner[attr] for a list of registered listeners)."""
        original = owner[attr] if isinstance(owner, list) else getattr(owner, attr)
        if label not in self.order:
            self.order.append(label)
        qlog = self.qlog

        @functools.wraps(original)
        def timed(*args, **kwargs):
            w0, c0, s0 = time.perf_counter(), time.thread_time(), qlog.seconds
            try:
                return original(*args, **kwargs)
            finally:
                self.wall[label] += time.perf_counter() - w0
                self.cpu[label] += time.thread_time() - c0
                self.sql[label] += qlog.seconds - s0
                self.calls[label] += 1

        self._restore.append((owner, attr, original))
        if isinstance(owner, list):
            owner[attr] = timed
        else:
            setattr(owner, attr, timed)

    def restore(self) -> None:
        for owner, attr, original in reversed(self._restore):
            if isinstance(owner, list):
                owner[attr] = original
            else:
                setattr(owner, attr, original)
        self._restore.clear()

    def table(self, n: int) -> list[dict[str, Any]]:
        return [
            {"part": label, "wall_ms": round(1000 * self.wall[label] / n, 3),
             "cpu_ms": round(1000 * self.cpu[label] / n, 3), "sql_ms": round(1000 * self.sql[label] / n, 3),
             "calls_per_transition": round(self.calls[label] / n, 2)}
            for label in self.order
        ]


def instrument(parts: Parts) -> None:
    from django.core.handlers.base import BaseHandler
    from ninja.operation import Operation

    from satuatap.accounts import services as account_services
    from satuatap.accounts.api import BearerAuth
    from satuatap.journey import api as journey_api
    from satuatap.journey import services

    parts.wrap("request: Django handler (middleware + view)", BaseHandler, "get_response")
    parts.wrap("  Ninja view (Operation.run)", Operation, "run")
    parts.wrap("    auth: BearerAuth.authenticate", BearerAuth, "authenticate")
    parts.wrap("      api_token_authenticate", account_services, "api_token_authenticate")
    parts.wrap("    input: Operation._get_values", Operation, "_get_values")
    parts.wrap("    service: step_start/step_complete (+ commit)", services, "step_start")
    parts.wrap("    service: step_start/step_complete (+ commit)", services, "step_complete")
    for name in ("_lock_case", "_load_ctx", "_authorize_step", "validate_outcome", "_office_desks",
                 "_unlock_ready_steps", "_sync_case_status", "_save"):
        parts.wrap(f"      {name}", services, name)
    parts.wrap("      _rules_decision (complete)", services, "_rules_decision")
    parts.wrap("        _worker_rule_inputs", services, "_worker_rule_inputs")
    parts.wrap("        job_order_for_case", services.placement_selectors, "job_order_for_case")
    parts.wrap("        case_rules_evaluate", services.placement_services, "case_rules_evaluate")
    for i, listener in enumerate(list(services._tx_listeners)):
        parts.wrap(f"        in-transaction listener {listener.__module__}", services._tx_listeners, i)
    parts.wrap("      after commit: _dispatch", services, "_dispatch")
    parts.wrap("    output: journey.api._transition_answer", journey_api, "_transition_answer")
    parts.wrap("    response: Operation._result_to_response", Operation, "_result_to_response")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10, help="cases per pass (28 transitions each)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--timer", choices=("wall", "cpu"), default="wall",
                        help="cpu: this process's CPU time only (no database waits; steadier on a busy machine)")
    args = parser.parse_args()
    url = args.database_url
    os.environ.update(django_env(url))

    import django

    django.setup()
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.utils import timezone

    from satuatap.journey.models import Step
    from satuatap.web.demo import JOURNEY_ORDER, sample_outcome

    fresh, _ = cases_to_walk(url)
    need = 2 + 3 * args.cases
    if len(fresh) < need:
        raise SystemExit(f"only {len(fresh)} untouched bench cases; run step_throughput.py --fresh")
    picked = fresh[-need:]  # from the end: the throughput run takes from the start
    n = args.cases
    warm, timed, instrumented, profiled = picked[:2], picked[2 : 2 + n], picked[2 + n : 2 + 2 * n], picked[2 + 2 * n :]

    tokens = ensure_tokens()
    first = Step.objects.select_related("definition").filter(case__number=picked[0])
    defs = {s.code: (s.agency_id, s.definition.outcome_type) for s in first}
    today = timezone.localdate()
    rng = random.Random(7)
    client = Client()

    def walk(numbers: list[str]) -> tuple[int, dict[int, int]]:
        statuses: collections.Counter[int] = collections.Counter()
        n = 0
        for number in numbers:
            for code in JOURNEY_ORDER:
                agency, outcome_type = defs[code]
                auth = f"Bearer {tokens[agency]['token']}"
                base = f"/api/v1/cases/{number}/steps/{code}"
                for action, body in (
                    ("start", {}),
                    ("complete", {"outcome": sample_outcome(outcome_type, rng, today)}),
                ):
                    # gunicorn's request_started does this (the test client skips it): with CONN_HEALTH_CHECKS
                    # the first query of the request is then preceded by a SELECT 1.
                    close_old_connections()
                    r = client.post(f"{base}/{action}", data=json.dumps(body), content_type="application/json",
                                    HTTP_AUTHORIZATION=auth)
                    statuses[r.status_code] += 1
                    n += 1
                    if r.status_code != 200:
                        print(r.status_code, base, action, r.content[:300])
        return n, dict(statuses)

    walk(warm)

    qlog = QueryLog()
    with connection.execute_wrapper(qlog):
        t0, c0 = time.perf_counter(), time.process_time()
        n_timed, statuses_timed = walk(timed)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0

    ilog = QueryLog()
    parts_timer = Parts(ilog)
    instrument(parts_timer)
    try:
        with connection.execute_wrapper(ilog):
            n_inst, statuses_inst = walk(instrumented)
    finally:
        parts_timer.restore()
    inst_table = parts_timer.table(n_inst)

    profiler = cProfile.Profile(time.process_time) if args.timer == "cpu" else cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    n_prof, statuses_prof = walk(profiled)
    profiler.disable()
    wall_prof = time.perf_counter() - t0

    stats = pstats.Stats(profiler)
    parts = []
    for label, path, func in PARTS:
        cum, calls = 0.0, 0
        for (filename, _line, name), (_cc, nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
            if name == func and filename.replace(os.sep, "/").endswith(path):
                cum += ct
                calls += nc
        parts.append({"part": label, "ms_per_transition": round(1000 * cum / n_prof, 3),
                      "calls_per_transition": round(calls / n_prof, 2)})

    by_label = {p["part"]: p["ms_per_transition"] for p in parts}
    parts.insert(2, {"part": "  middleware (handler minus view)", "calls_per_transition": 1.0,
                     "ms_per_transition": round(by_label["Django handler + middleware"]
                                                - by_label["Ninja view (operation.run)"], 3)})
    profiler.dump_stats(RESULTS / "profile_transition.prof")

    result: dict[str, Any] = {
        "transitions_timed": n_timed,
        "statuses_timed": statuses_timed,
        "wall_ms_per_transition": round(1000 * wall / n_timed, 3),
        "python_cpu_ms_per_transition": round(1000 * cpu / n_timed, 3),
        "queries_per_transition": round(qlog.count / n_timed, 2),
        "db_ms_per_transition": round(1000 * qlog.seconds / n_timed, 3),
        "query_shapes_per_transition": {
            shape: round(c / n_timed, 2) for shape, c in qlog.shapes.most_common()
        },
        "transitions_instrumented": n_inst,
        "statuses_instrumented": statuses_inst,
        "instrumented_parts": inst_table,
        "profile_timer": args.timer,
        "transitions_profiled": n_prof,
        "statuses_profiled": statuses_prof,
        "profiled_wall_ms_per_transition": round(1000 * wall_prof / n_prof, 3),
        "parts": parts,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "profile_transition.json").write_text(json.dumps(result, indent=2) + "\n")
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(40)
    Path(RESULTS / "profile_transition.txt").write_text(text.getvalue())

    print(f"timed pass: {n_timed} transitions, {result['wall_ms_per_transition']} ms each (no profiler; "
          f"{result['python_cpu_ms_per_transition']} ms CPU in this process), "
          f"{result['queries_per_transition']} queries and {result['db_ms_per_transition']} ms in SQL each "
          f"(+ the health-check SELECT 1, which execute_wrapper does not see)")
    print("\nqueries per transition, by shape:")
    for shape, per in result["query_shapes_per_transition"].items():
        print(f"  {per:6.2f}  {shape}")
    print(f"\ninstrumented pass: {n_inst} transitions; per transition, inclusive:")
    print(f"{'part':52}{'wall ms':>9}{'cpu ms':>9}{'sql ms':>9}{'calls':>7}")
    for p in inst_table:
        print(f"{p['part']:52}{p['wall_ms']:>9.3f}{p['cpu_ms']:>9.3f}{p['sql_ms']:>9.3f}"
              f"{p['calls_per_transition']:>7.2f}")
    print(f"\nprofiled pass ({args.timer} timer): {n_prof} transitions, "
          f"{result['profiled_wall_ms_per_transition']} ms wall each under cProfile")
    print(f"{'part':44}{'ms/transition':>14}{'calls':>8}")
    for p in parts:
        print(f"{p['part']:44}{p['ms_per_transition']:>14.3f}{p['calls_per_transition']:>8.2f}")
    print(f"\nwritten {RESULTS / 'profile_transition.json'}, .txt and .prof (pstats)")


if __name__ == "__main__":
    main()
