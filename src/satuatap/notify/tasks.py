"""Background work of the outbox (django-tasks: `satuatap db_worker` runs them)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from satuatap.notify import services


@task()
def deliver(message_id: int) -> str:
    """Deliver one outbox message; safe to run twice (the second run finds nothing to claim)."""
    return services.message_deliver(message_id=message_id)


@task()
def notify_retry_due() -> int:
    """Re-enqueue due retries and rescue interrupted deliveries (run every minute or so)."""
    return services.messages_retry_due()


def enqueue_delivery(message_id: int, run_after: dt.datetime | None) -> bool:
    """The scheduler `NotifyConfig.ready()` registers for services: enqueue `deliver`, deferred if asked."""
    job = deliver
    if run_after is not None:
        if not job.get_backend().supports_defer:
            return False
        job = job.using(run_after=run_after)
    job.enqueue(message_id)
    return True
