"""Background work of the Crisis Center (django-tasks: `satuatap db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from satuatap.crisis import services


@task()
def crisis_timers() -> dict[str, list[str]]:
    """Apply the Perban 6/2024 art. 30 closure timers (warnings, then closures); idempotent."""
    report = services.complaints_timers_run()
    return {"warned": report.warned, "closed": report.closed}
