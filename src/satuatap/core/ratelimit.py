"""Per-client counters in Django's cache, for the public pages (status lookup, verification, complaints).

The client is REMOTE_ADDR only: a client-supplied X-Forwarded-For would let anyone dodge a limit, so a reverse
proxy must pass the real address in REMOTE_ADDR. With several server processes the cache must be shared
(REDIS_URL), or each process counts on its own.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import caches


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(scope: str, key: str, *suffix: object) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return ":".join(["satuatap:rl", scope, digest, *map(str, suffix)])


def window_hit(scope: str, key: str, *, limit: int, window_seconds: int, cache_alias: str = "default") -> bool:
    """Count one hit in the current fixed window; True while within `limit`, False once over it."""
    cache = caches[cache_alias]
    cache_key = _key(scope, key, int(time.time() // window_seconds))
    if cache.add(cache_key, 1, timeout=window_seconds + 5):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    return count <= limit


def counter_add(scope: str, key: str, *, window_seconds: int, cache_alias: str = "default") -> int:
    """Add one to a counter that lives `window_seconds` from its first count; returns the new count."""
    cache = caches[cache_alias]
    cache_key = _key(scope, key)
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        return cache.incr(cache_key)
    except ValueError:  # the window ended between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        return 1


def counter_get(scope: str, key: str, *, cache_alias: str = "default") -> int:
    return int(caches[cache_alias].get(_key(scope, key), 0))
