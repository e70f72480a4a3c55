"""In-process cache of the holiday calendar, shared by selectors (which fill it) and services (which clear it).

It lives in its own module because services and selectors are independent layers (import-linter) and may not
import each other. Entries also expire after `TTL_SECONDS`, so a `load-reference` run in another process (the
management command beside a running server) is picked up without a restart.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

TTL_SECONDS = 600.0

_lock = threading.Lock()
_ttl_values: dict[object, tuple[float, object]] = {}
_value: frozenset[dt.date] | None = None
_loaded_at = 0.0


def holiday_dates_cached(load: Callable[[], frozenset[dt.date]]) -> frozenset[dt.date]:
    """The cached holiday set, calling `load` when empty or expired."""
    global _value, _loaded_at
    value = _value
    if value is not None and time.monotonic() - _loaded_at < TTL_SECONDS:
        return value
    with _lock:
        if _value is None or time.monotonic() - _loaded_at >= TTL_SECONDS:
            _value = load()
            _loaded_at = time.monotonic()
        return _value


def holiday_cache_clear() -> None:
    """Forget the cached holiday set (after holidays were loaded or edited)."""
    global _value
    with _lock:
        _value = None
    _ttl_values.clear()  # offices and step definitions too: reference data was reloaded



def ttl_cached(key: object, load: Callable[[], object], *, ttl: float, refresh: bool = False):
    """A small in-process cache: `load()` once per `ttl` seconds per key (thread-safe enough: worst case two
    threads load the same value)."""
    now = time.monotonic()
    hit = _ttl_values.get(key)
    if hit is not None and not refresh and now - hit[0] < ttl:
        return hit[1]
    value = load()
    _ttl_values[key] = (now, value)
    return value


def ttl_cache_clear() -> None:
    _ttl_values.clear()
