"""Background work of the registry (django-tasks: `satuatap db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from satuatap.registry import retention


@task()
def registry_retention() -> dict[str, object]:
    """Anonymise workers whose cases all closed more than SATUATAP_RETENTION_YEARS ago (daily; idempotent)."""
    report = retention.retention_run()
    return {"cutoff": report.cutoff.isoformat(), "years": report.years, "anonymised": len(report.anonymised)}
