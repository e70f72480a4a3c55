"""/api/v1/workers/: register, find and read candidates (CPMI), the live NIK check, and family consent.

Thin: parse, call a service or selector, render. The full NIK is shown only to identity roles (see access.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from satuatap.registry import selectors, services
from satuatap.registry.access import nik_for
from satuatap.registry.models import FamilyConsent, Worker
from satuatap.registry.nik import nik_check

router = Router(tags=["workers"])

SexCode = Literal["L", "P"]
EducationCode = Literal["", "none", "sd", "smp", "sma", "d3", "s1", "s2"]
MaritalCode = Literal["", "single", "married", "divorced", "widowed"]
RelationCode = Literal["spouse", "father", "mother", "guardian"]


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    details: dict[str, Any] | list[Any]


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


@router.post(
    "/",
    response={201: WorkerDetailOut, 409: ErrorOut, **_ERRORS},
    summary="Register a worker (Disnaker/Dukcapil desk, office head, admin)",
)
def worker_register(request, payload: WorkerIn):
    worker = services.worker_register(actor=request.auth, **payload.model_dump())
    return 201, _worker_detail(selectors.worker_get(worker_id=worker.pk), request.auth)


@router.get("/", response={200: list[WorkerOut], **_ERRORS}, summary="Search workers by NIK, phone or name")
def workers_search(request, filters: Query[SearchQuery]):
    return [_worker_out(w, request.auth) for w in selectors.workers_search(q=filters.q, limit=filters.limit)]


@router.get(
    "/nik-check",
    response={200: NikCheckOut, **_ERRORS},
    summary="Check a NIK live (registration wizard): structure, region, declared birth date and sex",
)
def nik_check_view(request, params: Query[NikCheckQuery]):
    result = nik_check(params.nik, declared_birth_date=params.birth_date, declared_sex=params.sex)
    return result.as_dict()


@router.get("/{worker_id}", response={200: WorkerDetailOut, 404: ErrorOut, **_ERRORS}, summary="A worker")
def worker_detail(request, worker_id: int):
    return _worker_detail(selectors.worker_get(worker_id=worker_id), request.auth)


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
    "/{worker_id}/consents", response={200: list[ConsentOut], 404: ErrorOut, **_ERRORS}, summary="Family consents"
)
def consents_list(request, worker_id: int):
    return list(selectors.worker_consents(worker=selectors.worker_get(worker_id=worker_id)))


@router.post(
    "/{worker_id}/consents",
    response={201: ConsentOut, 404: ErrorOut, **_ERRORS},
    summary="Record family consent acknowledged by the village head (law 18/2017 art. 13)",
)
def consent_record(request, worker_id: int, payload: ConsentIn) -> tuple[int, FamilyConsent]:
    worker = selectors.worker_get(worker_id=worker_id)
    consent = services.family_consent_record(actor=request.auth, worker=worker, **payload.model_dump())
    return 201, consent
