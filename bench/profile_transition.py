"""Where one step transition spends its time: Django's test client, in-process, against the bench database.

    .venv/bin/python bench/profile_transition.py [--cases 10] [--database-url postgres://…/satuatap_bench]

Run `step_throughput.py` first (it creates the database and the bench cases). This script walks a few untouched
bench cases through their journey (start + complete of every step in JOURNEY_ORDER, by each step's desk officer)
three times over: a warm-up, a timed pass that also records every SQL statement, and a pass under cProfile.
It prints per-transition wall time, queries per transition (by statement shape) and the cumulative time of the
parts of a request (auth, Ninja input parsing, the service and its pieces, output building, response
validation and rendering, middleware), and writes bench/results/profile_transition.{json,txt}.

The test client skips gunicorn's HTTP parsing and adds a little of its own; cProfile inflates Python-heavy parts
more than database waits. Read the figures as shares, not as absolute costs.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import json
import os
import pstats
import random
import re
import time
from pathlib import Path
from typing import Any

from step_throughput import DEFAULT_URL, RESULTS, cases_to_walk, django_env, ensure_tokens

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
    ("      Step bulk_update", "django/db/models/query.py", "bulk_update"),
    ("      Event bulk_create", "django/db/models/query.py", "bulk_create"),
    ("      Case.save", "django/db/models/base.py", "save"),
    ("    transaction commit (Atomic.__exit__)", "django/db/transaction.py", "__exit__"),
    ("  output: _transition_out", "satuatap/journey/api.py", "_transition_out"),
    ("    _step_out (14 StepOut per answer)", "satuatap/journey/api.py", "_step_out"),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10, help="cases per pass (28 transitions each)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
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
    need = 2 + 2 * args.cases
    if len(fresh) < need:
        raise SystemExit(f"only {len(fresh)} untouched bench cases; run step_throughput.py --fresh")
    picked = fresh[-need:]  # from the end: the throughput run takes from the start
    warm, timed, profiled = picked[:2], picked[2 : 2 + args.cases], picked[2 + args.cases :]

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
        t0 = time.perf_counter()
        n_timed, statuses_timed = walk(timed)
        wall = time.perf_counter() - t0

    profiler = cProfile.Profile()
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

    result: dict[str, Any] = {
        "transitions_timed": n_timed,
        "statuses_timed": statuses_timed,
        "wall_ms_per_transition": round(1000 * wall / n_timed, 3),
        "queries_per_transition": round(qlog.count / n_timed, 2),
        "db_ms_per_transition": round(1000 * qlog.seconds / n_timed, 3),
        "query_shapes_per_transition": {
            shape: round(c / n_timed, 2) for shape, c in qlog.shapes.most_common()
        },
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

    print(f"timed pass: {n_timed} transitions, {result['wall_ms_per_transition']} ms each (no profiler), "
          f"{result['queries_per_transition']} queries and {result['db_ms_per_transition']} ms in SQL each "
          f"(+ the health-check SELECT 1, which execute_wrapper does not see)")
    print("\nqueries per transition, by shape:")
    for shape, per in result["query_shapes_per_transition"].items():
        print(f"  {per:6.2f}  {shape}")
    print(f"\nprofiled pass: {n_prof} transitions, {result['profiled_wall_ms_per_transition']} ms each under cProfile")
    print(f"{'part':44}{'ms/transition':>14}{'calls':>8}")
    for p in parts:
        print(f"{p['part']:44}{p['ms_per_transition']:>14.3f}{p['calls_per_transition']:>8.2f}")
    print(f"\nwritten {RESULTS / 'profile_transition.json'} and profile_transition.txt")


if __name__ == "__main__":
    main()
