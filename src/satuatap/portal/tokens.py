"""Signed links to a case's public status page (the lookup form's redirect and the slip's QR code).

The token is an HMAC (django.core.signing, keyed by SECRET_KEY; SECRET_KEY_FALLBACKS keep old slips valid
through a key rotation) over the case number and the case's id, with the time it was made. It cannot be
forged or moved to another case. It lasts long because the slip is paper that a family keeps for the
whole journey.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.core import signing
from django.urls import reverse

SALT = "satuatap.portal.status"
TOKEN_MAX_AGE = dt.timedelta(days=730)
TOKEN_PARAM = "t"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def _value(case_number: str, case_id: int) -> str:
    return f"{case_number}.{case_id}"


def make_token(*, case_number: str, case_id: int) -> str:
    """The part of the signed value after the case: "<timestamp>:<signature>" (URL-safe, ~50 characters)."""
    value = _value(case_number, case_id)
    return _signer().sign(value)[len(value) + 1:]


def check_token(*, case_number: str, case_id: int, token: str) -> bool:
    """True when `token` was made by `make_token` for this very case and is younger than TOKEN_MAX_AGE."""
    if not token or len(token) > 200:
        return False
    try:
        _signer().unsign(f"{_value(case_number, case_id)}:{token}", max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return False
    return True


def status_path(*, case_number: str, case_id: int) -> str:
    """The site-relative status URL carrying a fresh token."""
    token = make_token(case_number=case_number, case_id=case_id)
    # ":" is allowed in a query (RFC 3986): left as is, the link stays short and readable on the slip
    return reverse("portal:status", kwargs={"case_number": case_number}) + f"?{TOKEN_PARAM}={quote(token, safe=':')}"
