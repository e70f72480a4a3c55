"""Signed links for companies answering a clarification request (no account needed)."""

from __future__ import annotations

from django.core import signing

_SALT = "satuatap.crisis.clarification"
# A link stays valid well past the 15 working days; the request's own state decides whether it may be answered.
MAX_AGE_SECONDS = 120 * 24 * 3600


def clarification_token(clarification_id: int) -> str:
    return signing.dumps({"c": clarification_id}, salt=_SALT, compress=True)


def clarification_id_from_token(token: str) -> int | None:
    """The request id in a valid, unexpired token; None for anything else."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    value = data.get("c") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
