"""Failed status lookups counted per client address in the cache, so case number + birth date cannot be guessed.

A fixed window: the first failure opens a window of PORTAL_LOOKUP_WINDOW_SECONDS (10 minutes); after
PORTAL_LOOKUP_FAILURE_LIMIT failures in it every lookup from that address is refused (HTTP 429), even a right
one, until the window ends. A success does not reset the count (an attacker knowing one case could reset it).
Both numbers may be set in settings; the cache is settings.PORTAL_RATELIMIT_CACHE (default "default").
With several server processes the cache must be shared (database or Redis cache), or each counts alone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches

DEFAULT_FAILURE_LIMIT = 5
DEFAULT_WINDOW_SECONDS = 600
_PREFIX = "portal:lookup-fail:"


def failure_limit() -> int:
    return int(getattr(settings, "PORTAL_LOOKUP_FAILURE_LIMIT", DEFAULT_FAILURE_LIMIT))


def window_seconds() -> int:
    return int(getattr(settings, "PORTAL_LOOKUP_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))


def _cache():
    return caches[getattr(settings, "PORTAL_RATELIMIT_CACHE", "default")]


def client_address(request) -> str:
    """The peer address. A reverse proxy must pass the real one in REMOTE_ADDR (e.g. gunicorn's forwarded-allow-ips
    with a proxy-fix), because a client-supplied X-Forwarded-For would let anyone dodge the limit."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def is_blocked(address: str) -> bool:
    return int(_cache().get(_PREFIX + address, 0)) >= failure_limit()


def record_failure(address: str) -> int:
    """Count one failed lookup; returns the count in the current window."""
    cache = _cache()
    key = _PREFIX + address
    cache.add(key, 0, timeout=window_seconds())
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=window_seconds())
        return 1
