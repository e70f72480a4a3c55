"""The HTTP API: /api/v1/…, OpenAPI 3 at /api/openapi.json, docs at /api/docs.

Errors always have the shape {code, message, message_en, details}, Indonesian first.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError, connection, transaction
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from satuatap.accounts.api import API_AUTH
from satuatap.accounts.api import router as accounts_router
from satuatap.cards.api import router as cards_router
from satuatap.core.errors import ApplicationError
from satuatap.crisis.api import router as crisis_router
from satuatap.journey.api import router as journey_router
from satuatap.monitoring.api import router as monitoring_router
from satuatap.notify.api import router as notify_router
from satuatap.placement.api import router as placement_router
from satuatap.queueing.api import router as queueing_router
from satuatap.reference.api import router as reference_router
from satuatap.registry.api import router as registry_router

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="satuatap API",
    version="1",
    description=(
        "API Layanan Terpadu Satu Atap (LTSA) untuk Pekerja Migran Indonesia.\n\n"
        "Errors: JSON `{code, message, message_en, details}`; `message` is Indonesian, `message_en` English. "
        "Every POST accepts an `Idempotency-Key` header: a retry with the same key returns the first response."
    ),
    urls_namespace="api",
    auth=API_AUTH,
    openapi_url="/openapi.json",
    docs_url="/docs",
)

api.add_router("/v1/", accounts_router)
api.add_router("/v1/reference/", reference_router)
api.add_router("/v1/workers/", registry_router)
api.add_router("/v1/cases/", journey_router)
api.add_router("/v1/placement/", placement_router)
api.add_router("/v1/complaints/", crisis_router)
api.add_router("/v1/notifications/", notify_router)
api.add_router("/v1/queue/", queueing_router)
api.add_router("/v1/cards/", cards_router)
api.add_router("/v1/monitoring/", monitoring_router)


def _body(code: str, message: str, message_en: str, details=None) -> dict:
    return {"code": code, "message": message, "message_en": message_en, "details": details or {}}


@api.exception_handler(ApplicationError)
def _application_error(request, exc: ApplicationError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    details = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return api.create_response(
        request,
        _body("validation_error", "Data yang dikirim tidak valid.", "The submitted data is not valid.", details),
        status=422,
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return api.create_response(
        request,
        _body("not_authenticated", "Silakan masuk terlebih dahulu.", "Authentication required."),
        status=401,
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, _body("not_found", "Data tidak ditemukan.", "Not found."), status=404)


@api.exception_handler(DjangoPermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, _body("forbidden", "Akses ditolak.", "Forbidden."), status=403)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return api.create_response(
        request,
        _body("request_too_large", "Permintaan terlalu besar.", "The request is too large."),
        status=413,
    )


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    # Malformed input Django refuses on its own (too many fields, bad multipart, …): the client's fault.
    return api.create_response(
        request,
        _body("bad_request", "Permintaan tidak dapat dibaca.", "The request could not be read."),
        status=400,
    )


@api.exception_handler(DataError)
def _data_error(request, exc):
    # A value the database cannot hold (a number beyond its column's range, an impossible date …) that no schema
    # bound caught: the client's input, not a server fault. The failed statement rolled back its transaction.
    log.warning("database refused a value: %s", exc)
    if connection.in_atomic_block:
        transaction.set_rollback(True)  # the surrounding transaction is aborted: roll it back, never commit it
    return api.create_response(
        request,
        _body("value_out_of_range", "Nilai di luar jangkauan yang dapat disimpan.", "A value is out of range."),
        status=422,
    )


# The HttpErrors Ninja raises itself, in the project's words; any other keeps its text under http_<status>.
_NINJA_HTTP_ERRORS = {
    (400, "Cannot parse request body"): (
        "invalid_json", "Isi permintaan bukan JSON yang sah (periksa tanda kutip, koma dan kurung).",
        "The request body is not valid JSON (check quotes, commas and brackets).",
    ),
}


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    text = str(exc.message)
    for (status, prefix), (code, message, message_en) in _NINJA_HTTP_ERRORS.items():
        if exc.status_code == status and text.startswith(prefix):
            return api.create_response(request, _body(code, message, message_en), status=status)
    return api.create_response(request, _body(f"http_{exc.status_code}", text, text), status=exc.status_code)


@api.exception_handler(Exception)
def _unexpected(request, exc: Exception):
    log.exception("unhandled API error")
    return api.create_response(
        request,
        _body(
            "internal_error",
            "Terjadi kesalahan pada sistem. Data Anda tidak berubah; silakan coba lagi.",
            "An internal error occurred. Nothing was changed; please try again.",
        ),
        status=500,
    )
