"""The project's own deployment checks (Django system checks, run by `satuatap check-deploy`).

They run with `check --deploy` only: in development every one of them would fire. Each reads settings or the
environment the settings were built from; core imports no other app, so the other apps' switches (card keys,
SMS gateway) are read from the environment by name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
_DEV_HOSTS = {"127.0.0.1", "localhost", "testserver", "[::1]"}


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


@register(Tags.security, deploy=True)
def check_secrets_and_debug(app_configs=None, **kwargs):
    problems = []
    key = settings.SECRET_KEY or ""
    if key == DEV_SECRET_KEY or len(key) < 50 or len(set(key)) < 5:
        problems.append(Error(
            "SECRET_KEY is the development key or too short.",
            hint="Set SECRET_KEY to 50+ random characters, e.g. "
                 "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
            id="satuatap.E001",
        ))
    if _env("DEBUG").lower() not in {"0", "false", "no", "off"}:
        # Django's DEBUG is forced off under the test runner: ask the environment the settings were built from.
        problems.append(Error("DEBUG is on (or unset, which means on).", hint="Set DEBUG=0.", id="satuatap.E002"))
    hosts = set(settings.ALLOWED_HOSTS)
    if not hosts or "*" in hosts or hosts <= _DEV_HOSTS:
        problems.append(Error(
            "ALLOWED_HOSTS is not set to the site's own names.",
            hint="Set ALLOWED_HOSTS=ltsa.example.go.id (comma-separated, no '*').",
            id="satuatap.E003",
        ))
    return problems


@register(Tags.security, deploy=True)
def check_transport(app_configs=None, **kwargs):
    problems = []
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    directives = policy.get("DIRECTIVES", {})
    scripts = [str(s) for s in directives.get("script-src", directives.get("default-src", []))]
    if not directives:
        problems.append(Warning(
            "The Content-Security-Policy is not enforced (missing, or report-only).",
            hint="Unset SATUATAP_CSP_REPORT_ONLY.",
            id="satuatap.W001",
        ))
    elif "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts or "*" in scripts:
        problems.append(Warning(
            "The Content-Security-Policy allows inline or evaluated scripts.", id="satuatap.W002",
        ))
    public = getattr(settings, "SATUATAP_PUBLIC_URL", "")
    if not public.startswith("https://"):
        problems.append(Warning(
            f"SATUATAP_PUBLIC_URL ({public or 'unset'}) is not an https:// address; links sent to workers and "
            "QR codes on slips would point at it.",
            hint="Set SATUATAP_PUBLIC_URL=https://ltsa.example.go.id.",
            id="satuatap.W003",
        ))
    return problems


@register(Tags.database, deploy=True)
def check_database(app_configs=None, **kwargs):
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return [Warning(
            "The database is SQLite: fine for one office PC, not for a shared service with several workers.",
            hint="Set DATABASE_URL=postgres://… (see README).",
            id="satuatap.W010",
        )]
    return []


@register(deploy=True)
def check_services(app_configs=None, **kwargs):
    problems = []
    if not (_env("SATUATAP_CARD_KEYS_DIR") or _env("SATUATAP_CARD_PRIVATE_KEY")):
        problems.append(Error(
            "No card signing key is configured: cards cannot be issued or verified.",
            hint="Set SATUATAP_CARD_KEYS_DIR (with SATUATAP_CARD_SIGNING_KEY_ID) or SATUATAP_CARD_PRIVATE_KEY.",
            id="satuatap.E020",
        ))
    if "smtp" not in settings.EMAIL_BACKEND.lower() or not _env("EMAIL_HOST"):
        problems.append(Warning(
            "E-mail is not sent through SMTP (messages are only written to files).",
            hint="Set EMAIL_HOST (and EMAIL_HOST_USER / EMAIL_HOST_PASSWORD).",
            id="satuatap.W020",
        ))
    for channel in ("SMS", "WHATSAPP"):
        prefix = f"NOTIFY_{channel}_GATEWAY"
        if not (_env(f"{prefix}_URL") or getattr(settings, f"{prefix}_URL", "")):
            problems.append(Warning(
                f"No {channel.lower()} gateway is configured: those notifications will stay queued as failed.",
                hint=f"Set {prefix}_URL and {prefix}_TOKEN.",
                id="satuatap.W021" if channel == "SMS" else "satuatap.W022",
            ))
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        problems.append(Warning(
            "The cache is per process: rate limits and lockouts are not shared between gunicorn workers.",
            hint="Set REDIS_URL.",
            id="satuatap.W023",
        ))
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.endswith("ImmediateBackend"):
        problems.append(Warning(
            "Background tasks run inline in the request (SATUATAP_TASKS_IMMEDIATE=1).",
            hint="Unset SATUATAP_TASKS_IMMEDIATE and run `satuatap db_worker`.",
            id="satuatap.W024",
        ))
    return problems


@register(deploy=True)
def check_backups(app_configs=None, **kwargs):
    directory = Path(settings.SATUATAP_BACKUP_DIR)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-test-"):
            pass
    except OSError as exc:
        return [Error(
            f"The backup directory {directory} is not writable ({exc.strerror or exc}).",
            hint="Set SATUATAP_BACKUP_DIR to a writable directory, ideally on another disk.",
            id="satuatap.E030",
        )]
    from satuatap.core.backup import latest_backup_age

    age = latest_backup_age(directory)
    if age is None or age > 26 * 3600:
        return [Warning(
            f"No backup has been made in {directory}." if age is None
            else f"The newest backup in {directory} is {age / 3600:.0f} hours old.",
            hint="Run `satuatap backup --keep 14` daily from cron (and copy the directory off the machine).",
            id="satuatap.W031",
        )]
    return []
