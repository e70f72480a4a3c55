"""Delivery policy of the outbox (configuration, not settings: change here or via the environment)."""

from __future__ import annotations

import datetime as dt
import os


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


# A message is tried this many times in all, then left "dead" for a person to look at.
MAX_ATTEMPTS = _env_int("NOTIFY_MAX_ATTEMPTS", 6)
# Exponential backoff after the n-th failed attempt: BASE * 2**(n-1), at most MAX (1, 2, 4, 8, 16 min …).
BACKOFF_BASE = dt.timedelta(seconds=_env_int("NOTIFY_BACKOFF_BASE_SECONDS", 60))
BACKOFF_MAX = dt.timedelta(seconds=_env_int("NOTIFY_BACKOFF_MAX_SECONDS", 6 * 3600))
# A "sending" claim older than this belongs to a worker that died mid-send: the sweep makes it retryable.
SENDING_LEASE = dt.timedelta(minutes=10)
# A delivery task enqueued this long ago without running is assumed lost and enqueued again by the sweep.
ENQUEUE_STALE_AFTER = dt.timedelta(minutes=15)
# Seconds to wait for an SMS / WhatsApp gateway before counting the attempt as failed.
HTTP_TIMEOUT_SECONDS = _env_int("NOTIFY_HTTP_TIMEOUT_SECONDS", 10)
# SMS bodies longer than this are cut (3 concatenated GSM-7 segments); e-mail and WhatsApp are not cut.
SMS_MAX_CHARS = 459


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next attempt after `attempts` failed attempts."""
    delay = BACKOFF_BASE * (2 ** max(0, attempts - 1))
    return min(delay, BACKOFF_MAX)
