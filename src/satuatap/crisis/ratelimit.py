"""A fixed-window limit per client address, kept in Django's cache (public pages only).

With several app servers the cache must be shared (database or Redis cache), or each server counts alone.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def client_address(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is trivially forged unless a trusted proxy sets it (configure there).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limit_hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; True while the caller is within `limit` hits in the current window, False once over it."""
    bucket = int(time.time() // window_seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"satuatap:crisis:rl:{scope}:{digest}:{bucket}"
    if cache.add(cache_key, 1, timeout=window_seconds + 5):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    return count <= limit
