"""The hand-over from services to the task queue.

Services may not import the tasks layer (import-linter: api | views | tasks | admin → services | selectors →
models), yet `message_queue` must schedule a delivery when its transaction commits. So `NotifyConfig.ready()`
registers the task's enqueue function here, and services call `schedule_delivery`. When nothing is
registered (or the queue is down) the message stays queued and the `notify-retry` sweep picks it up.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

# (message_id, run_after or None) -> True when enqueued (False: the backend cannot defer to run_after)
Scheduler = Callable[[int, dt.datetime | None], bool]
_scheduler: Scheduler | None = None


def register_scheduler(scheduler: Scheduler) -> None:
    """Called once from NotifyConfig.ready() with the function that enqueues the `deliver` task."""
    global _scheduler
    _scheduler = scheduler


def schedule_delivery(message_id: int, *, run_after: dt.datetime | None = None) -> bool:
    """Enqueue delivery of one message (now, or not before `run_after`); False when it was not enqueued."""
    if _scheduler is None:
        log.warning("no delivery scheduler registered; message %s waits for the retry sweep", message_id)
        return False
    try:
        return _scheduler(message_id, run_after)
    except Exception:  # the queue being down must never undo the committed change that caused the message
        log.exception("could not enqueue delivery of message %s; the retry sweep will", message_id)
        return False
