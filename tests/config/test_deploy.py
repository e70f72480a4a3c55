"""Production settings and `satuatap check-deploy`, each in a fresh process with a production-like environment."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

BIN = Path(sys.executable).parent


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    key = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    backups = tmp_path / "backups"
    backups.mkdir(exist_ok=True)
    (backups / "satuatap-20261130T010000Z.sqlite3.manifest.json").write_text("{}")  # a backup made today
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SATUATAP_", "NOTIFY_", "SECURE_", "EMAIL_"))}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest in the same worker
    env.update(
        DJANGO_SETTINGS_MODULE="satuatap.config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="ltsa-indramayu.example.go.id",
        DATABASE_URL="postgres://satuatap@db.internal:5432/satuatap",
        SECURE_PROXY_SSL_HEADER="1",
        SATUATAP_PUBLIC_URL="https://ltsa-indramayu.example.go.id",
        EMAIL_HOST="smtp.example.go.id",
        NOTIFY_SMS_GATEWAY_URL="https://sms.example.go.id/send",
        NOTIFY_WHATSAPP_GATEWAY_URL="https://wa.example.go.id/send",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SATUATAP_CARD_PRIVATE_KEY=key,
        SATUATAP_BACKUP_DIR=str(backups),
        SATUATAP_VAR_DIR=str(tmp_path / "var"),
    )
    env.update(overrides)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "satuatap"), "check-deploy"], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_well_configured_deployment_passes(tmp_path):
    done = check_deploy(production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "deployment checks passed" in done.stdout


def test_a_development_setup_is_refused_with_the_reasons(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    env.update(SATUATAP_VAR_DIR=str(tmp_path), SATUATAP_BACKUP_DIR=str(tmp_path / "b"))
    done = check_deploy(env)
    out = done.stdout + done.stderr
    assert done.returncode == 1
    for check_id in ("satuatap.E001", "satuatap.E002", "satuatap.E003", "satuatap.W010", "security.W018"):
        assert check_id in out, out


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        ({"SATUATAP_CARD_PRIVATE_KEY": ""}, "satuatap.E020"),
        ({"SATUATAP_CSP_REPORT_ONLY": "1"}, "satuatap.W001"),
        ({"SATUATAP_PUBLIC_URL": "http://ltsa.example.go.id"}, "satuatap.W003"),
        ({"NOTIFY_SMS_GATEWAY_URL": ""}, "satuatap.W021"),
        ({"REDIS_URL": ""}, "satuatap.W023"),
        ({"SATUATAP_BACKUP_DIR": "/proc/satuatap-backups"}, "satuatap.E030"),
        ({"SATUATAP_BACKUP_DIR": "{tmp}/no-backups-yet"}, "satuatap.W031"),
        ({"ALLOWED_HOSTS": "*"}, "satuatap.E003"),
        ({"SECRET_KEY": "short"}, "satuatap.E001"),
    ],
)
def test_each_missing_piece_is_named(tmp_path, overrides, check_id):
    overrides = {k: v.replace("{tmp}", str(tmp_path)) for k, v in overrides.items()}
    done = check_deploy(production_env(tmp_path, **overrides))
    assert done.returncode == 1 and check_id in done.stdout + done.stderr, done.stdout + done.stderr


PROBE = """
import django, json
django.setup()
from django.test import Client
c = Client()
r = c.get("/accounts/login/", secure=True)
plain = c.get("/accounts/login/")
print(json.dumps({
    "status": r.status_code,
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "hsts": r.get("Strict-Transport-Security", ""),
    "csp": r.get("Content-Security-Policy", ""),
    "frame": r.get("X-Frame-Options", ""),
    "nosniff": r.get("X-Content-Type-Options", ""),
    "referrer": r.get("Referrer-Policy", ""),
    "cookies": {k: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]), "samesite": m["samesite"]}
                for k, m in r.cookies.items()},
}))
"""


def test_production_responses_carry_the_security_headers(tmp_path):
    env = production_env(tmp_path, ALLOWED_HOSTS="testserver", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert seen["plain_status"] == 301 and seen["plain_location"].startswith("https://")
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"
    assert "default-src 'self'" in seen["csp"] and "frame-ancestors 'none'" in seen["csp"]
    script_src = next(d for d in seen["csp"].split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "object-src 'none'" in seen["csp"]
    assert seen["frame"] == "DENY" and seen["nosniff"] == "nosniff" and seen["referrer"] == "same-origin"
    assert seen["cookies"]["csrftoken"]["secure"]


def test_the_csp_is_enforced_in_tests_and_development(client):
    r = client.get("/accounts/login/")
    policy = r["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_an_oversize_api_body_gets_413_json(client):
    r = client.post("/api/v1/workers/", data=b"{" + b" " * (3 * 1024 * 1024) + b"}", content_type="application/json")
    assert r.status_code == 413
    body = r.json()
    assert body["code"] == "request_too_large" and body["message"] and body["message_en"]


def test_an_oversize_upload_is_cut_off_before_it_is_read(client):
    r = client.post("/api/v1/cases/X/steps/REG/documents", data=b"x", content_type="multipart/form-data; boundary=b",
                    CONTENT_LENGTH=str(50 * 1024 * 1024))
    assert r.status_code == 413 and r.json()["code"] == "request_too_large"


@pytest.mark.parametrize(("given", "age"), [(None, 60), ("600", 600), ("0", 0)])
def test_the_database_connection_age_comes_from_the_environment(tmp_path, given, age):
    env = production_env(tmp_path)
    env.pop("DATABASE_CONN_MAX_AGE", None)
    if given is not None:
        env["DATABASE_CONN_MAX_AGE"] = given
    probe = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(age)
