"""Retention: closed records are anonymised after SATUATAP_RETENTION_YEARS (UU 27/2022 art. 43: personal data
is erased or anonymised once the retention period ends). Statistics keep their columns (see services.worker_anonymise).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from satuatap.journey import services as journey_services
from satuatap.registry import selectors, services
from satuatap.registry.models import Worker

# The journey's part of anonymisation (step outcomes and reasons, event payloads, uploaded documents of closed
# cases) is the journey's to write; until `journey.services.worker_cases_anonymise(*, worker_id)` exists, only
# the registry's own tables are anonymised (see the trust report).
_JOURNEY_HOOK = "worker_cases_anonymise"


@dataclass(frozen=True)
class RetentionReport:
    cutoff: dt.datetime
    years: int
    anonymised: list[int]
    dry_run: bool


def retention_run(*, now: dt.datetime | None = None, years: int | None = None, limit: int | None = None,
                  dry_run: bool = False) -> RetentionReport:
    """Anonymise every worker whose cases all closed more than the retention period ago; idempotent, one
    transaction per worker so a long run can be interrupted and resumed."""
    years = selectors.retention_years() if years is None else years
    cutoff = selectors.retention_cutoff(now=now, years=years)
    ids = list(selectors.workers_due_for_anonymisation(cutoff=cutoff).values_list("pk", flat=True))
    if limit:
        ids = ids[:limit]
    if not dry_run:
        clear_cases = getattr(journey_services, _JOURNEY_HOOK, None)
        for worker in Worker.objects.filter(pk__in=ids).order_by("pk"):
            with transaction.atomic():
                services.worker_anonymise(worker=worker, reason=f"retensi {years} tahun / retention {years} years")
                if clear_cases is not None:
                    clear_cases(worker_id=worker.pk)
    return RetentionReport(cutoff=cutoff, years=years, anonymised=ids, dry_run=dry_run)
