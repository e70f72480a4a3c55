"""/api/v1/workers/: register, find and read candidates (CPMI), the live NIK check, and family consent.

Thin: parse, call a service or selector, render. The full NIK is shown only to identity roles (see access.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from satuatap.accounts import audit
from satuatap.core.api_schemas import ErrorOut
from satuatap.core.errors import PermissionDenied
from satuatap.registry import export, selectors, services
from satuatap.registry.access import nik_for, user_reads_workers
from satuatap.registry.models import FamilyConsent, Worker
from satuatap.registry.nik import nik_check

router = Router(tags=["workers"])

SexCode = Literal["L", "P"]
EducationCode = Literal["", "none", "sd", "smp", "sma", "d3", "s1", "s2"]
MaritalCode = Literal["", "single", "married", "divorced", "widowed"]
RelationCode = Literal["spouse", "father", "mother", "guardian"]




class IssueOut(Schema):
    code: str
    message: str
    message_en: str


class RegionOut(Schema):
    code: str
    name: str


class WorkerIn(Schema):
    nik: str = Field(..., max_length=32, description="16 digits; spaces, dots and dashes are ignored")
    name: str = Field(..., min_length=1, max_length=150)
    birth_place: str = Field(..., min_length=1, max_length=100)
    birth_date: dt.date
    sex: SexCode = Field(..., description="L = laki-laki (male), P = perempuan (female)")
    address: str = Field("", max_length=250)
    district_code: str | None = Field(None, description='Kemendagri district code, e.g. "32.12.01"')
    regency_code: str | None = Field(None, description='Kemendagri regency code, e.g. "32.12" (if no district)')
    village_code: str | None = Field(None, description='Kemendagri village code, e.g. "32.12.01.2001"')
    phone: str = Field("", max_length=30, description="Indonesian (0812…) or international (+852…)")
    education: EducationCode = ""
    marital_status: MaritalCode = ""


class WorkerPatch(Schema):
    nik: str | None = Field(None, max_length=32)
    name: str | None = Field(None, min_length=1, max_length=150)
    birth_place: str | None = Field(None, min_length=1, max_length=100)
    birth_date: dt.date | None = None
    sex: SexCode | None = None
    address: str | None = Field(None, max_length=250)
    district_code: str | None = None
    regency_code: str | None = None
    village_code: str | None = None
    phone: str | None = Field(None, max_length=30)
    education: EducationCode | None = None
    marital_status: MaritalCode | None = None


class WorkerOut(Schema):
    id: int
    nik: str = Field(..., description="full for Disnaker/Dukcapil officers, office heads and admins; else masked")
    name: str
    birth_place: str
    birth_date: dt.date
    sex: SexCode
    address: str
    province: RegionOut
    regency: RegionOut
    district: RegionOut | None
    village: RegionOut | None
    phone: str
    education: str
    marital_status: str
    nik_warnings: list[IssueOut]
    created_at: dt.datetime


class ConsentIn(Schema):
    consenter_name: str = Field(..., min_length=1, max_length=150)
    relation: RelationCode
    consent_date: dt.date
    village_head_acknowledged: bool
    village_head_name: str = Field("", max_length=150)


class ConsentOut(Schema):
    id: int
    worker_id: int
    consenter_name: str
    relation: str
    consent_date: dt.date
    village_head_acknowledged: bool
    village_head_name: str
    recorded_at: dt.datetime


class WorkerDetailOut(WorkerOut):
    has_consent: bool
    consents: list[ConsentOut]


class NikCheckOut(Schema):
    valid: bool
    nik: str | None
    errors: list[IssueOut]
    warnings: list[IssueOut]
    birth_date: dt.date | None
    sex: SexCode | None
    province_code: str | None
    regency_code: str | None
    district_code: str | None
    province_name: str | None
    regency_name: str | None
    district_name: str | None
    current_regency_code: str | None


class NikCheckQuery(Schema):
    nik: str = Field(..., max_length=32)
    birth_date: dt.date | None = None
    sex: SexCode | None = None


class SearchQuery(Schema):
    q: str = Field(..., min_length=1, max_length=150, description="16-digit NIK, a phone number, or part of a name")
    limit: int = Field(20, ge=1, le=100)


def _region(region) -> dict[str, str] | None:
    return {"code": region.code, "name": region.name} if region is not None else None


def _worker_out(worker: Worker, user) -> dict[str, Any]:
    return {
        "id": worker.pk,
        "nik": nik_for(user, worker.nik),
        "name": worker.name,
        "birth_place": worker.birth_place,
        "birth_date": worker.birth_date,
        "sex": worker.sex,
        "address": worker.address,
        "province": _region(worker.province),
        "regency": _region(worker.regency),
        "district": _region(worker.district),
        "village": _region(worker.village),
        "phone": worker.phone,
        "education": worker.education,
        "marital_status": worker.marital_status,
        "nik_warnings": worker.nik_warnings or [],
        "created_at": worker.created_at,
    }


def _worker_detail(worker: Worker, user) -> dict[str, Any]:
    return {
        **_worker_out(worker, user),
        "has_consent": selectors.worker_has_consent(worker=worker),
        "consents": list(selectors.worker_consents(worker=worker)),
    }


_ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


def _reader(request):
    """The caller, if they may read worker records at all (office staff and admins); else 403."""
    user = request.auth
    if not user_reads_workers(user):
        raise PermissionDenied(
            "Peran Anda tidak memberi akses ke data pekerja.", "Your role gives no access to worker records.",
            code="forbidden_role",
        )
    return user


def _audit_worker_read(request, worker: Worker, object_type: str = "worker") -> None:
    audit.record_full_read(request=request, actor=request.auth, object_type=object_type, object_id=worker.pk,
                           subject_worker_id=worker.pk, office_id=None)


@router.post(
    "/",
    response={201: WorkerDetailOut, 409: ErrorOut, **_ERRORS},
    summary="Register a worker (Disnaker/Dukcapil desk, office head, admin)",
)
def worker_register(request, payload: WorkerIn):
    worker = services.worker_register(actor=request.auth, **payload.model_dump())
    return 201, _worker_detail(selectors.worker_get(worker_id=worker.pk), request.auth)


@router.get("/", response={200: list[WorkerOut], 428: ErrorOut, **_ERRORS},
            summary="Search workers by NIK, phone or name (office staff; admins give X-Access-Reason)")
def workers_search(request, filters: Query[SearchQuery]):
    _reader(request)
    found = selectors.workers_search(q=filters.q, limit=filters.limit)
    if found:
        audit.record_full_read(request=request, actor=request.auth, object_type="worker_search", object_id="",
                               subject_worker_id=found[0].pk if len(found) == 1 else None, office_id=None,
                               details={"workers": [w.pk for w in found]})
    return [_worker_out(w, request.auth) for w in found]


@router.get(
    "/nik-check",
    response={200: NikCheckOut, **_ERRORS},
    summary="Check a NIK live (registration wizard): structure, region, declared birth date and sex",
)
def nik_check_view(request, params: Query[NikCheckQuery]):
    _reader(request)
    result = nik_check(params.nik, declared_birth_date=params.birth_date, declared_sex=params.sex)
    return result.as_dict()


@router.get("/{worker_id}", response={200: WorkerDetailOut, 404: ErrorOut, 428: ErrorOut, **_ERRORS},
            summary="A worker (read recorded in the audit log)")
def worker_detail(request, worker_id: int):
    _reader(request)
    worker = selectors.worker_get(worker_id=worker_id)
    _audit_worker_read(request, worker)
    return _worker_detail(worker, request.auth)


@router.patch(
    "/{worker_id}",
    response={200: WorkerDetailOut, 404: ErrorOut, 409: ErrorOut, **_ERRORS},
    summary="Correct a worker's data (Disnaker/Dukcapil desk, office head, admin)",
)
def worker_update(request, worker_id: int, payload: WorkerPatch):
    worker = selectors.worker_get(worker_id=worker_id)
    # null means "not sent" except for the address codes, where it clears the finer levels.
    fields = {
        k: v
        for k, v in payload.model_dump(exclude_unset=True).items()
        if v is not None or k in ("district_code", "regency_code", "village_code")
    }
    worker = services.worker_update(actor=request.auth, worker=worker, **fields)
    return _worker_detail(selectors.worker_get(worker_id=worker.pk), request.auth)


@router.get(
    "/{worker_id}/consents", response={200: list[ConsentOut], 404: ErrorOut, 428: ErrorOut, **_ERRORS},
    summary="Family consents"
)
def consents_list(request, worker_id: int):
    _reader(request)
    worker = selectors.worker_get(worker_id=worker_id)
    _audit_worker_read(request, worker, "family_consent")
    return list(selectors.worker_consents(worker=worker))


@router.post(
    "/{worker_id}/consents",
    response={201: ConsentOut, 404: ErrorOut, **_ERRORS},
    summary="Record family consent acknowledged by the village head (law 18/2017 art. 13)",
)
def consent_record(request, worker_id: int, payload: ConsentIn) -> tuple[int, FamilyConsent]:
    worker = selectors.worker_get(worker_id=worker_id)
    consent = services.family_consent_record(actor=request.auth, worker=worker, **payload.model_dump())
    return 201, consent


# --- data subject rights: export and corrections -------------------------------------------------------------------


class ExportQuery(Schema):
    format: Literal["json", "pdf"] = "json"
    reason: str = Field(..., min_length=3, max_length=2000,
                        description="the worker's request, e.g. 'permintaan pekerja, formulir 12/2026'")


@router.get(
    "/{worker_id}/export",
    response={200: None, 404: ErrorOut, 409: ErrorOut, **_ERRORS},
    summary="A worker's full data as JSON or PDF, for the worker (identity desks, office head, admin; audited)",
)
def worker_export(request, worker_id: int, params: Query[ExportQuery]):
    worker = selectors.worker_get(worker_id=worker_id)
    services.worker_export_record(actor=request.auth, worker=worker, fmt=params.format, reason=params.reason)
    data = export.worker_export_data(worker=worker)
    if params.format == "pdf":
        body, content_type, ext = export.worker_export_pdf(data), "application/pdf", "pdf"
    else:
        body, content_type, ext = export.worker_export_json(data), "application/json", "json"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="data-pekerja-{worker.pk}.{ext}"'
    response["Cache-Control"] = "private, no-store"
    return response


UpdatableField = Literal["nik", "name", "birth_place", "birth_date", "sex", "address", "phone", "education",
                         "marital_status", "district_code", "regency_code", "village_code"]


class CorrectionIn(Schema):
    changes: dict[UpdatableField, str | None] = Field(..., description="field -> corrected value (dates ISO)")
    reason: str = Field(..., min_length=3, max_length=2000, description="the worker's request and evidence seen")


class CorrectionDecisionIn(Schema):
    action: Literal["approve", "reject"]
    note: str = Field("", max_length=2000)
    expected_version: int | None = None


class CorrectionOut(Schema):
    id: int
    worker_id: int
    status: str
    fields: list[str]
    changes: dict[str, Any]
    reason: str
    office: str
    requested_by: str | None
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    version: int


def _correction_out(c, user) -> dict[str, Any]:
    # A requested NIK is shown as the caller may see NIKs.
    changes = {k: (nik_for(user, v) if k == "nik" and v else v) for k, v in c.changes.items()}
    return {
        "id": c.pk, "worker_id": c.worker_id, "status": c.status, "fields": sorted(c.changes), "changes": changes,
        "reason": c.reason, "office": c.office_id,
        "requested_by": c.requested_by.username if c.requested_by_id else None, "requested_at": c.requested_at,
        "decided_by": c.decided_by.username if c.decided_by_id else None, "decided_at": c.decided_at,
        "decision_note": c.decision_note, "version": c.version,
    }


@router.post(
    "/{worker_id}/corrections",
    response={201: CorrectionOut, 404: ErrorOut, 409: ErrorOut, **_ERRORS},
    summary="Record a worker's correction request (any office staff); decided by an identity desk or the head",
)
def correction_request(request, worker_id: int, payload: CorrectionIn):
    worker = selectors.worker_get(worker_id=worker_id)
    correction = services.correction_request_create(actor=request.auth, worker=worker, changes=payload.changes,
                                                    reason=payload.reason)
    return 201, _correction_out(correction, request.auth)


@router.get(
    "/{worker_id}/corrections",
    response={200: list[CorrectionOut], 404: ErrorOut, **_ERRORS},
    summary="A worker's correction requests, newest first",
)
def corrections_list(request, worker_id: int):
    _reader(request)
    worker = selectors.worker_get(worker_id=worker_id)
    return [_correction_out(c, request.auth) for c in selectors.worker_corrections(worker=worker)]


@router.post(
    "/corrections/{correction_id}/decide",
    response={200: CorrectionOut, 404: ErrorOut, 409: ErrorOut, **_ERRORS},
    summary="Approve (applies the change, NIK rules checked again) or reject a correction request",
)
def correction_decide(request, correction_id: int, payload: CorrectionDecisionIn):
    correction = services.correction_decide(actor=request.auth, correction_id=correction_id, action=payload.action,
                                            note=payload.note, expected_version=payload.expected_version)
    return _correction_out(correction, request.auth)
