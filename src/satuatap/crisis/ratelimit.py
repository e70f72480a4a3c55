"""Rate limits of the Crisis Center's public pages (see `core.ratelimit`)."""

from __future__ import annotations

from satuatap.core.ratelimit import client_address, window_hit

__all__ = ["client_address", "rate_limit_hit"]


def rate_limit_hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; True while the caller is within `limit` hits in the current window, False once over it."""
    return window_hit(f"crisis:{scope}", key, limit=limit, window_seconds=window_seconds)
