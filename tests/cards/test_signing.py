"""The token format and its verifier: every way a card can be wrong is rejected with the right reason."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from satuatap.cards import signing
from satuatap.cards.signing import Status, b64url_decode, b64url_encode

TODAY = dt.date(2026, 11, 30)


def payload(**overrides) -> dict:
    data = {"v": 1, "n": "KPMI-IDM-2026-000001", "nm": "Siti Rahayu", "nik": "321201********01",
            "pp": "E1234567", "c": "HK", "e": "Employer Ltd", "j": "Pengasuh", "ce": "2028-11-30",
            "i": "2026-11-30", "x": "2028-11-30"}
    data.update(overrides)
    return data


@pytest.fixture
def key():
    return Ed25519PrivateKey.generate()


def test_valid_token_round_trips(key):
    token = signing.sign(payload(), private_key=key, key_id="k1")
    verdict = signing.verify(token, keys={"k1": key.public_key()}, today=TODAY)
    assert verdict.status == Status.VALID and verdict.reason == "ok"
    assert verdict.payload["n"] == "KPMI-IDM-2026-000001" and verdict.payload["k"] == "k1"
    assert len(token) < 500  # fits a QR code a phone camera reads easily


def test_tampered_payload_is_rejected(key):
    token = signing.sign(payload(), private_key=key, key_id="k1")
    body, sig = token.split(".")
    data = json.loads(b64url_decode(body))
    data["c"] = "SA"  # another destination country
    forged = b64url_encode(json.dumps(data, separators=(",", ":")).encode()) + "." + sig
    verdict = signing.verify(forged, keys={"k1": key.public_key()}, today=TODAY)
    assert (verdict.status, verdict.reason) == (Status.INVALID, "bad_signature")
    assert verdict.payload is None  # a forged card's content is never shown as if it were true


def test_wrong_key_is_rejected(key):
    other = Ed25519PrivateKey.generate()
    token = signing.sign(payload(), private_key=other, key_id="k1")
    verdict = signing.verify(token, keys={"k1": key.public_key()}, today=TODAY)
    assert (verdict.status, verdict.reason) == (Status.INVALID, "bad_signature")


def test_unknown_key_id_is_rejected(key):
    token = signing.sign(payload(), private_key=key, key_id="k9")
    verdict = signing.verify(token, keys={"k1": key.public_key()}, today=TODAY)
    assert (verdict.status, verdict.reason, verdict.key_id) == (Status.INVALID, "unknown_key", "k9")


def test_expired_card_is_rejected(key):
    token = signing.sign(payload(i="2026-11-01", x="2026-11-29"), private_key=key, key_id="k1")
    verdict = signing.verify(token, keys={"k1": key.public_key()}, today=TODAY)
    assert (verdict.status, verdict.reason) == (Status.EXPIRED, "expired")
    # valid on its last day
    assert signing.verify(token, keys={"k1": key.public_key()}, today=TODAY - dt.timedelta(days=1)).valid


def test_revoked_card_is_rejected(key):
    token = signing.sign(payload(), private_key=key, key_id="k1")
    verdict = signing.verify(token, keys={"k1": key.public_key()}, today=TODAY, revoked={"KPMI-IDM-2026-000001"})
    assert (verdict.status, verdict.reason) == (Status.REVOKED, "revoked")


def test_future_issue_date_is_rejected(key):
    token = signing.sign(payload(i="2026-12-25"), private_key=key, key_id="k1")
    assert signing.verify(token, keys={"k1": key.public_key()}, today=TODAY).reason == "not_yet_valid"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "!!!.???", "e30." + "A" * 86, "x" * 3000])
def test_garbage_is_malformed(key, token):
    verdict = signing.verify(token, keys={"k1": key.public_key()}, today=TODAY)
    assert (verdict.status, verdict.reason) == (Status.INVALID, "malformed")


def test_rotation_keeps_old_cards_valid_until_expiry():
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    old_card = signing.sign(payload(x="2027-06-30"), private_key=old, key_id="2026-01")
    new_card = signing.sign(payload(n="KPMI-2"), private_key=new, key_id="2026-11")
    ring = {"2026-01": old.public_key(), "2026-11": new.public_key()}  # both valid after rotation
    assert signing.verify(old_card, keys=ring, today=TODAY).valid
    assert signing.verify(new_card, keys=ring, today=TODAY).valid
    assert signing.verify(old_card, keys=ring, today=dt.date(2027, 7, 1)).status == Status.EXPIRED
    # once the old key is dropped from the key file, its cards are refused by key id
    assert signing.verify(old_card, keys={"2026-11": new.public_key()}, today=TODAY).reason == "unknown_key"


def test_key_file_round_trip_and_signed_revocation_list(key):
    document = signing.keys_document({"k1": key.public_key()}, issuer="satuatap", signing_key_id="k1")
    keys = signing.keys_from_document(json.loads(json.dumps(document)))
    token = signing.sign(payload(), private_key=key, key_id="k1")
    assert signing.verify(token, keys=keys, today=TODAY).valid
    rl = signing.sign({"t": "rl", "d": "2026-11-30", "r": ["KPMI-IDM-2026-000001"]}, private_key=key, key_id="k1")
    assert signing.revocation_list_read(rl, keys=keys) == {"KPMI-IDM-2026-000001"}
    # a card token is not a revocation list, and a forged list is refused
    with pytest.raises(ValueError):
        signing.revocation_list_read(token, keys=keys)
    body, sig = rl.split(".")
    forged = body[:-2] + ("AA" if not body.endswith("AA") else "BB") + "." + sig
    with pytest.raises(ValueError):
        signing.revocation_list_read(forged, keys=keys)


def test_deeply_nested_json_is_malformed_not_an_error(key):
    body = b64url_encode(b"[" * 1400)
    token = body + "." + b64url_encode(b"\0" * 64)
    assert signing.verify(token, keys={"k1": key.public_key()}, today=TODAY).reason == "malformed"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600) | st.from_regex(r"[A-Za-z0-9_-]{0,300}\.[A-Za-z0-9_-]{0,100}", fullmatch=True))
def test_any_input_gets_a_verdict_never_an_error(text):
    verdict = signing.verify(text, keys={"k1": FUZZ_KEY.public_key()}, today=TODAY)
    assert verdict.status == Status.INVALID and verdict.payload is None


FUZZ_KEY = Ed25519PrivateKey.generate()
