"""A small fixed-window rate limit per client address, kept in Django's cache (public verification).

The address is REMOTE_ADDR: behind a reverse proxy, the proxy must set it (X-Forwarded-For is not trusted here,
because anyone can send it). With the default local-memory cache each worker process counts on its own; a shared
cache (database or Redis) makes the limit exact across processes.
"""

from __future__ import annotations

from django.conf import settings

from satuatap.core.errors import ApplicationError
from satuatap.core.ratelimit import client_address, window_hit

DEFAULT_LIMIT = 30  # requests
DEFAULT_WINDOW = 60  # seconds


class RateLimited(ApplicationError):
    status = 429
    code = "rate_limited"


def hit(request, *, scope: str = "verify") -> bool:
    """Count one request of this client; False once it is over the limit of the current window."""
    limit = int(getattr(settings, "PLACEMENT_VERIFY_RATE_LIMIT", DEFAULT_LIMIT))
    window = int(getattr(settings, "PLACEMENT_VERIFY_RATE_WINDOW", DEFAULT_WINDOW))
    return window_hit(f"placement:{scope}", client_address(request), limit=limit, window_seconds=window)


def check(request, *, scope: str = "verify") -> None:
    """Raise 429 `rate_limited` when this client asked too often in the current window."""
    if not hit(request, scope=scope):
        raise RateLimited(
            "Terlalu banyak permintaan dari alamat Anda. Tunggu satu menit lalu coba lagi.",
            "Too many requests from your address. Wait a minute and try again.",
        )
