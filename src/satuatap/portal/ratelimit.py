"""Failed status lookups counted per client address in the cache, so case number + birth date cannot be guessed.

A fixed window: the first failure opens a window of PORTAL_LOOKUP_WINDOW_SECONDS (10 minutes); after
PORTAL_LOOKUP_FAILURE_LIMIT failures in it every lookup from that address is refused (HTTP 429), even a right
one, until the window ends. A success does not reset the count (an attacker knowing one case could reset it).
Both numbers may be set in settings; the cache is settings.PORTAL_RATELIMIT_CACHE (default "default").
With several server processes the cache must be shared (database or Redis cache), or each counts alone.
"""

from __future__ import annotations

from django.conf import settings

from satuatap.core.ratelimit import client_address, counter_add, counter_get

DEFAULT_FAILURE_LIMIT = 5
DEFAULT_WINDOW_SECONDS = 600
_SCOPE = "portal:lookup-fail"
__all__ = ["client_address", "failure_limit", "is_blocked", "record_failure", "window_seconds"]


def failure_limit() -> int:
    return int(getattr(settings, "PORTAL_LOOKUP_FAILURE_LIMIT", DEFAULT_FAILURE_LIMIT))


def window_seconds() -> int:
    return int(getattr(settings, "PORTAL_LOOKUP_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))


def _cache_alias() -> str:
    return getattr(settings, "PORTAL_RATELIMIT_CACHE", "default")


def is_blocked(address: str) -> bool:
    return counter_get(_SCOPE, address, cache_alias=_cache_alias()) >= failure_limit()


def record_failure(address: str) -> int:
    """Count one failed lookup; returns the count in the current window."""
    return counter_add(_SCOPE, address, window_seconds=window_seconds(), cache_alias=_cache_alias())
