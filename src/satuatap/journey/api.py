"""Cases API: open, read (steps + events), list with filters, and the step actions of each desk."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from satuatap.accounts import audit
from satuatap.accounts import selectors as account_selectors
from satuatap.accounts.models import Role
from satuatap.core.api_schemas import ErrorOut
from satuatap.core.errors import PermissionDenied
from satuatap.core.limits import MAX_OFFSET
from satuatap.core.masking import mask_nik
from satuatap.core.uploads import check_upload_size
from satuatap.journey import selectors, services
from satuatap.journey.models import Case, CaseStatus, Event, Step, StepState
from satuatap.registry import selectors as registry_selectors

router = Router(tags=["cases"])
# What a role without health need-to-know sees instead of a medical step's reason (UU 27/2022 art. 4).
REDACTED = "[disembunyikan / redacted]"




ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CaseOpenIn(Schema):
    worker_id: int
    office: str = Field(max_length=20, description="office code, e.g. LTSA-IDM")
    scheme: str = Field("P2P", max_length=10)
    destination_country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2 (default: the job order's)")
    job_order_number: str = Field("", max_length=60, description="the job order (required for P2P by the rules)")


# The step actions' bodies are plain pydantic models, not Ninja Schemas: a Schema validates through a Python-level
# wrapper that reads ORM objects (DjangoGetter), which a JSON body never is and which costs several times the
# validation itself on every transition. Ninja reads, validates and documents both kinds alike.
class StepActionIn(BaseModel):
    expected_version: int | None = Field(None, description="the step version you saw; 409 if it changed")
    note: str = Field("", max_length=1000)


class StepCompleteIn(StepActionIn):
    outcome: dict[str, Any] = Field(default_factory=dict, description="fields required by the step type")


class ReasonIn(BaseModel):
    expected_version: int | None = None
    reason: str = Field(min_length=1, max_length=2000)


class CaseCancelIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class StepOut(Schema):
    code: str
    name_id: str
    name_en: str
    agency: str
    state: str
    version: int
    prerequisites: list[str]
    sla_working_days: int
    ready_at: dt.datetime | None
    due_on: dt.date | None
    overdue: bool
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    actor: str | None
    outcome: dict[str, Any]
    reason: str
    valid_until: dt.date | None
    blocks_case: bool
    optional: bool


class EventOut(Schema):
    id: int
    kind: str
    step: str | None
    actor: str | None
    office: str | None
    agency: str | None
    from_state: str
    to_state: str
    reason: str
    payload: dict[str, Any]
    created_at: dt.datetime


class WorkerSummary(Schema):
    id: int
    nik: str
    name: str
    birth_date: dt.date
    sex: str
    regency: str


class CaseOut(Schema):
    number: str
    status: str
    version: int
    office: str
    scheme: str
    process: str
    process_version: int
    destination_country: str
    opened_at: dt.datetime
    updated_at: dt.datetime
    worker: WorkerSummary


class CaseDetailOut(CaseOut):
    steps: list[StepOut]
    events: list[EventOut]


class TransitionOut(Schema):
    case: str
    status: str
    case_version: int
    step: StepOut
    changed: list[StepOut] = Field(description="every step this action changed (the step itself, unlocked ones …)")


class CasePage(Schema):
    count: int
    items: list[CaseOut]


class CaseFilters(Schema):
    office: str | None = None
    agency: str | None = None
    step_state: StepState | None = None
    status: CaseStatus | None = None
    overdue: bool | None = None
    q: str | None = Field(None, max_length=100, description="NIK, name or case number")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _worker(case: Case, user) -> WorkerSummary:
    w = case.worker
    return WorkerSummary(
        id=w.pk,
        nik=w.nik if account_selectors.user_sees_full_nik(user) else mask_nik(w.nik),
        name=w.name,
        birth_date=w.birth_date,
        sex=w.sex,
        regency=w.regency_id,
    )


def _case_out(case: Case, user) -> dict[str, Any]:
    return dict(
        number=case.number,
        status=case.status,
        version=case.version,
        office=case.office_id,
        scheme=case.scheme,
        process=case.process.code,
        process_version=case.process.version,
        destination_country=case.destination_country,
        opened_at=case.opened_at,
        updated_at=case.updated_at,
        worker=_worker(case, user),
    )


def _actor_name(step: Step, known: dict[int, str] | None) -> str | None:
    if step.actor_id is None:
        return None
    if known and step.actor_id in known:
        return known[step.actor_id]
    return step.actor.username


def _step_data(step: Step, user, today: dt.date, known: dict[int, str] | None = None) -> dict[str, Any]:
    """A StepOut's fields (in its order), straight from the model's typed fields."""
    d = step.definition
    outcome = step.outcome
    reason = step.reason
    if d.outcome_type == "medical" and not account_selectors.user_sees_health_details(user):
        if outcome:
            outcome = {"redacted": True}
        reason = REDACTED if reason else ""
    return {
        "code": step.code,
        "name_id": d.name_id,
        "name_en": d.name_en,
        "agency": step.agency_id,
        "state": step.state,
        "version": step.version,
        "prerequisites": list(d.prerequisites),
        "sla_working_days": d.sla_working_days,
        "ready_at": step.ready_at,
        "due_on": step.due_on,
        "overdue": selectors.step_is_overdue(step, today=today),
        "started_at": step.started_at,
        "completed_at": step.completed_at,
        "actor": _actor_name(step, known),
        "outcome": outcome,
        "reason": reason,
        "valid_until": step.valid_until,
        "blocks_case": step.blocks_case,
        "optional": d.optional,
    }


def _step_out(step: Step, user, today: dt.date, known: dict[int, str] | None = None) -> StepOut:
    # a case answer has 14 of these: built from typed fields without validating again
    return StepOut.model_construct(**_step_data(step, user, today, known))


def _event_out(event: Event, user, medical_codes: set[str]) -> EventOut:
    payload = event.payload
    reason = event.reason
    if event.step_id and event.step.code in medical_codes and not account_selectors.user_sees_health_details(user):
        payload = {k: v for k, v in payload.items() if k != "outcome"}
        reason = REDACTED if reason else ""
    return EventOut(
        id=event.pk,
        kind=event.kind,
        step=event.step.code if event.step_id else None,
        actor=event.actor.username if event.actor_id else None,
        office=event.office_id,
        agency=event.agency_id,
        from_state=event.from_state,
        to_state=event.to_state,
        reason=reason,
        payload=payload,
        created_at=event.created_at,
    )


def _detail(request, case_number: str, case: Case | None = None) -> dict[str, Any]:
    user = request.auth
    if case is None:
        case = selectors.case_get(user=user, case_number=case_number)
    today = timezone.localdate()
    steps = selectors.case_steps(case=case)
    medical = {s.code for s in steps if s.definition.outcome_type == "medical"}
    return dict(
        _case_out(case, user),
        steps=[_step_out(s, user, today) for s in steps],
        events=[_event_out(e, user, medical) for e in selectors.case_events(case=case)],
    )


# The API renders with Ninja's default JSON renderer (config/api.py sets no other).
_RENDERER = JSONRenderer()
_CONTENT_TYPE = f"{_RENDERER.media_type}; charset={_RENDERER.charset}"
# One instance of the renderer's encoder for every answer (the renderer makes one per call; it keeps no state).
_ENCODER = _RENDERER.encoder_class(**_RENDERER.json_dumps_params)
_STEP_DATES = ("ready_at", "due_on", "started_at", "completed_at", "valid_until")
# The parts of an answer are joined the way the encoder joins a dict's items, which needs its default separators.
_SPLICE = not _RENDERER.json_dumps_params
# How the encoder writes a date or a time. Ninja's `default` tests a value against its own kinds first (pydantic
# models, URLs, IP addresses, enums: each an isinstance check, several against abstract classes) and hands
# anything else, every date and time among them, to Django's; with Ninja's own `default`, Django's is called
# straight away. Another encoder keeps its own.
_DATE_DEFAULT = (partial(DjangoJSONEncoder.default, _ENCODER)
                 if isinstance(_ENCODER, NinjaJSONEncoder) and type(_ENCODER).default is NinjaJSONEncoder.default
                 else _ENCODER.default)


def _dates_as_text(steps: list[dict[str, Any]]) -> None:
    """Each step's dates and times as the encoder writes them (Django's formatting, through the encoder's own
    `default`), each distinct value formatted once: an action stamps its moment on every step it changes."""
    text: dict[tuple, str] = {}
    default = _DATE_DEFAULT
    for data in steps:
        for name in _STEP_DATES:
            value = data[name]
            if value is not None:
                # the class and zone are part of the key: equal instants in two zones are written differently
                key = (value.__class__, value, getattr(value, "tzinfo", None))
                found = text.get(key)
                if found is None:
                    found = text[key] = default(value)
                data[name] = found


def _transition_answer(request, result: services.Transition) -> HttpResponse:
    """What every step action answers (200, TransitionOut): its fields rendered as Ninja renders a TransitionOut
    (the renderer's encoder, parameters and content type), without building the pydantic objects and dumping them
    again on every transition. The dates go in as the encoder would write them, and the step acted on, which is
    also one of `changed`, is encoded once and put in both places. tests/journey/test_api.py checks the bytes
    against TransitionOut's validation and the API's own rendering of it, so a change of renderer or schema shows
    there."""
    user = request.auth
    today = timezone.localdate()
    known = {user.pk: user.username}
    changed = [_step_data(s, user, today, known) for s in result.changed]
    _dates_as_text(changed)
    encode = _ENCODER.encode
    head = {"case": result.case.number, "status": result.case.status, "case_version": result.case.version}
    code = result.step.code
    if _SPLICE:
        parts = [encode(data) for data in changed]
        step = next(part for part, data in zip(parts, changed, strict=True) if data["code"] == code)
        content = f'{encode(head)[:-1]}, "step": {step}, "changed": [{", ".join(parts)}]}}'
    else:
        content = encode({**head, "step": next(d for d in changed if d["code"] == code), "changed": changed})
    return HttpResponse(content, status=200, content_type=_CONTENT_TYPE)


@router.post("/", response={201: CaseDetailOut, **ERRORS}, summary="Open a placement case")
def open_case(request, payload: CaseOpenIn):
    worker = registry_selectors.worker_get(worker_id=payload.worker_id)
    case = services.case_open(
        actor=request.auth,
        worker=worker,
        office_code=payload.office,
        scheme=payload.scheme,
        destination_country=payload.destination_country,
        job_order_number=payload.job_order_number,
    )
    return 201, _detail(request, case.number)


@router.get("/", response={200: CasePage, **ERRORS}, summary="List cases (scoped to your office or region)")
def list_cases(request, filters: Query[CaseFilters]):
    user = request.auth
    # Office staff, monitors and admins list cases. A company user may hold a monitor role: their candidates are
    # in the placement API; auditors read the audit log; checkpoint officers look a card up, not a list.
    if account_selectors.user_is_company_user(user) or not (
        account_selectors.user_is_admin(user)
        or user.role in (Role.DESK_OFFICER, Role.OFFICE_HEAD, Role.MONITOR)
    ):
        raise PermissionDenied("Peran Anda tidak memberi akses ke daftar kasus.", "Your role gives no case list.",
                               code="forbidden_role")
    qs = selectors.cases_list(
        user=request.auth,
        office=filters.office,
        agency=filters.agency,
        step_state=filters.step_state,
        status=filters.status,
        overdue=filters.overdue,
        q=filters.q,
    )
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [_case_out(c, request.auth) for c in items]}


def _audit_case_read(request, case: Case) -> None:
    audit.record_full_read(
        request=request, actor=request.auth, object_type="case", object_id=case.number,
        subject_worker_id=case.worker_id, office_id=case.office_id,
        active=audit.case_in_daily_work(status=case.status, closed_at=case.closed_at),
    )


@router.get("/{case_number}", response={200: CaseDetailOut, **ERRORS, 428: ErrorOut},
            summary="A case with its steps and events (read recorded in the audit log)",
            description="Outside the reader's normal work (a monitor, an admin, an office head opening a closed "
                        "case) the reason must be given in the `X-Access-Reason` header, else 428.")
def get_case(request, case_number: str):
    case = selectors.case_get(user=request.auth, case_number=case_number)
    _audit_case_read(request, case)
    return _detail(request, case_number, case)


@router.post("/{case_number}/steps/{step_code}/start", response={200: TransitionOut, **ERRORS})
def start_step(request, case_number: str, step_code: str, payload: StepActionIn):
    result = services.step_start(actor=request.auth, case_number=case_number, step_code=step_code,
                        expected_version=payload.expected_version, note=payload.note)
    return _transition_answer(request, result)


@router.post("/{case_number}/steps/{step_code}/complete", response={200: TransitionOut, **ERRORS})
def complete_step(request, case_number: str, step_code: str, payload: StepCompleteIn):
    result = services.step_complete(actor=request.auth, case_number=case_number, step_code=step_code,
                           outcome=payload.outcome, expected_version=payload.expected_version, note=payload.note)
    return _transition_answer(request, result)


@router.post("/{case_number}/steps/{step_code}/reject", response={200: TransitionOut, **ERRORS})
def reject_step(request, case_number: str, step_code: str, payload: ReasonIn):
    result = services.step_reject(actor=request.auth, case_number=case_number, step_code=step_code,
                         reason=payload.reason, expected_version=payload.expected_version)
    return _transition_answer(request, result)


@router.post("/{case_number}/steps/{step_code}/waive", response={200: TransitionOut, **ERRORS})
def waive_step(request, case_number: str, step_code: str, payload: ReasonIn):
    result = services.step_waive(actor=request.auth, case_number=case_number, step_code=step_code,
                        reason=payload.reason, expected_version=payload.expected_version)
    return _transition_answer(request, result)


@router.post("/{case_number}/cancel", response={200: CaseDetailOut, **ERRORS}, summary="Cancel a case (office head)")
def cancel_case(request, case_number: str, payload: CaseCancelIn):
    services.case_cancel(actor=request.auth, case_number=case_number, reason=payload.reason)
    return _detail(request, case_number)


class DocumentOut(Schema):
    id: int
    step: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str | None
    uploaded_at: dt.datetime


@router.post("/{case_number}/steps/{step_code}/documents", response={201: DocumentOut, **ERRORS},
             summary="Upload a PDF/JPEG/PNG (≤ 5 MB) on a step")
def upload_document(request, case_number: str, step_code: str, file: File[UploadedFile]):
    check_upload_size(file.size or 0)  # refuse before reading a huge body into memory
    content = file.read()
    doc = services.step_document_attach(actor=request.auth, case_number=case_number, step_code=step_code,
                                        filename=file.name or "", content=content)
    return 201, DocumentOut(id=doc.pk, step=doc.step.code, original_name=doc.original_name,
                            content_type=doc.content_type, size=doc.size, sha256=doc.sha256,
                            uploaded_by=request.auth.username, uploaded_at=doc.uploaded_at)


@router.get("/documents/{document_id}", summary="Download a step document (its desk and the office head)",
            response={200: None, **ERRORS, 428: ErrorOut})
def download_document(request, document_id: int):
    doc = selectors.document_get(user=request.auth, document_id=document_id)
    case = doc.step.case
    audit.record_full_read(
        request=request, actor=request.auth, object_type="document", object_id=doc.pk,
        subject_worker_id=case.worker_id, office_id=case.office_id,
        active=audit.case_in_daily_work(status=case.status, closed_at=case.closed_at),
        details={"case": case.number, "step": doc.step.code},
    )
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type, as_attachment=True,
                            filename=doc.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
