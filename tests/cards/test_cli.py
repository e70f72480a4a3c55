"""The offline verifier on the command line: key file and signed revocation list, no server, no database."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from satuatap.cards import keys, signing
from tests.cards.conftest import SIGNING_KEY
from tests.cards.test_signing import payload


@pytest.fixture
def files(tmp_path: Path):
    doc = signing.keys_document({"test-1": SIGNING_KEY.public_key()}, issuer="satuatap", signing_key_id="test-1")
    (tmp_path / "keys.json").write_text(json.dumps(doc))
    rl = signing.sign({"t": "rl", "d": "2026-11-30", "r": ["KPMI-REVOKED"]}, private_key=SIGNING_KEY, key_id="test-1")
    (tmp_path / "rl.json").write_text(json.dumps({"token": rl}))
    return tmp_path


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_card", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def test_valid_tampered_revoked_expired(files):
    keys_file, rl_file = str(files / "keys.json"), str(files / "rl.json")
    good = signing.sign(payload(), private_key=SIGNING_KEY, key_id="test-1")
    code, out = run(good, "--keys", keys_file, "--revocations", rl_file, "--date", "2026-12-01")
    assert code == 0 and out.startswith("VALID (ok)") and "KPMI-IDM-2026-000001" in out
    code, out = run(good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"), "--keys", keys_file,
                    "--date", "2026-12-01")
    assert code == 1 and "bad_signature" in out
    revoked = signing.sign(payload(n="KPMI-REVOKED"), private_key=SIGNING_KEY, key_id="test-1")
    code, out = run(revoked, "--keys", keys_file, "--revocations", rl_file, "--date", "2026-12-01", "--json")
    assert code == 1 and json.loads(out)["reason"] == "revoked"
    code, out = run(good, "--keys", keys_file, "--date", "2029-01-01")
    assert code == 1 and "EXPIRED" in out
    other = signing.sign(payload(), private_key=Ed25519PrivateKey.generate(), key_id="old-9")
    assert "unknown_key" in run(other, "--keys", keys_file, "--date", "2026-12-01")[1]


def test_forged_revocation_list_is_refused(files):
    forger = Ed25519PrivateKey.generate()
    rl = signing.sign({"t": "rl", "d": "2026-11-30", "r": []}, private_key=forger, key_id="test-1")
    (files / "forged.json").write_text(json.dumps({"token": rl}))
    good = signing.sign(payload(), private_key=SIGNING_KEY, key_id="test-1")
    with pytest.raises(Exception, match="revocation list rejected"):
        call_command("verify_card", good, "--keys", str(files / "keys.json"), "--revocations",
                     str(files / "forged.json"))


def test_console_command_runs_without_a_database(files):
    good = signing.sign(payload(i=dt.date.today().isoformat(), x="2099-01-01"), private_key=SIGNING_KEY,
                        key_id="test-1")
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    satuatap = Path(sys.executable).parent / "satuatap"
    proc = subprocess.run([str(satuatap), "verify-card", good, "--keys", str(files / "keys.json")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("VALID")


def test_key_directory_rotation(tmp_path, monkeypatch, settings):
    """Two keys in the directory: the newest signs, both verify; a retired key kept as .pub.pem still verifies."""
    old = keys.write_private_key(tmp_path, "2026-01")
    keys.write_private_key(tmp_path, "2026-11")
    ring = keys.keyring_from_dir(tmp_path)
    assert ring.signing_key_id == "2026-11" and set(ring.public) == {"2026-01", "2026-11"}
    old_key = keys._load_private(old.read_bytes())
    old_card = signing.sign(payload(), private_key=old_key, key_id="2026-01")
    (tmp_path / "2026-01.pub.pem").write_bytes(keys.public_key_pem(old_key.public_key()))
    old.unlink()  # the private half is destroyed after rotation
    ring = keys.keyring_from_dir(tmp_path)
    assert set(ring.private) == {"2026-11"}
    assert signing.verify(old_card, keys=ring.public, today=dt.date(2026, 12, 1)).valid
    assert oct(os.stat(tmp_path / "2026-11.pem").st_mode & 0o777) == "0o600"


def test_environment_key_and_no_key_in_production(monkeypatch):
    pem = keys.private_key_pem(Ed25519PrivateKey.generate()).decode()
    monkeypatch.setenv("SATUATAP_CARD_PRIVATE_KEY", pem)
    monkeypatch.setenv("SATUATAP_CARD_KEY_ID", "prod-2026")
    keys.reset()
    assert keys.keyring().signing_key_id == "prod-2026"
    monkeypatch.delenv("SATUATAP_CARD_PRIVATE_KEY")
    monkeypatch.setenv("DEBUG", "0")
    keys.reset()
    with pytest.raises(keys.KeysNotConfigured):
        keys.keyring()
