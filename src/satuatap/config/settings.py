"""Settings for satuatap: one module, driven by the environment.

DATABASE_URL    default sqlite:///<repo>/var/satuatap.sqlite3 (WAL mode)
SECRET_KEY      required when DEBUG is off
DEBUG           "1"/"true" to enable (default on for development only when unset and not in production)
ALLOWED_HOSTS   comma-separated
CSRF_TRUSTED_ORIGINS  comma-separated origins (https://ltsa.example.go.id) when served behind a proxy

Production (DEBUG off) turns on secure cookies and HSTS. Behind a TLS-terminating proxy set
SECURE_PROXY_SSL_HEADER=1 (only if the proxy always sets X-Forwarded-Proto); HTTP is then redirected to HTTPS
(SECURE_SSL_REDIRECT, default on with the proxy header, off without it). SECURE_HSTS_SECONDS (default one year),
SECURE_HSTS_INCLUDE_SUBDOMAINS (default on), SECURE_HSTS_PRELOAD (default off), SECURE_COOKIES (default on).
The Content-Security-Policy is enforced everywhere (SATUATAP_CSP_REPORT_ONLY=1 only reports).
`satuatap check-deploy` checks a deployment's settings.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/satuatap
PROJECT_DIR = BASE_DIR.parent.parent  # repository root
VAR_DIR = Path(os.environ.get("SATUATAP_VAR_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "satuatap.core",
    "satuatap.reference",
    "satuatap.accounts",
    "satuatap.registry",
    "satuatap.placement",
    "satuatap.journey",
    "satuatap.notify",
    "satuatap.crisis",
    "satuatap.queueing",
    "satuatap.cards",
    "satuatap.monitoring",
    "satuatap.portal",
    "satuatap.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "satuatap.core.middleware.ContentSecurityPolicyMiddleware",
    "satuatap.core.middleware.ApiErrorShapeMiddleware",
    "satuatap.core.middleware.BodySizeLimitMiddleware",
    "satuatap.core.middleware.NulCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "satuatap.core.middleware.IndonesianByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "satuatap.core.audit_context.AuditContextMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "satuatap.core.middleware.IdempotencyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # last, as django-axes asks: it turns a locked-out login into a clear "try later" answer
    "axes.middleware.AxesMiddleware",
]

# The API lane (config/wsgi.py): calls under /api/ with an Authorization header and no cookie. No session, so no
# language choice (answers are bilingual anyway), no CSRF token (nothing rides on a cookie) and no login state
# beyond the token, which the API checks itself; request.user starts anonymous.
SATUATAP_API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "satuatap.core.middleware.ContentSecurityPolicyMiddleware",
    "satuatap.core.middleware.ApiErrorShapeMiddleware",
    "satuatap.core.middleware.BodySizeLimitMiddleware",
    "satuatap.core.middleware.NulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "satuatap.core.middleware.AnonymousUntilAuthenticatedMiddleware",
    "satuatap.core.audit_context.AuditContextMiddleware",
    "satuatap.core.middleware.IdempotencyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock an account + address pair after 5 failed logins, for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
OTP_TOTP_ISSUER = "satuatap"

# Background work: django-tasks with the database backend (no extra server on one machine).
# `satuatap db_worker` runs the queue; set SATUATAP_TASKS_IMMEDIATE=1 to run tasks inline (tests, demos).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if _env_bool("SATUATAP_TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

ROOT_URLCONF = "satuatap.config.urls"
WSGI_APPLICATION = "satuatap.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'satuatap.sqlite3'}"
# A worker process keeps its database connection this many seconds (DATABASE_CONN_MAX_AGE; 0 closes it after each
# request), then opens a new one at the start of a request.
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite),
                                              conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue instead of failing with "database is locked" halfway through a transition.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # Server-side binding lets PostgreSQL prepare the statements a transition repeats; turn it off behind a
    # transaction-pooling PgBouncer (DATABASE_SERVER_SIDE_BINDING=0).
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = _env_bool("DATABASE_SERVER_SIDE_BINDING", True)
    # Django turns psycopg's prepared statements off unless asked; a statement run this many times on a
    # connection is prepared once and then only executed (a transition's dozen statements are parsed and
    # planned once per connection, not per request). 0 turns it off (as behind a transaction-pooling PgBouncer).
    if DATABASES["default"]["OPTIONS"]["server_side_binding"]:
        threshold = int(os.environ.get("DATABASE_PREPARE_THRESHOLD", "5"))
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = threshold if threshold > 0 else None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = True  # serve app static files without collectstatic (development, tests)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/desk/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = _env_bool("SECURE_COOKIES", True)
    # HSTS is only sent on HTTPS responses, so it is harmless on a plain-HTTP test server.
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", False)
# Joining the browsers' HSTS preload list is hard to undo (all subdomains, months to leave): a deliberate opt-in
# with SECURE_HSTS_PRELOAD=1, so `check-deploy` does not nag about it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Trust X-Forwarded-Proto only when the deployment says its proxy always sets it (else a client could forge it).
if _env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", not DEBUG and _env_bool("SECURE_PROXY_SSL_HEADER", False))

# Content-Security-Policy (django-csp 4): only this site's own files; no inline script, no eval, no framing.
# A template that really needs an inline <script>/<style> adds nonce="{{ request.csp_nonce }}".
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'", CSP_NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if _env_bool("SATUATAP_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# Request bodies: forms and JSON up to 2.5 MB in memory, uploads up to 10 MB in all; a bigger body gets 413
# (JSON under /api/) before anything reads it. Uploaded files have their own limit in core.uploads.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(int(2.5 * 1024 * 1024))))
SATUATAP_MAX_REQUEST_BYTES = int(os.environ.get("SATUATAP_MAX_REQUEST_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Where `satuatap backup` writes dumps and manifests.
SATUATAP_BACKUP_DIR = Path(os.environ.get("SATUATAP_BACKUP_DIR", VAR_DIR / "backups"))

# Shared cache (rate limits, sessions of many workers): Redis when REDIS_URL is set, else per-process memory.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# E-mail: SMTP in production (EMAIL_HOST …); files under var/outbox/email in development.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "outbox" / "email"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "satuatap <noreply@localhost>")
# The public address used in links sent to people (status pages, clarification links, slips' QR codes).
SATUATAP_PUBLIC_URL = os.environ.get("SATUATAP_PUBLIC_URL", "http://127.0.0.1:8000")
# QR codes on slips: the public address when set, else the address the officer's request used.
PORTAL_PUBLIC_BASE_URL = os.environ.get("SATUATAP_PUBLIC_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# How long a stored Idempotency-Key response is kept (hours).
SATUATAP_IDEMPOTENCY_TTL_HOURS = int(os.environ.get("SATUATAP_IDEMPOTENCY_TTL_HOURS", "48"))
# Years after a worker's last case closed before `satuatap registry-retention` anonymises the record (UU 27/2022).
SATUATAP_RETENTION_YEARS = int(os.environ.get("SATUATAP_RETENTION_YEARS", "5"))
