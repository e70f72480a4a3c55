"""API authentication (session or bearer token) and the caller's own profile."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import StreamingHttpResponse
from ninja import Field, Query, Router, Schema
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from satuatap.accounts import selectors, services
from satuatap.accounts.models import AuditAction
from satuatap.core.api_schemas import ErrorOut
from satuatap.core.errors import PermissionDenied
from satuatap.core.limits import MAX_OFFSET


class BearerAuth(HttpBearer):
    """`Authorization: Bearer sat_…` tokens for integrations, created and revoked in the admin."""

    def __call__(self, request):
        # The header straight from META: Ninja's version builds request.headers (every header parsed) for it.
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request, token: str):
        user = services.api_token_authenticate(secret=token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """Django session of a logged-in officer, CSRF checked for unsafe methods."""

    def _get_key(self, request):
        # No session cookie: no session to authenticate and so no CSRF token to check. Ninja's own check would
        # refuse a POST whose bearer token failed with 403 "CSRF check Failed"; the caller gets 401
        # not_authenticated instead, as on a GET.
        if self.param_name not in request.COOKIES:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise PermissionDenied(
                "Pemeriksaan CSRF gagal: muat ulang halaman lalu coba lagi.",
                "CSRF check failed: reload the page and try again.",
                code="csrf_failed",
            )
        return request.COOKIES[self.param_name]

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


API_AUTH = [BearerAuth(), ActiveSessionAuth()]

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    role: str
    office: str | None
    agency: str | None
    region: str | None


@router.get("/me", response=MeOut, summary="Who am I")
def me(request):
    user = request.auth
    return MeOut(
        username=user.username, role=user.role, office=user.office_id, agency=user.agency_id, region=user.region_id
    )


# --- the audit log (auditors and admins) ----------------------------------------------------------------------


class AuditFilters(Schema):
    username: str | None = Field(None, max_length=150)
    worker_id: int | None = None
    object_type: str | None = Field(None, max_length=40)
    object_id: str | None = Field(None, max_length=64, description="case number, worker id, document id …")
    action: AuditAction | None = None
    date_from: dt.date | None = Field(None, description="local date (WIB), inclusive")
    date_to: dt.date | None = Field(None, description="local date (WIB), inclusive")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    username: str
    role: str
    office: str
    agency: str
    client_address: str
    action: str
    object_type: str
    object_id: str
    subject_worker_id: int | None
    reason: str
    method: str
    path: str
    details: dict[str, Any]


class AuditPage(Schema):
    count: int
    items: list[AuditEntryOut]


def _auditor(request):
    if not selectors.user_reads_audit(request.auth):
        raise PermissionDenied("Hanya auditor yang dapat membaca log audit.", "Only auditors may read the audit log.",
                               code="forbidden_role")
    return request.auth


def _entries(filters: AuditFilters):
    return selectors.audit_entries(
        username=filters.username, worker_id=filters.worker_id, object_type=filters.object_type,
        object_id=filters.object_id, action=filters.action, date_from=filters.date_from, date_to=filters.date_to,
    )


def _entry_out(e) -> dict[str, Any]:
    return dict(id=e.pk, at=e.at, username=e.username, role=e.role, office=e.office_id, agency=e.agency_id,
                client_address=e.client_address, action=e.action, object_type=e.object_type, object_id=e.object_id,
                subject_worker_id=e.subject_worker_id, reason=e.reason, method=e.method, path=e.path,
                details=e.details)


@router.get("/audit/entries", response={200: AuditPage, 401: ErrorOut, 403: ErrorOut},
            summary="Search the audit log (auditors): by user, worker, object, action and dates", tags=["audit"])
def audit_entries(request, filters: Query[AuditFilters]):
    _auditor(request)
    qs = _entries(filters)
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [_entry_out(e) for e in items]}


@router.get("/audit/entries.csv", response={200: None, 401: ErrorOut, 403: ErrorOut},
            summary="The matching audit entries as CSV (the export itself is audited)", tags=["audit"])
def audit_export(request, filters: Query[AuditFilters]):
    user = _auditor(request)
    services.audit_record(actor=user, request=request, action=AuditAction.EXPORT, object_type="audit_log",
                          object_id="", details=filters.model_dump(exclude={"limit", "offset"}, exclude_none=True,
                                                                   mode="json"))
    response = StreamingHttpResponse(selectors.audit_csv_rows(_entries(filters)), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
