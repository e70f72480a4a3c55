"""Per-client limits for the public queue endpoints (kiosk lookups, appointment booking and cancelling)."""

from __future__ import annotations

from django.conf import settings

from satuatap.core.errors import ApplicationError
from satuatap.core.ratelimit import client_address, window_hit

# (hits, window seconds) per client address; a kiosk is one address serving many people, so its limit is wide.
LIMITS = {
    "kiosk": (120, 60),
    "book": (10, 600),
    "appointment": (30, 600),
}


def check(request, scope: str) -> None:
    """Raise 429 once the client has used up its window for this scope."""
    limit, window = getattr(settings, "QUEUE_RATE_LIMITS", {}).get(scope, LIMITS[scope])
    if not window_hit(f"queue:{scope}", client_address(request), limit=limit, window_seconds=window):
        raise ApplicationError("Terlalu banyak permintaan. Coba lagi beberapa menit lagi.",
                               "Too many requests. Try again in a few minutes.", code="rate_limited", status=429)
