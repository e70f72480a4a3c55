"""The complainant's status-page secret: short enough to read out on the phone, stored only as a hash."""

from __future__ import annotations

import re
import secrets

from django.contrib.auth.hashers import check_password, make_password

# No 0/O, 1/I: read aloud and typed on a phone without confusion. 10 of 32 symbols = 50 bits, and the status
# page is rate-limited per address.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 10
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def secret_generate() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def secret_normalize(secret: str) -> str:
    return _NOT_ALNUM.sub("", (secret or "").upper())


def secret_hash(secret: str) -> str:
    return make_password(secret_normalize(secret))


def secret_matches(secret_hash_value: str | None, secret: str) -> bool:
    """True when the secret fits the hash; with no hash (unknown reference) the same work is done and False."""
    normalized = secret_normalize(secret)
    if not secret_hash_value:
        make_password(normalized)  # same cost as a real check: no timing hint that the reference is unknown
        return False
    return bool(normalized) and check_password(normalized, secret_hash_value)
