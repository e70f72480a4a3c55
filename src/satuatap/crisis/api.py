"""Complaints API.

- POST /api/v1/complaints/ — channel integrations (WhatsApp / SMS gateway, e-mail robot), each authenticated
  by its own `X-Channel-Key`. Send `external_id` (the conversation or message id): a retry registers once.
- GET /api/v1/complaints/ and /{reference} — Crisis Center agents (session or bearer token).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.security import APIKeyHeader

from satuatap.core.api_schemas import ErrorOut
from satuatap.core.errors import ValidationFailed
from satuatap.core.limits import MAX_OFFSET
from satuatap.core.uploads import MAX_UPLOAD_BYTES
from satuatap.crisis import links, selectors, services
from satuatap.crisis.constants import MAX_ATTACHMENTS, Category, ComplainantType, Priority, Relation, Status
from satuatap.crisis.models import Complaint, ComplaintEvent

router = Router(tags=["complaints"])


class ChannelKeyAuth(APIKeyHeader):
    """`X-Channel-Key: crk_…`: one key per channel integration, created in the admin or with
    `satuatap crisis-channel-key`; only its hash is stored."""

    param_name = "X-Channel-Key"

    def authenticate(self, request, key: str | None):
        return services.channel_key_authenticate(secret=key or "")


CHANNEL_AUTH = ChannelKeyAuth()




ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class AttachmentIn(Schema):
    filename: str = Field(max_length=200)
    content_base64: str = Field(description="PDF, JPEG or PNG, at most 5 MB once decoded")


class ChannelComplaintIn(Schema):
    external_id: str = Field("", max_length=100, description="the integration's id; a retry with it registers once")
    language: str = Field("id", max_length=5)
    complainant_type: ComplainantType
    complainant_name: str = Field(max_length=150)
    complainant_relation: Relation | None = None
    complainant_organisation: str = Field("", max_length=150)
    complainant_poa_reference: str = Field("", max_length=100)
    complainant_phone: str = Field("", max_length=30)
    complainant_email: str = Field("", max_length=254)
    worker_name: str = Field("", max_length=150)
    worker_nik: str = Field("", max_length=20)
    worker_passport: str = Field("", max_length=12)
    worker_birth_date: dt.date | None = None
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2")
    employer: str = Field("", max_length=200)
    company: str = Field("", max_length=200)
    job_order_number: str = Field("", max_length=60)
    category: Category
    description: str = Field(max_length=10000)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class ChannelComplaintOut(Schema):
    reference: str
    secret: str | None = Field(description="the complainant's status-page code: returned once, when created")
    created: bool
    status: str
    priority: str
    status_url: str


class EventOut(Schema):
    kind: str
    actor: str | None
    from_status: str
    to_status: str
    reason: str
    payload: dict[str, Any]
    public: bool
    created_at: dt.datetime


class ComplaintOut(Schema):
    reference: str
    channel: str
    status: str
    priority: str
    category: str
    complainant_type: str
    complainant_name: str
    worker_name: str
    country: str | None
    company: str = Field(description="the placement company as the complainant named it")
    company_id: int | None = Field(None, description="the registered placement company it is linked to")
    job_order_number: str = Field("", description="the job order number as given")
    job_order_id: int | None = Field(None, description="the registered job order it is linked to")
    registered_at: dt.datetime
    first_response_due_at: dt.datetime
    first_responded_at: dt.datetime | None
    assigned_to: str | None
    assigned_team: str
    service_type: str
    procedural: bool | None
    matched_worker_id: int | None
    match_method: str
    match_confidence: float | None
    match_confirmed: bool
    resolution_outcome: str
    resolution_amount: int | None
    closure_rule: str


class ComplaintDetailOut(ComplaintOut):
    description: str
    events: list[EventOut]


class ComplaintPage(Schema):
    count: int
    items: list[ComplaintOut]


class ComplaintFilters(Schema):
    status: Status | None = None
    priority: Priority | None = None
    category: Category | None = None
    q: str | None = Field(None, max_length=100, description="reference, name, NIK or passport number")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _decode(attachment: AttachmentIn) -> services.Upload:
    if len(attachment.content_base64) > (MAX_UPLOAD_BYTES * 4) // 3 + 8:
        raise ValidationFailed("Berkas terlalu besar (maksimal 5 MB).", "The file is too large (at most 5 MB).",
                               code="upload_too_large", details={"file": attachment.filename})
    try:
        content = base64.b64decode(attachment.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("Lampiran bukan base64 yang valid.", "The attachment is not valid base64.",
                               code="upload_not_base64", details={"file": attachment.filename}) from None
    return services.Upload(filename=attachment.filename, content=content)


def _out(complaint: Complaint) -> dict[str, Any]:
    return {
        "reference": complaint.reference, "channel": complaint.channel, "status": complaint.status,
        "priority": complaint.priority, "category": complaint.category,
        "complainant_type": complaint.complainant_type, "complainant_name": complaint.complainant_name,
        "worker_name": complaint.worker_name, "country": complaint.country_id, "company": complaint.company_name,
        "company_id": complaint.company_id, "job_order_number": complaint.job_order_number,
        "job_order_id": complaint.job_order_id,
        "registered_at": complaint.registered_at, "first_response_due_at": complaint.first_response_due_at,
        "first_responded_at": complaint.first_responded_at,
        "assigned_to": complaint.assigned_to.username if complaint.assigned_to_id else None,
        "assigned_team": complaint.assigned_team, "service_type": complaint.service_type,
        "procedural": complaint.procedural, "matched_worker_id": complaint.matched_worker_id,
        "match_method": complaint.match_method,
        "match_confidence": float(complaint.match_confidence) if complaint.match_confidence is not None else None,
        "match_confirmed": complaint.match_confirmed_at is not None,
        "resolution_outcome": complaint.resolution_outcome,
        "resolution_amount": int(complaint.resolution_amount) if complaint.resolution_amount is not None else None,
        "closure_rule": complaint.closure_rule,
    }


def _event_out(event: ComplaintEvent) -> EventOut:
    return EventOut(kind=event.kind, actor=event.actor.username if event.actor_id else (event.actor_label or None),
                    from_status=event.from_status, to_status=event.to_status, reason=event.reason,
                    payload=event.payload, public=event.public, created_at=event.created_at)


@router.post("/", auth=CHANNEL_AUTH, response={200: ChannelComplaintOut, 201: ChannelComplaintOut, **ERRORS},
             summary="Register a complaint from a channel integration (X-Channel-Key)")
def register_complaint(request, payload: ChannelComplaintIn):
    key = request.auth
    data = services.ComplaintInput(
        complainant_type=payload.complainant_type, complainant_name=payload.complainant_name,
        worker_name=payload.worker_name, category=payload.category, description=payload.description,
        complainant_relation=payload.complainant_relation or "",
        complainant_poa_reference=payload.complainant_poa_reference,
        complainant_organisation=payload.complainant_organisation, complainant_phone=payload.complainant_phone,
        complainant_email=payload.complainant_email, worker_nik=payload.worker_nik,
        worker_passport=payload.worker_passport, worker_birth_date=payload.worker_birth_date,
        country=payload.country, employer=payload.employer, company=payload.company,
        job_order_number=payload.job_order_number,
    )
    result = services.complaint_register(
        channel=key.channel, data=data, attachments=[_decode(a) for a in payload.attachments], channel_key=key,
        external_id=payload.external_id, language=payload.language,
    )
    complaint = result.complaint
    body = {"reference": complaint.reference, "secret": result.secret, "created": result.created,
            "status": complaint.status, "priority": complaint.priority, "status_url": links.status_url()}
    return (201 if result.created else 200), body


@router.get("/", response={200: ComplaintPage, **ERRORS}, summary="List complaints (Crisis Center agents)")
def list_complaints(request, filters: Query[ComplaintFilters]):
    qs = selectors.complaints_list(user=request.auth, status=filters.status, priority=filters.priority,
                                   category=filters.category, q=filters.q)
    items = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [_out(c) for c in items]}


class ComplaintStatsOut(Schema):
    total: int
    procedural: dict[str, int]
    by_category: dict[str, int]
    by_status: dict[str, int]
    by_country: dict[str, int]


@router.get("/stats", response={200: ComplaintStatsOut, **ERRORS},
            summary="Complaint counts: procedural or not, by category, status and country (agents, monitors)")
def complaint_stats(request, since: dt.date | None = None, until: dt.date | None = None):
    return selectors.complaint_statistics(user=request.auth, since=since, until=until)


@router.get("/{reference}", response={200: ComplaintDetailOut, **ERRORS},
            summary="A complaint with its timeline (Crisis Center agents)")
def get_complaint(request, reference: str):
    complaint = selectors.complaint_get(user=request.auth, reference=reference)
    return {**_out(complaint), "description": complaint.description,
            "events": [_event_out(e) for e in selectors.complaint_events(complaint=complaint)]}
