"""Idempotency-Key support for every POST under /api/.

A client on a slow office line retries when it sees no answer; the retry must not act twice. The first
response to (caller, key) is stored and replayed; the same key with a different request is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CSPMiddleware
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from satuatap.core.errors import ApplicationError, Conflict, ValidationFailed
from satuatap.core.models import IdempotencyRecord

_KEY_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")
# A record still "in flight" after this long belongs to a request that died; a retry may act again
# (the transition service still refuses a second identical transition on its own).
_ABANDONED_AFTER = dt.timedelta(minutes=5)
_LOCK_GRACE = dt.timedelta(milliseconds=500)


# On PostgreSQL the request in flight also holds a session advisory lock named after (caller, key). A server
# process killed mid-request loses its database session and with it the lock, so a retry can tell at once that
# the record was abandoned instead of waiting out _ABANDONED_AFTER.
def _lock_id(scope: str, key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{scope}\n{key}".encode()).digest()[:8], "big", signed=True)


def _advisory(function: str, lock_id: int) -> bool:
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [lock_id])  # function: one of two constants above
        return bool(cursor.fetchone()[0])


def _error(exc: ApplicationError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.status)


def _caller_scope(request) -> str | None:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth:
        return "token:" + hashlib.sha256(auth.encode()).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # META, not request.headers: building the headers mapping costs more than the rest of this check
        key = request.META.get("HTTP_IDEMPOTENCY_KEY")
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not _KEY_RE.match(key):
            return _error(
                ValidationFailed(
                    "Idempotency-Key harus 1–100 karakter huruf, angka, titik, titik dua, garis bawah atau strip.",
                    "Idempotency-Key must be 1-100 letters, digits, '.', ':', '_' or '-'.",
                    code="idempotency_key_invalid",
                    status=400,
                )
            )
        scope = _caller_scope(request)
        if scope is None:  # not authenticated: the API will answer 401, nothing to remember
            return self.get_response(request)
        fingerprint = hashlib.sha256(
            b"\n".join([request.method.encode(), request.get_full_path().encode(), request.body])
        ).hexdigest()

        record, replay = self._claim(scope, key, fingerprint)
        if replay is not None:
            return replay
        lock_id = _lock_id(scope, key)
        locked = _advisory("pg_try_advisory_lock", lock_id)
        try:
            response = self.get_response(request)
        except Exception:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        finally:
            if locked:
                _advisory("pg_advisory_unlock", lock_id)
        if response.status_code >= 500 or response.status_code == 401 or response.streaming:
            # Nothing was done (or we cannot tell): let the client retry for real.
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        else:
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code,
                body=response.content,
                content_type=response.get("Content-Type", "application/json"),
            )
        return response

    def _claim(self, scope: str, key: str, fingerprint: str):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(scope=scope, key=key, fingerprint=fingerprint)
            return record, None
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is None:  # expired and purged between the two statements: try once more
            with transaction.atomic():
                return IdempotencyRecord.objects.create(scope=scope, key=key, fingerprint=fingerprint), None
        if existing.fingerprint != fingerprint:
            return None, _error(
                ValidationFailed(
                    "Idempotency-Key ini sudah dipakai untuk permintaan lain.",
                    "This Idempotency-Key was already used for a different request.",
                    code="idempotency_key_reused",
                )
            )
        if existing.status_code is None:
            age = timezone.now() - existing.created_at
            owner_gone = False
            # The owner takes its lock right after claiming: give it that moment before reading "no lock" as "dead".
            if age > _LOCK_GRACE:
                lock_id = _lock_id(scope, key)
                if _advisory("pg_try_advisory_lock", lock_id):
                    _advisory("pg_advisory_unlock", lock_id)
                    # Gone only if the record is still unanswered now that we know nobody holds the lock.
                    owner_gone = IdempotencyRecord.objects.filter(pk=existing.pk, status_code__isnull=True).exists()
            if owner_gone or age > _ABANDONED_AFTER:
                IdempotencyRecord.objects.filter(pk=existing.pk, status_code__isnull=True).delete()
                return self._claim(scope, key, fingerprint)
            return None, _error(
                Conflict(
                    "Permintaan dengan Idempotency-Key ini masih diproses. Coba lagi sebentar.",
                    "A request with this Idempotency-Key is still being processed. Retry shortly.",
                    code="idempotency_in_progress",
                )
            )
        response = HttpResponse(bytes(existing.body), status=existing.status_code, content_type=existing.content_type)
        response["Idempotent-Replayed"] = "true"
        return None, response


def purge_expired_idempotency_records(*, older_than_hours: int) -> int:
    """Delete stored responses older than the retention window; returns how many."""
    cutoff = timezone.now() - dt.timedelta(hours=older_than_hours)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with one shortcut: a JSON answer loads nothing (no script, style, frame or image),
    so it gets a fixed policy that allows nothing, set as it is instead of building the site's policy for every
    API call. Pages, and any answer that already carries a policy, get django-csp's policy as before."""

    JSON_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    def process_response(self, request, response):
        if (response.get("Content-Type", "").startswith("application/json") and CSP_HEADER not in response
                and not getattr(response, "_csp_exempt", False)):
            response[CSP_HEADER] = self.JSON_POLICY
            return response
        return super().process_response(request, response)


class AnonymousUntilAuthenticatedMiddleware:
    """For the API lane, which has no session: `request.user` is anonymous until the API's token check sets it
    (Ninja's session authentication, tried after a refused token, reads it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
        return self.get_response(request)


class IndonesianByDefaultMiddleware:
    """Indonesian unless the person chose otherwise with the language switch (cookie).

    Office PCs and phones often run an English browser; the browser's Accept-Language is therefore not
    taken as a choice. Goes right before Django's LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def _too_large(request, limit: int):
    from django.http import HttpResponse

    exc = ApplicationError(
        f"Permintaan terlalu besar (maksimal {limit // 1024} KB).",
        f"The request is too large (at most {limit // 1024} KB).",
        code="request_too_large",
        status=413,
        details={"max_bytes": limit},
    )
    if request.path.startswith("/api/"):
        return _error(exc)
    return HttpResponse(exc.message, status=413, content_type="text/plain; charset=utf-8")


class BodySizeLimitMiddleware:
    """Refuse an oversize request body from its Content-Length, before anything reads it (413).

    Every request: at most SATUATAP_MAX_REQUEST_BYTES. A non-upload body (JSON, form fields) is read into
    memory whole, so it gets Django's DATA_UPLOAD_MAX_MEMORY_SIZE instead; under /api/ the answer is the
    usual JSON error rather than Django's bare 400 page.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.max_request = settings.SATUATAP_MAX_REQUEST_BYTES
        self.max_memory = settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.max_request:
            return _too_large(request, self.max_request)
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        if not multipart and self.max_memory is not None and length > self.max_memory:
            return _too_large(request, self.max_memory)
        return self.get_response(request)


_API_ERRORS = {
    400: ("bad_request", "Permintaan tidak dapat dibaca.", "The request could not be read."),
    403: ("forbidden", "Akses ditolak.", "Forbidden."),
    404: ("not_found", "Data tidak ditemukan.", "Not found."),
    405: ("method_not_allowed", "Metode HTTP ini tidak didukung di sini.", "This HTTP method is not allowed here."),
    413: ("request_too_large", "Permintaan terlalu besar.", "The request is too large."),
    500: (
        "internal_error",
        "Terjadi kesalahan pada sistem. Data Anda tidak berubah; silakan coba lagi.",
        "An internal error occurred. Nothing was changed; please try again.",
    ),
}


class ApiErrorShapeMiddleware:
    """Every error under /api/ is JSON {code, message, message_en, details}, also the ones Django or Ninja
    answer before the API's handlers run (unknown path, wrong method, CSRF refusal, unreadable request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith("application/json")
            or response.streaming
        ):
            return response
        code, message, message_en = _API_ERRORS.get(
            response.status_code, (f"http_{response.status_code}", "Permintaan gagal.", "The request failed.")
        )
        shaped = JsonResponse(
            {"code": code, "message": message, "message_en": message_en, "details": {}}, status=response.status_code
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                shaped[header] = response[header]
        return shaped


# Pagination beyond any real list: the database would refuse an offset past its integer range with an error
# (SQLite "datatype mismatch", PostgreSQL "bigint out of range") instead of an empty page.
_PAGING = re.compile(r"(?:^|&)(?:offset|limit)=\+?(\d{16,})(?:&|$)")


def _has_huge_paging(query: str) -> bool:
    return _PAGING.search(query) is not None


# A JSON \u0000 escape: an odd number of backslashes before "u0000" (an even number is a literal backslash).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


class NulCharacterMiddleware:
    """Refuse a NUL character anywhere in an API request (path, query, JSON body) with a JSON 422, and a
    pagination offset/limit of 16+ digits (beyond what the database can take).

    PostgreSQL cannot store NUL in text (the driver raises, the API would answer 500), SQLite would store it
    and pages would show a control character; no legitimate field holds one. Django's forms already refuse it
    (ProhibitNullCharactersValidator); this covers the JSON API.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if self._has_nul(request):
            return _error(
                ValidationFailed(
                    "Teks tidak boleh berisi karakter NUL (\\u0000).",
                    "Text must not contain NUL characters (\\u0000).",
                    code="nul_character",
                )
            )
        if self._body_not_object(request):
            return _error(
                ValidationFailed(
                    "Isi permintaan harus berupa objek JSON ({...}).",
                    "The request body must be a JSON object ({...}).",
                    code="body_not_object",
                )
            )
        if _has_huge_paging(request.META.get("QUERY_STRING", "")):
            return _error(
                ValidationFailed(
                    "Nilai offset/limit terlalu besar.",
                    "The offset or limit is too large.",
                    code="value_out_of_range",
                )
            )
        return self.get_response(request)

    @staticmethod
    def _body_not_object(request) -> bool:
        """Every JSON body of the API is an object; an array or a bare value would otherwise be read as an
        empty object (a PATCH "succeeding" with no change)."""
        if request.method not in ("POST", "PUT", "PATCH") or "json" not in request.META.get("CONTENT_TYPE", ""):
            return False
        body = request.body.lstrip(b"\xef\xbb\xbf \t\r\n")
        return bool(body) and not body.startswith(b"{")

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if request.method in ("POST", "PUT", "PATCH") and "json" in request.META.get("CONTENT_TYPE", ""):
            body = request.body
            return b"\x00" in body or (b"u0000" in body.lower() and _JSON_NUL.search(body) is not None)
        return False
