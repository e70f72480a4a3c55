"""Retention: closed records are anonymised after SATUATAP_RETENTION_YEARS (UU 27/2022 art. 43: personal data
is erased or anonymised once the retention period ends). Statistics keep their columns (see services.worker_anonymise).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from satuatap.registry import selectors, services
from satuatap.registry.models import Worker


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
        for worker in Worker.objects.filter(pk__in=ids).order_by("pk"):
            services.worker_anonymise(worker=worker, reason=f"retensi {years} tahun / retention {years} years")
    return RetentionReport(cutoff=cutoff, years=years, anonymised=ids, dry_run=dry_run)
