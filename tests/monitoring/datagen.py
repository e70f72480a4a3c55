"""Writes the monitoring generator's rows with the ORM (the benchmark writes the same rows with COPY)."""

from __future__ import annotations

import datetime as dt

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from satuatap.journey.models import Case, Event, Step
from satuatap.monitoring import generate
from satuatap.monitoring import selectors as monitoring_selectors
from satuatap.placement.models import JobOrderLink
from satuatap.registry.models import Worker
from tests import factories

JOBS = [("JO-MON-HK", "HK", "DOMESTIC_WORKER"), ("JO-MON-TW", "TW", "ELDERLY_CARER"),
        ("JO-MON-MY", "MY", "FACTORY_OPERATOR"), ("JO-MON-JP", "JP", "CAREGIVER_NURSING"),
        ("JO-MON-KR", "KR", "FACTORY_OPERATOR")]


def _next(model) -> int:
    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def write_generated(*, cases: int, first_day: dt.date, last_day: dt.date, seed: int = 7,
                    now: dt.datetime | None = None) -> int:
    for number, country, job in JOBS:
        factories.job_order(number, country=country, job=job)
    universe = monitoring_selectors.generation_universe(job_order_numbers=[n for n, _, _ in JOBS])
    ids = generate.Ids(worker=_next(Worker), case=_next(Case), step=_next(Step), event=_next(Event),
                       link=_next(JobOrderLink))
    written = 0
    for chunk in generate.generate(universe=universe, cases=cases, first_day=first_day, last_day=last_day, ids=ids,
                                   seed=seed, now=now, number_prefix=f"G{seed}"):
        Worker.objects.bulk_create([Worker(**w) for w in chunk.workers])
        Case.objects.bulk_create([Case(**c) for c in chunk.cases])
        Step.objects.bulk_create([Step(**s) for s in chunk.steps])
        Event.objects.bulk_create([Event(**e) for e in chunk.events])
        JobOrderLink.objects.bulk_create([JobOrderLink(**link) for link in chunk.links])
        written += len(chunk.cases)
    # Rows were written with explicit ids: move PostgreSQL's sequences past them (SQLite needs nothing).
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Worker, Case, Step, Event, JobOrderLink]):
            cursor.execute(statement)
    return written
