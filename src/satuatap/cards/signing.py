"""The card token: a compact payload signed with Ed25519, verifiable with nothing but the public keys.

Token = base64url(payload JSON) "." base64url(signature), with no padding. The signature covers the ASCII
bytes of the first part, exactly as written in the token, so a verifier (this module, the `verify-card`
command, or the static offline page with the browser's Web Crypto) never re-serialises JSON.

Payload keys are short so the QR code stays small (about 300 bytes → a version 13-15 QR at level M):

    v  format version (1)          n  card number            nm  worker name
    nik masked NIK                 pp passport number        c   destination country (ISO 3166 alpha-2)
    e  employer                    j  job                    ce  contract end (YYYY-MM-DD)
    i  issue date                  x  expiry date            k   key id

The revocation list uses the same format with `t: "rl"`: {t, k, at (ISO time), d (date), r: [card numbers]}.
This module imports no Django, so the verifier is the same code everywhere and fast (see bench/card_verify.py).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT_VERSION = 1
CARD_FIELDS = ("v", "n", "nm", "nik", "pp", "c", "e", "j", "ce", "i", "x", "k")
MAX_TOKEN_LENGTH = 2000


class Status:
    VALID = "valid"
    INVALID = "invalid"
    REVOKED = "revoked"
    EXPIRED = "expired"


# reason code -> (Indonesian, English); the API and pages show both, the code is stable.
REASONS: dict[str, tuple[str, str]] = {
    "ok": ("Kartu sah: tanda tangan cocok, belum kedaluwarsa, tidak dicabut.",
           "Valid card: signature matches, not expired, not revoked."),
    "malformed": ("Token bukan kartu E-KPMI yang terbaca (format rusak).",
                  "The token is not a readable E-KPMI card (malformed)."),
    "unknown_key": ("Kartu ditandatangani dengan kunci yang tidak dikenal.",
                    "The card is signed with an unknown key."),
    "bad_signature": ("Tanda tangan tidak cocok: isi kartu diubah atau kunci salah.",
                      "The signature does not match: the card was altered or signed with another key."),
    "expired": ("Masa berlaku kartu sudah habis.", "The card has expired."),
    "not_yet_valid": ("Tanggal terbit kartu di masa depan.", "The card's issue date is in the future."),
    "revoked": ("Kartu sudah dicabut.", "The card has been revoked."),
}


def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_json(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def sign(payload: Mapping[str, Any], *, private_key: Ed25519PrivateKey, key_id: str) -> str:
    """A token for `payload`, stamped with the key id it is signed with."""
    body = b64url_encode(canonical_json({**payload, "k": key_id}))
    return f"{body}.{b64url_encode(private_key.sign(body.encode('ascii')))}"


@dataclass(frozen=True)
class Verdict:
    """The answer for one token: status (valid / invalid / revoked / expired), reason code, and the payload when
    it could be read (a tampered card's payload is NOT returned: it cannot be trusted)."""

    status: str
    reason: str
    payload: dict[str, Any] | None = None
    key_id: str = ""
    reasons: tuple[str, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return self.status == Status.VALID

    @property
    def message(self) -> str:
        return REASONS[self.reason][0]

    @property
    def message_en(self) -> str:
        return REASONS[self.reason][1]


def _invalid(reason: str, key_id: str = "") -> Verdict:
    return Verdict(Status.INVALID, reason, None, key_id, (reason,))


def _split(token: str) -> tuple[str, bytes, dict[str, Any]] | None:
    token = (token or "").strip()
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        return None
    body, sig = token.split(".")
    try:
        signature = b64url_decode(sig)
        payload = json.loads(b64url_decode(body))
    except (binascii.Error, ValueError, RecursionError):  # RecursionError: deeply nested JSON
        return None
    if not isinstance(payload, dict) or len(signature) != 64:
        return None
    return body, signature, payload


def read_unverified(token: str) -> dict[str, Any] | None:
    """The payload as written, NOT checked: only to say which card a rejected token claimed to be."""
    parts = _split(token)
    return parts[2] if parts else None


def verify(token: str, *, keys: Mapping[str, Ed25519PublicKey], today: dt.date,
           revoked: Iterable[str] | frozenset[str] = frozenset(), kind: str = "card") -> Verdict:
    """Check a token: readable, signed by a known key, untampered, within its dates, not on the revocation list.

    `keys` is every key id still valid (rotation: old keys stay until their last card expires). `revoked` is a
    set of card numbers (from the database, or from a signed revocation list offline).
    """
    parts = _split(token)
    if parts is None:
        return _invalid("malformed")
    body, signature, payload = parts
    key_id = payload.get("k")
    if not isinstance(key_id, str):
        return _invalid("malformed")
    public_key = keys.get(key_id)
    if public_key is None:
        return _invalid("unknown_key", key_id)
    try:
        public_key.verify(signature, body.encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError):
        return _invalid("bad_signature", key_id)
    if kind == "card":
        if payload.get("v") != FORMAT_VERSION or not all(isinstance(payload.get(f), str) for f in CARD_FIELDS[1:]):
            return _invalid("malformed", key_id)
        # ISO dates compare as strings; the payload's dates are written by us as YYYY-MM-DD.
        today_s = today.isoformat()
        if payload["x"] < today_s:
            return Verdict(Status.EXPIRED, "expired", payload, key_id, ("expired",))
        if payload["i"] > today_s:
            return _invalid("not_yet_valid", key_id)
        if payload["n"] in revoked:
            return Verdict(Status.REVOKED, "revoked", payload, key_id, ("revoked",))
    elif payload.get("t") != kind:
        return _invalid("malformed", key_id)
    return Verdict(Status.VALID, "ok", payload, key_id, ("ok",))


# --- key file: the public keys a verifier trusts --------------------------------------------------------

def public_key_raw(public_key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def keys_document(public_keys: Mapping[str, Ed25519PublicKey], *, issuer: str, signing_key_id: str) -> dict[str, Any]:
    """The JSON served at /.well-known/satuatap-card-keys.json and read by the offline verifiers."""
    return {
        "issuer": issuer,
        "format": "satuatap-card-keys/1",
        "signing_key_id": signing_key_id,
        "keys": [
            {"kid": kid, "alg": "Ed25519", "x": b64url_encode(public_key_raw(key))}
            for kid, key in sorted(public_keys.items())
        ],
    }


def keys_from_document(document: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    """Public keys from a key file (the format above); raises ValueError when it is not one."""
    keys: dict[str, Ed25519PublicKey] = {}
    for entry in document.get("keys", []):
        if entry.get("alg") != "Ed25519" or not isinstance(entry.get("kid"), str):
            continue
        raw = b64url_decode(entry["x"])
        keys[entry["kid"]] = Ed25519PublicKey.from_public_bytes(raw)
    if not keys:
        raise ValueError("no Ed25519 keys in the key file")
    return keys


def revocation_list_read(token: str, *, keys: Mapping[str, Ed25519PublicKey]) -> frozenset[str]:
    """The revoked card numbers of a signed list; raises ValueError when its signature does not hold."""
    verdict = verify(token, keys=keys, today=dt.date.today(), kind="rl")
    if not verdict.valid or not isinstance(verdict.payload.get("r"), list):
        raise ValueError(f"revocation list rejected: {verdict.reason}")
    return frozenset(str(n) for n in verdict.payload["r"])
