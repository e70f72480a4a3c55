"""The card signing keys: never in the repository, read from the environment.

- `SATUATAP_CARD_KEYS_DIR`: a directory of `<key id>.pem` (PKCS#8 Ed25519 private keys) and `<key id>.pub.pem`
  (public keys of retired signing keys: their cards stay valid until they expire, nothing new is signed).
  The signing key is `SATUATAP_CARD_SIGNING_KEY_ID`, or else the private key whose id sorts last (name key ids by
  date, e.g. `2026-11`, and rotation is: add the new file; move the old one to `.pub.pem` when you like).
- `SATUATAP_CARD_PRIVATE_KEY`: one PEM private key in the environment, id `SATUATAP_CARD_KEY_ID` (default `env-1`).
- Neither configured, and not in production (`DEBUG` unset or on): a development key is generated once under
  `var/card-keys/` (git-ignored). In production the first issuance fails with a clear error instead.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from satuatap.core.errors import ApplicationError

KEY_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
DEV_KEY_ID = "dev-1"


class KeysNotConfigured(ApplicationError):
    status = 503
    code = "card_keys_not_configured"


@dataclass(frozen=True)
class KeyRing:
    """Private keys this server may sign with, and every public key a card may still be verified with."""

    private: dict[str, Ed25519PrivateKey]
    public: dict[str, Ed25519PublicKey]
    signing_key_id: str

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        return self.private[self.signing_key_id]


def _load_private(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def _load_public(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def write_private_key(directory: Path, key_id: str, key: Ed25519PrivateKey | None = None) -> Path:
    """Write a new private key file (mode 0600) without overwriting one that exists."""
    if not KEY_ID_RE.match(key_id):
        raise ValueError("key id: letters, digits, '.', '_' or '-', at most 40")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{key_id}.pem"
    key = key or Ed25519PrivateKey.generate()
    tmp = directory / f".{key_id}.{os.getpid()}.{threading.get_ident()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_key_pem(key))
    try:
        os.link(tmp, path)  # atomic, and fails if another process wrote it first
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path


def keyring_from_dir(directory: Path, *, signing_key_id: str = "") -> KeyRing:
    private: dict[str, Ed25519PrivateKey] = {}
    public: dict[str, Ed25519PublicKey] = {}
    for path in sorted(directory.glob("*.pem")):
        name = path.name
        if name.endswith(".pub.pem"):
            public[name[: -len(".pub.pem")]] = _load_public(path.read_bytes())
        else:
            kid = name[: -len(".pem")]
            private[kid] = _load_private(path.read_bytes())
            public[kid] = private[kid].public_key()
    if not private:
        raise KeysNotConfigured(
            f"Tidak ada kunci privat kartu di {directory}.", f"No card private key in {directory}.",
        )
    signing = signing_key_id or sorted(private)[-1]
    if signing not in private:
        raise KeysNotConfigured(
            f"Kunci penandatangan {signing} tidak ada.", f"Signing key {signing} is not in {directory}.",
        )
    return KeyRing(private=private, public=public, signing_key_id=signing)


def _dev_keys_allowed() -> bool:
    # Django's DEBUG is forced off under the test runner, so ask the environment the settings were built from.
    return os.environ.get("DEBUG", "1").strip().lower() in ("1", "true", "yes", "on")


def _load_default() -> KeyRing:
    directory = os.environ.get("SATUATAP_CARD_KEYS_DIR", "").strip()
    signing = os.environ.get("SATUATAP_CARD_SIGNING_KEY_ID", "").strip()
    if directory:
        return keyring_from_dir(Path(directory), signing_key_id=signing)
    pem = os.environ.get("SATUATAP_CARD_PRIVATE_KEY", "").strip()
    if pem:
        kid = os.environ.get("SATUATAP_CARD_KEY_ID", "env-1").strip() or "env-1"
        key = _load_private(pem.encode("ascii"))
        return KeyRing(private={kid: key}, public={kid: key.public_key()}, signing_key_id=kid)
    if not _dev_keys_allowed():
        raise KeysNotConfigured(
            "Kunci tanda tangan kartu belum diatur (SATUATAP_CARD_KEYS_DIR atau SATUATAP_CARD_PRIVATE_KEY).",
            "Card signing keys are not configured (SATUATAP_CARD_KEYS_DIR or SATUATAP_CARD_PRIVATE_KEY).",
        )
    dev_dir = Path(settings.VAR_DIR) / "card-keys"
    if not (dev_dir / f"{DEV_KEY_ID}.pem").exists():
        write_private_key(dev_dir, DEV_KEY_ID)
    return keyring_from_dir(dev_dir, signing_key_id=signing)


_lock = threading.Lock()
_cached: KeyRing | None = None


def keyring() -> KeyRing:
    """The configured key ring (read once per process; `reset()` after changing the environment)."""
    global _cached
    if _cached is None:
        with _lock:
            if _cached is None:
                _cached = _load_default()
    return _cached


def reset() -> None:
    global _cached
    _cached = None


def use(ring: KeyRing | None) -> None:
    """Install a key ring (tests, and tools that load keys themselves)."""
    global _cached
    _cached = ring
