"""Per-client limits for the public queue endpoints (kiosk lookups, appointment booking and cancelling)."""

from __future__ import annotations

from django.conf import settings

from satuatap.core.errors import ApplicationError, NotFound
from satuatap.core.ratelimit import client_address, counter_add, counter_get, window_hit

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


# Failed case-number / NIK lookups at the kiosk: a NIK with an active case at the office is personal data (that
# the person is leaving to work abroad), so guessing is stopped early; a real kiosk rarely fails this often.
LOOKUP_FAILURES = (20, 600)
_FAIL_SCOPE = "queue:lookup-fail"


def _failure_limit() -> tuple[int, int]:
    return getattr(settings, "QUEUE_LOOKUP_FAILURES", LOOKUP_FAILURES)


def lookup_guarded(request, lookup):
    """Run a kiosk lookup unless the client failed too often; count its NotFound failures."""
    limit, window = _failure_limit()
    address = client_address(request)
    if counter_get(_FAIL_SCOPE, address) >= limit:
        raise ApplicationError("Terlalu banyak pencarian yang gagal. Silakan minta bantuan petugas.",
                               "Too many failed lookups. Please ask an officer for help.", code="rate_limited",
                               status=429)
    try:
        return lookup()
    except NotFound:
        counter_add(_FAIL_SCOPE, address, window_seconds=window)
        raise
