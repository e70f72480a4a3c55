"""Every write to a complaint goes through here (house rule 1).

A status change is looked up in `TRANSITIONS`, checked, written, recorded as an immutable ComplaintEvent
and — when the complainant should know — a message is written to the outbox in the same transaction
(delivered after commit by notify's task). The complaint row is locked for each change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from satuatap.accounts.models import User
from satuatap.accounts.selectors import user_is_admin
from satuatap.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from satuatap.core.uploads import CheckedUpload, check_upload
from satuatap.crisis import deadlines, links, rulesets, tokens
from satuatap.crisis.access import require_crisis_agent, user_company_id, user_is_crisis_agent
from satuatap.crisis.complainant_secret import secret_generate, secret_hash, secret_matches
from satuatap.crisis.constants import (
    API_CHANNELS,
    MAX_ATTACHMENTS,
    OFFICER_CHANNELS,
    OUTCOMES_WITH_AMOUNT,
    REFERENCE_PREFIX,
    Category,
    ClosureRule,
    ComplainantType,
    IntakeChannel,
    Outcome,
    Relation,
    ServiceType,
    Status,
    priority_for,
)
from satuatap.crisis.matching import match_candidates, passport_normalize, worker_left_procedurally
from satuatap.crisis.models import (
    AttachmentSource,
    ChannelKey,
    ClarificationRequest,
    ClarificationState,
    Complaint,
    ComplaintAttachment,
    ComplaintCounter,
    ComplaintEvent,
    MatchMethod,
)
from satuatap.notify import services as notify_services
from satuatap.notify.models import Channel
from satuatap.placement.models import Company, JobOrder
from satuatap.reference import selectors as reference_selectors
from satuatap.reference.models import Country
from satuatap.registry.models import Worker
from satuatap.registry.nik import nik_normalize
from satuatap.registry.phone import phone_to_e164

S = Status
OPEN = frozenset(s for s in S.values if s not in (S.RESOLVED, S.CLOSED))

# action -> (statuses it may start from, status it leads to). Perban 6/2024 art. 30's closures are
# "auto_close", applied only by the timer run; "close" is an agent's manual closure with a reason.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "respond": (frozenset({S.REGISTERED}), S.IN_PROGRESS),
    "request_documents": (frozenset({S.REGISTERED, S.IN_PROGRESS}), S.AWAITING_DOCUMENTS),
    "documents_received": (frozenset({S.AWAITING_DOCUMENTS}), S.IN_PROGRESS),
    "ask_clarification": (frozenset({S.REGISTERED, S.IN_PROGRESS}), S.AWAITING_CLARIFICATION),
    "clarification_answered": (frozenset({S.AWAITING_CLARIFICATION}), S.IN_PROGRESS),
    "withdraw_clarification": (frozenset({S.AWAITING_CLARIFICATION}), S.IN_PROGRESS),
    "mark_unreachable": (frozenset({S.REGISTERED, S.IN_PROGRESS, S.AWAITING_DOCUMENTS}), S.UNREACHABLE),
    "contact_restored": (frozenset({S.UNREACHABLE}), S.IN_PROGRESS),
    "refer": (frozenset({S.REGISTERED, S.IN_PROGRESS}), S.REFERRED),
    "referral_returned": (frozenset({S.REFERRED}), S.IN_PROGRESS),
    "declare_unresolvable": (frozenset({S.IN_PROGRESS, S.REFERRED}), S.CANNOT_RESOLVE),
    "complainant_responded": (frozenset({S.CANNOT_RESOLVE}), S.IN_PROGRESS),
    "resolve": (frozenset({S.IN_PROGRESS, S.REFERRED, S.AWAITING_CLARIFICATION}), S.RESOLVED),
    "auto_close": (
        frozenset({S.AWAITING_DOCUMENTS, S.AWAITING_CLARIFICATION, S.UNREACHABLE, S.CANNOT_RESOLVE}), S.CLOSED
    ),
    "close": (OPEN, S.CLOSED),
    "reopen": (frozenset({S.RESOLVED, S.CLOSED}), S.IN_PROGRESS),
}


# --- inputs and results -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ComplaintInput:
    """What a complainant (or the officer or channel for them) tells about the complaint."""

    complainant_type: str
    complainant_name: str
    worker_name: str
    category: str
    description: str
    complainant_relation: str = ""
    complainant_poa_reference: str = ""
    complainant_organisation: str = ""
    complainant_phone: str = ""
    complainant_email: str = ""
    worker_nik: str = ""
    worker_passport: str = ""
    worker_birth_date: dt.date | None = None
    country: str = ""  # ISO 3166-1 alpha-2
    employer: str = ""
    company: str = ""  # as typed: a name or a licence (SIP3MI) number; linked to a registered company if it fits
    job_order_number: str = ""


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class RegisteredComplaint:
    """The complaint, its status-page secret (only when just created: it is never stored) and whether it is new."""

    complaint: Complaint
    secret: str | None
    created: bool


@dataclass
class TimerReport:
    warned: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------------------------

def _invalid(field_name: str, message: str, message_en: str, code: str = "complaint_invalid") -> ValidationFailed:
    return ValidationFailed(message, message_en, code=code, details={"field": field_name})


def _text(value: str, limit: int) -> str:
    return " ".join((value or "").split())[:limit] if limit <= 300 else (value or "").strip()[:limit]


def _label(choices, value: str, language: str) -> str:
    if not value:
        return ""
    with translation.override(language):
        return str(choices(value).label)


def _both(prefix: str, choices, value: str) -> dict[str, str]:
    return {f"{prefix}_id": _label(choices, value, "id"), f"{prefix}_en": _label(choices, value, "en")}


def _clean_input(data: ComplaintInput, *, channel: str) -> dict[str, Any]:
    if data.complainant_type not in ComplainantType.values:
        raise _invalid("complainant_type", "Jenis pengadu tidak dikenal.", "Unknown complainant type.")
    if data.category not in Category.values:
        raise _invalid("category", "Kategori pengaduan tidak dikenal.", "Unknown complaint category.")
    complainant_name = _text(data.complainant_name, 150)
    worker_name = _text(data.worker_name, 150)
    if data.complainant_type == ComplainantType.WORKER and not worker_name:
        worker_name = complainant_name
    if data.complainant_type == ComplainantType.WORKER and not complainant_name:
        complainant_name = worker_name
    if len(complainant_name) < 2:
        raise _invalid("complainant_name", "Nama pengadu wajib diisi.", "The complainant's name is required.")
    if len(worker_name) < 2:
        raise _invalid("worker_name", "Nama pekerja migran wajib diisi.", "The worker's name is required.")
    relation = data.complainant_relation or ""
    poa = _text(data.complainant_poa_reference, 100)
    if data.complainant_type == ComplainantType.FAMILY and relation not in Relation.values:
        raise _invalid("complainant_relation", "Pilih hubungan keluarga dengan pekerja.",
                       "Choose the family relation to the worker.")
    if data.complainant_type == ComplainantType.LAWYER_NGO and len(poa) < 3:
        raise _invalid("complainant_poa_reference", "Nomor atau tanggal surat kuasa wajib diisi.",
                       "The power of attorney's number or date is required.")
    phone = ""
    if (data.complainant_phone or "").strip():
        phone = phone_to_e164(data.complainant_phone) or ""
        if not phone:
            raise _invalid("complainant_phone", "Nomor telepon tidak valid. Tulis seperti 0812-3456-7890 atau "
                           "+852 …", "The phone number is not valid. Write it like 0812-3456-7890 or +852 …")
    email = (data.complainant_email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise _invalid("complainant_email", "Alamat e-mail tidak valid.", "The e-mail address is not valid.") \
                from None
    if not phone and not email and channel not in OFFICER_CHANNELS:
        raise _invalid("complainant_phone", "Isi nomor telepon/WhatsApp atau e-mail agar kami dapat menghubungi "
                       "Anda.", "Give a phone/WhatsApp number or an e-mail address so that we can reach you.")
    nik = nik_normalize(data.worker_nik or "")
    if nik and (len(nik) != 16 or not nik.isdigit()):
        raise _invalid("worker_nik", "NIK harus 16 angka.", "The NIK must be 16 digits.")
    passport = passport_normalize(data.worker_passport)
    if passport and not (7 <= len(passport) <= 9 and passport.isalnum()):
        raise _invalid("worker_passport", "Nomor paspor tidak valid.", "The passport number is not valid.")
    birth_date = data.worker_birth_date
    if birth_date is not None and not (dt.date(1930, 1, 1) <= birth_date <= timezone.localdate()):
        raise _invalid("worker_birth_date", "Tanggal lahir tidak masuk akal.", "The birth date is not plausible.")
    country = None
    if (data.country or "").strip():
        country = Country.objects.filter(code=data.country.strip().upper()).first()
        if country is None:
            raise _invalid("country", "Negara tidak dikenal.", "Unknown country.")
    description = (data.description or "").strip()
    if len(description) < 10:
        raise _invalid("description", "Ceritakan apa yang terjadi (minimal 10 huruf).",
                       "Tell us what happened (at least 10 characters).")
    return {
        "complainant_type": data.complainant_type,
        "complainant_relation": relation if data.complainant_type == ComplainantType.FAMILY else "",
        "complainant_poa_reference": poa if data.complainant_type == ComplainantType.LAWYER_NGO else "",
        "complainant_organisation": _text(data.complainant_organisation, 150),
        "complainant_name": complainant_name,
        "complainant_phone": phone,
        "complainant_email": email,
        "worker_name": worker_name,
        "worker_nik": nik,
        "worker_passport": passport,
        "worker_birth_date": birth_date,
        "country": country,
        "employer": _text(data.employer, 200),
        "company_name": _text(data.company, 200),
        "job_order_number": _text(data.job_order_number, 60),
        "category": data.category,
        "description": description[:10000],
    }


def _check_uploads(uploads: Sequence[Upload]) -> list[tuple[str, CheckedUpload]]:
    if len(uploads) > MAX_ATTACHMENTS:
        raise _invalid("attachments", f"Paling banyak {MAX_ATTACHMENTS} lampiran.",
                       f"At most {MAX_ATTACHMENTS} attachments.", code="upload_too_many")
    checked = []
    for upload in uploads:
        try:
            checked.append((upload.filename, check_upload(upload.content)))
        except ValidationFailed as exc:
            exc.details = {**(exc.details if isinstance(exc.details, dict) else {}), "field": "attachments",
                           "file": upload.filename}
            raise
    return checked


def _attach(complaint: Complaint, filename: str, checked: CheckedUpload, *, source: str, actor: User | None,
            now: dt.datetime) -> ComplaintAttachment:
    safe = "".join(ch for ch in filename if ch.isalnum() or ch in "._- ")[:150] or f"lampiran.{checked.extension}"
    attachment = ComplaintAttachment(
        complaint=complaint, original_name=safe, content_type=checked.content_type, size=len(checked.content),
        sha256=checked.sha256, source=source, uploaded_by=actor, uploaded_at=now,
    )
    attachment.file.save(f"{checked.sha256[:32]}.{checked.extension}", ContentFile(checked.content), save=False)
    attachment.save()
    return attachment


def _next_reference(year: int) -> str:
    ComplaintCounter.objects.select_for_update().get_or_create(year=year)
    ComplaintCounter.objects.filter(year=year).update(last=F("last") + 1)
    last = ComplaintCounter.objects.get(year=year).last
    return f"{REFERENCE_PREFIX}-{year}-{last:06d}"


def _event(complaint: Complaint, kind: str, *, actor: User | None, actor_label: str = "", from_status: str = "",
           to_status: str = "", reason: str = "", payload: dict[str, Any] | None = None, public: bool = False,
           now: dt.datetime) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint, kind=kind, actor=actor, actor_label=actor_label[:200], from_status=from_status,
        to_status=to_status, reason=reason, payload=payload or {}, public=public, created_at=now,
    )


def _complainant_route(complaint: Complaint) -> tuple[str, str] | None:
    """(channel, recipient) to reach the complainant: back on WhatsApp if they came that way, else SMS, else e-mail."""
    if complaint.complainant_phone:
        channel = Channel.WHATSAPP if complaint.channel == IntakeChannel.WHATSAPP else Channel.SMS
        return channel, complaint.complainant_phone
    if complaint.complainant_email:
        return Channel.EMAIL, complaint.complainant_email
    return None


def _notify_complainant(complaint: Complaint, *, template: str, key: str, context: dict[str, Any]) -> bool:
    """Write a message to the complainant in the current transaction; False when there is no way to reach them."""
    route = _complainant_route(complaint)
    if route is None:
        return False
    channel, recipient = route
    notify_services.message_queue(
        channel=channel,
        recipient=recipient,
        template=template,
        context={"reference": complaint.reference, "status_url": links.status_url(), **context},
        language=complaint.language,
        ref=f"complaint:{complaint.reference}",
        dedupe_key=f"complaint:{complaint.reference}:{key}:{channel}",
    )
    return True


def _err_transition(complaint: Complaint, action: str) -> Conflict:
    return Conflict(
        f"Pengaduan {complaint.reference} berstatus '{complaint.status}' sehingga tindakan '{action}' tidak dapat "
        "dilakukan.",
        f"Complaint {complaint.reference} is '{complaint.status}', so '{action}' is not possible.",
        code="invalid_transition",
        details={"status": complaint.status, "action": action},
    )


def _act(complaint: Complaint, action: str, *, actor: User | None, now: dt.datetime, actor_label: str = "",
         reason: str = "", payload: dict[str, Any] | None = None, notify: bool = True) -> ComplaintEvent:
    """Apply one transition of the table: status, timestamps, event row, and the complainant's message."""
    allowed_from, to_status = TRANSITIONS[action]
    if complaint.status not in allowed_from:
        raise _err_transition(complaint, action)
    from_status = complaint.status
    if from_status == S.AWAITING_CLARIFICATION and action != "clarification_answered":
        lapsed = action == "auto_close"
        complaint.clarifications.filter(state=ClarificationState.OPEN).update(
            state=ClarificationState.LAPSED if lapsed else ClarificationState.WITHDRAWN)
    complaint.status = to_status
    complaint.status_changed_at = now
    complaint.updated_at = now
    if from_status == S.REGISTERED and actor is not None and complaint.first_responded_at is None:
        complaint.first_responded_at = now  # any handling by an agent is the first response
    complaint.save()
    event = _event(complaint, action, actor=actor, actor_label=actor_label, from_status=from_status,
                   to_status=to_status, reason=reason, payload=payload, public=True, now=now)
    if notify:
        _notify_complainant(complaint, template="complaint_status", key=f"event:{event.pk}",
                            context={**_both("stage", Status, to_status), "note": reason})
    return event


def _lock(reference: str) -> Complaint:
    complaint = Complaint.objects.select_for_update().filter(reference=(reference or "").strip().upper()).first()
    if complaint is None:
        raise NotFound(f"Pengaduan {reference} tidak ditemukan.", f"Complaint {reference} not found.",
                       code="complaint_not_found")
    return complaint


def _require_text(value: str, field_name: str, *, minimum: int = 3) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        raise _invalid(field_name, "Keterangan wajib diisi.", "A short explanation is required.",
                       code="reason_required")
    return value[:4000]


# --- links to placement's companies and job orders ----------------------------------------------------------

def _only(qs) -> Any:
    """The one row of a query, or None when there is none or more than one (an ambiguous text links nothing)."""
    rows = list(qs[:2])
    return rows[0] if len(rows) == 1 else None


def _job_order_by_number(number: str) -> JobOrder | None:
    """The registered job order with exactly this number (case ignored only when that is unambiguous)."""
    number = (number or "").strip()
    if not number:
        return None
    found = JobOrder.objects.select_related("company").filter(number=number).first()
    return found or _only(JobOrder.objects.select_related("company").filter(number__iexact=number))


def _company_by_text(text: str) -> tuple[Company | None, str]:
    """(company, how) for a typed licence (SIP3MI) number or exact company name (case ignored); (None, "")."""
    text = " ".join((text or "").split())
    if len(text) < 2:
        return None, ""
    company = Company.objects.filter(licence_number=text).first() or _only(
        Company.objects.filter(licence_number__iexact=text))
    if company is not None:
        return company, "licence_number"
    company = _only(Company.objects.filter(name__iexact=text))
    return (company, "name") if company is not None else (None, "")


def _resolve_placement(company_text: str, job_order_number: str) -> tuple[Company | None, JobOrder | None,
                                                                          dict[str, Any]]:
    """The registered company and job order a complaint's typed text points at, and how they were found.

    A job order found by its number decides the company (the number comes from a document; a name from memory).
    """
    job_order = _job_order_by_number(job_order_number)
    company, how = _company_by_text(company_text)
    info: dict[str, Any] = {}
    if job_order is not None:
        info["job_order_id"] = job_order.pk
        info["job_order"] = job_order.number
        if company is not None and company.pk != job_order.company_id:
            info["typed_company_id"] = company.pk  # the typed company is not the job order's: keep both visible
        company, how = job_order.company, "job_order"
    if company is not None:
        info.update(company_id=company.pk, company=company.name, method=how)
    return company, job_order, info


@transaction.atomic
def complaint_link_placement(*, actor: User, complaint: Complaint, company_id: int | None = None,
                             job_order_number: str = "") -> Complaint:
    """An agent sets or confirms the registered company and job order of a complaint; what was typed is kept.

    The links become exactly what is given: a job order brings its company (another company is refused);
    a company alone clears the job order; neither clears both.
    """
    require_crisis_agent(actor)
    number = _text(job_order_number, 60)
    job_order = _job_order_by_number(number) if number else None
    if number and job_order is None:
        raise _invalid("job_order_number", f"Job order nomor {number} tidak terdaftar.",
                       f"No job order with number {number} is registered.", code="job_order_not_found")
    company = None
    if company_id is not None:
        company = Company.objects.filter(pk=company_id).first()
        if company is None:
            raise NotFound("Perusahaan tidak ditemukan.", "Company not found.", code="company_not_found")
    if job_order is not None:
        if company is not None and company.pk != job_order.company_id:
            raise _invalid("company", f"Job order {job_order.number} milik perusahaan lain ({job_order.company.name}).",
                           f"Job order {job_order.number} belongs to another company ({job_order.company.name}).",
                           code="job_order_other_company")
        company = job_order.company
    complaint = _lock(complaint.reference)
    now = timezone.now()
    before = {"company_id": complaint.company_id, "job_order_id": complaint.job_order_id}
    complaint.company = company
    complaint.job_order = job_order
    complaint.updated_at = now
    complaint.save(update_fields=["company", "job_order", "updated_at"])
    _event(complaint, "placement_linked", actor=actor, now=now, payload={
        "before": before,
        "company_id": company.pk if company else None, "company": company.name if company else "",
        "licence_number": company.licence_number if company else "",
        "job_order_id": job_order.pk if job_order else None, "job_order": job_order.number if job_order else "",
    })
    return complaint


# --- intake ----------------------------------------------------------------------------------------------

@transaction.atomic
def complaint_register(*, channel: str, data: ComplaintInput, attachments: Sequence[Upload] = (),
                       actor: User | None = None, channel_key: ChannelKey | None = None, external_id: str = "",
                       language: str = "id", now: dt.datetime | None = None) -> RegisteredComplaint:
    """Register a complaint from any channel: reference + secret, urgency from category, a match to confirm."""
    # The first-response target follows the priority; the complainant's message is written in this transaction.
    if channel not in IntakeChannel.values:
        raise _invalid("channel", "Kanal pengaduan tidak dikenal.", "Unknown complaint channel.")
    if channel in OFFICER_CHANNELS:
        require_crisis_agent(actor)
    elif channel in API_CHANNELS and (
        channel_key is None or channel_key.revoked_at is not None or channel_key.channel != channel
    ):
        raise PermissionDenied("Kunci kanal tidak berlaku untuk kanal ini.",
                               "The channel key is not valid for this channel.", code="forbidden_channel_key")
    external_id = (external_id or "").strip()[:100]
    if channel_key is not None and external_id:
        existing = Complaint.objects.filter(channel_key=channel_key, external_id=external_id).first()
        if existing is not None:
            return RegisteredComplaint(existing, None, False)
    fields = _clean_input(data, channel=channel)
    checked = _check_uploads(attachments)
    company, job_order, placement_found = _resolve_placement(fields["company_name"], fields["job_order_number"])
    now = now or timezone.now()
    priority = priority_for(fields["category"])
    # the rule set in force on the registration date stays the complaint's, whatever version comes later
    rule_set = rulesets.rule_set_in_force(deadlines.today_local(now))
    secret = secret_generate()
    language = "en" if (language or "").lower().startswith("en") else "id"
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                reference=_next_reference(deadlines.today_local(now).year),
                secret_hash=secret_hash(secret),
                channel=channel,
                channel_key=channel_key,
                external_id=external_id if channel_key is not None else "",
                language=language,
                status=S.REGISTERED,
                status_changed_at=now,
                priority=priority,
                registered_at=now,
                first_response_due_at=deadlines.first_response_due(now, priority, rulesets.rules_of(rule_set)),
                rule_set=rule_set,
                created_by=actor if actor is not None and actor.is_authenticated else None,
                updated_at=now,
                company=company,
                job_order=job_order,
                **fields,
            )
    except IntegrityError:  # the same channel message registered concurrently
        existing = Complaint.objects.filter(channel_key=channel_key, external_id=external_id).first()
        if existing is None:
            raise
        return RegisteredComplaint(existing, None, False)
    source = AttachmentSource.CHANNEL if channel in API_CHANNELS else (
        AttachmentSource.AGENT if channel in OFFICER_CHANNELS else AttachmentSource.COMPLAINANT)
    for filename, upload in checked:
        _attach(complaint, filename, upload, source=source, actor=complaint.created_by, now=now)
    label = f"channel: {channel_key.name}" if channel_key is not None else ("" if actor else "complainant")
    _event(complaint, "registered", actor=complaint.created_by, actor_label=label, to_status=S.REGISTERED,
           payload={"channel": channel, "category": complaint.category, "priority": priority,
                    "attachments": len(checked), "rule_set_version": rule_set.version}, public=True, now=now)
    if placement_found:
        _event(complaint, "placement_resolved", actor=None, actor_label="system", payload=placement_found, now=now)
    candidates = match_candidates(nik=complaint.worker_nik, passport=complaint.worker_passport,
                                  name=complaint.worker_name, birth_date=complaint.worker_birth_date)
    if candidates:
        best = candidates[0]
        complaint.matched_worker = best.worker
        complaint.match_method = best.method
        complaint.match_confidence = best.confidence
        complaint.save(update_fields=["matched_worker", "match_method", "match_confidence"])
        _event(complaint, "match_suggested", actor=None, actor_label="system",
               payload={"worker_id": best.worker.pk, "method": best.method, "confidence": str(best.confidence),
                        "candidates": len(candidates)}, now=now)
    _notify_complainant(complaint, template="complaint_received", key="received",
                        context=_both("category", Category, complaint.category))
    return RegisteredComplaint(complaint, secret, True)


@transaction.atomic
def complaint_attachment_add(*, actor: User | None, reference: str, filename: str, content: bytes,
                             secret: str = "", now: dt.datetime | None = None) -> ComplaintAttachment:
    """Add a PDF/JPEG/PNG (≤ 5 MB) to an open complaint: by an agent, or by the complainant with their secret."""
    checked = check_upload(content)
    complaint = _lock(reference)
    agent = actor is not None and user_is_crisis_agent(actor)
    if not agent and not secret_matches(complaint.secret_hash, secret):
        raise PermissionDenied("Nomor pengaduan atau kode rahasia salah.", "Wrong reference or secret code.",
                               code="forbidden_complaint_secret")
    if not complaint.is_open:
        raise Conflict("Pengaduan sudah selesai atau ditutup.", "The complaint is resolved or closed.",
                       code="complaint_closed")
    if complaint.attachments.count() >= 4 * MAX_ATTACHMENTS:
        raise Conflict("Lampiran sudah terlalu banyak.", "Too many attachments already.", code="upload_too_many")
    now = now or timezone.now()
    source = AttachmentSource.AGENT if agent else AttachmentSource.COMPLAINANT
    attachment = _attach(complaint, filename, checked, source=source, actor=actor if agent else None, now=now)
    _event(complaint, "attachment_added", actor=actor if agent else None,
           actor_label="" if agent else "complainant", payload={"attachment_id": attachment.pk,
                                                                "name": attachment.original_name,
                                                                "sha256": attachment.sha256},
           public=not agent, now=now)
    complaint.updated_at = now
    complaint.save(update_fields=["updated_at"])
    return attachment


# --- handling by agents ----------------------------------------------------------------------------------

@transaction.atomic
def complaint_respond(*, actor: User, reference: str, note: str = "") -> Complaint:
    """An agent takes up a registered complaint: its first response, measured against the target."""
    require_crisis_agent(actor)
    complaint = _lock(reference)
    now = timezone.now()
    _act(complaint, "respond", actor=actor, reason=(note or "").strip()[:2000], now=now)
    if complaint.assigned_to_id is None:
        complaint.assigned_to = actor
        complaint.save(update_fields=["assigned_to"])
    return complaint


@transaction.atomic
def complaint_assign(*, actor: User, reference: str, assignee_id: int | None, team: str = "") -> Complaint:
    """Assign an open complaint to a crisis agent and/or a team."""
    require_crisis_agent(actor)
    assignee = User.objects.filter(pk=assignee_id).first() if assignee_id is not None else None
    if assignee_id is not None and assignee is None:
        raise NotFound("Petugas tidak ditemukan.", "Agent not found.", code="user_not_found")
    complaint = _lock(reference)
    if not complaint.is_open:
        raise Conflict("Pengaduan sudah selesai atau ditutup.", "The complaint is resolved or closed.",
                       code="complaint_closed")
    if assignee is not None and not user_is_crisis_agent(assignee):
        raise _invalid("assignee", "Pengaduan hanya dapat ditugaskan kepada petugas Crisis Center.",
                       "A complaint can only be assigned to a Crisis Center agent.", code="assignee_not_agent")
    team = _text(team, 100)
    if assignee is None and not team:
        raise _invalid("assignee", "Pilih petugas atau tim.", "Choose an agent or a team.")
    now = timezone.now()
    before = {"agent": complaint.assigned_to.username if complaint.assigned_to_id else None,
              "team": complaint.assigned_team}
    complaint.assigned_to = assignee
    complaint.assigned_team = team
    complaint.updated_at = now
    complaint.save(update_fields=["assigned_to", "assigned_team", "updated_at"])
    _event(complaint, "assigned", actor=actor, payload={
        "before": before, "agent": assignee.username if assignee else None, "team": team}, now=now)
    return complaint


@transaction.atomic
def complaint_service_set(*, actor: User, reference: str, service_type: str) -> Complaint:
    """Record which service the Crisis Center gives (consultation, claim help, clarification, mediation, litigation)."""
    require_crisis_agent(actor)
    if service_type not in ServiceType.values:
        raise _invalid("service_type", "Jenis layanan tidak dikenal.", "Unknown service type.")
    complaint = _lock(reference)
    now = timezone.now()
    _event(complaint, "service_set", actor=actor, payload={"before": complaint.service_type, "after": service_type},
           now=now)
    complaint.service_type = service_type
    complaint.updated_at = now
    complaint.save(update_fields=["service_type", "updated_at"])
    return complaint


@transaction.atomic
def complaint_recategorize(*, actor: User, reference: str, category: str, reason: str) -> Complaint:
    """Correct the category; urgency follows it, and so does the first-response target while nobody has responded."""
    require_crisis_agent(actor)
    if category not in Category.values:
        raise _invalid("category", "Kategori pengaduan tidak dikenal.", "Unknown complaint category.")
    reason = _require_text(reason, "reason")
    complaint = _lock(reference)
    now = timezone.now()
    before = {"category": complaint.category, "priority": complaint.priority}
    complaint.category = category
    complaint.priority = priority_for(category)
    if complaint.first_responded_at is None:
        complaint.first_response_due_at = deadlines.first_response_due(
            complaint.registered_at, complaint.priority, rulesets.rules_for_complaint(complaint))
    complaint.updated_at = now
    complaint.save(update_fields=["category", "priority", "first_response_due_at", "updated_at"])
    _event(complaint, "recategorized", actor=actor, reason=reason,
           payload={"before": before, "after": {"category": category, "priority": complaint.priority},
                    "rule_set_version": rulesets.rules_for_complaint(complaint).version}, now=now)
    return complaint


@transaction.atomic
def complaint_note_add(*, actor: User, reference: str, text: str) -> ComplaintEvent:
    """An internal note on the complaint's timeline (not shown to the complainant)."""
    require_crisis_agent(actor)
    text = _require_text(text, "text", minimum=2)
    complaint = _lock(reference)
    now = timezone.now()
    complaint.updated_at = now
    complaint.save(update_fields=["updated_at"])
    return _event(complaint, "note", actor=actor, reason=text, now=now)


@transaction.atomic
def complaint_match_confirm(*, actor: User, reference: str, worker_id: int) -> Complaint:
    """The agent confirms which registry worker the complaint is about; "procedural" is fixed from the journey."""
    require_crisis_agent(actor)
    complaint = _lock(reference)
    worker = Worker.objects.filter(pk=worker_id).first()
    if worker is None:
        raise NotFound("Pekerja tidak ditemukan.", "Worker not found.", code="worker_not_found")
    candidates = match_candidates(nik=complaint.worker_nik, passport=complaint.worker_passport,
                                  name=complaint.worker_name, birth_date=complaint.worker_birth_date)
    candidate = next((c for c in candidates if c.worker.pk == worker.pk), None)
    now = timezone.now()
    complaint.matched_worker = worker
    complaint.match_method = candidate.method if candidate else MatchMethod.MANUAL
    complaint.match_confidence = candidate.confidence if candidate else None
    complaint.match_confirmed_by = actor
    complaint.match_confirmed_at = now
    complaint.procedural = worker_left_procedurally(worker)
    complaint.updated_at = now
    complaint.save()
    _event(complaint, "match_confirmed", actor=actor, now=now, payload={
        "worker_id": worker.pk, "method": complaint.match_method,
        "confidence": str(complaint.match_confidence) if complaint.match_confidence is not None else None,
        "procedural": complaint.procedural,
    })
    return complaint


@transaction.atomic
def complaint_match_reject(*, actor: User, reference: str, reason: str = "") -> Complaint:
    """The agent rules out the suggested (or confirmed) registry worker."""
    require_crisis_agent(actor)
    complaint = _lock(reference)
    now = timezone.now()
    before = complaint.matched_worker_id
    complaint.matched_worker = None
    complaint.match_method = ""
    complaint.match_confidence = None
    complaint.match_confirmed_by = None
    complaint.match_confirmed_at = None
    complaint.procedural = None
    complaint.updated_at = now
    complaint.save()
    _event(complaint, "match_rejected", actor=actor, reason=(reason or "").strip()[:2000],
           payload={"worker_id": before}, now=now)
    return complaint


@transaction.atomic
def complaint_documents_request(*, actor: User, reference: str, note: str) -> Complaint:
    """Ask the complainant for missing documents; Perban 6/2024 art. 30 closes it 30 days after registration."""
    require_crisis_agent(actor)
    complaint = _lock(reference)
    _act(complaint, "request_documents", actor=actor, reason=_require_text(note, "note"), now=timezone.now())
    return complaint


@transaction.atomic
def complaint_documents_received(*, actor: User, reference: str, note: str = "") -> Complaint:
    """The documents are complete: handling continues."""
    require_crisis_agent(actor)
    complaint = _lock(reference)
    _act(complaint, "documents_received", actor=actor, reason=(note or "").strip()[:2000], now=timezone.now())
    return complaint


@transaction.atomic
def clarification_ask(*, actor: User, reference: str, company_name: str, company_email: str, question: str,
                      company_id: int | None = None, now: dt.datetime | None = None) -> ClarificationRequest:
    """Ask the placement company to clarify; it answers within 15 working days through a signed link or, for a
    registered company, in its users' portal."""
    # The registered company: the one given; else the complaint's linked company when no name is typed or the
    # name or licence number typed is its own; else the company the typed name or licence number points at.
    require_crisis_agent(actor)
    company_name = _text(company_name, 200)
    company = None
    if company_id is not None:
        company = Company.objects.filter(pk=company_id).first()
        if company is None:
            raise NotFound("Perusahaan tidak ditemukan.", "Company not found.", code="company_not_found")
    else:
        linked = Company.objects.filter(complaints__reference=(reference or "").strip().upper()).first()
        typed = company_name.casefold()
        if linked is not None and typed in ("", linked.name.casefold(), linked.licence_number.casefold()):
            company = linked
        elif company_name:
            company = _company_by_text(company_name)[0]
    if company is not None and len(company_name) < 2:
        company_name = company.name
    if len(company_name) < 2:
        raise _invalid("company_name", "Nama perusahaan wajib diisi.", "The company's name is required.")
    company_email = (company_email or "").strip().lower()
    try:
        validate_email(company_email)
    except DjangoValidationError:
        raise _invalid("company_email", "Alamat e-mail perusahaan tidak valid.",
                       "The company's e-mail address is not valid.") from None
    question = _require_text(question, "question", minimum=10)
    complaint = _lock(reference)
    if complaint.clarifications.filter(state=ClarificationState.OPEN).exists():
        raise Conflict("Masih ada permintaan klarifikasi yang belum dijawab.",
                       "A clarification request is still waiting for its answer.", code="clarification_open")
    now = now or timezone.now()
    asked_on = deadlines.today_local(now)
    rules = rulesets.rules_for_complaint(complaint)  # art. 30(1)b: the period of the complaint's version
    clarification = ClarificationRequest.objects.create(
        complaint=complaint, company_name=company_name, company=company, company_email=company_email,
        question=question,
        asked_at=now, asked_on=asked_on,
        due_on=reference_selectors.working_days_add(asked_on, rules.clarification_working_days), asked_by=actor,
    )
    if not complaint.service_type:
        complaint.service_type = ServiceType.CLARIFICATION
    _act(complaint, "ask_clarification", actor=actor, now=now,
         payload={"clarification_id": clarification.pk, "company": company_name,
                  "company_id": company.pk if company else None, "due_on": clarification.due_on.isoformat(),
                  "rule_set_version": rules.version})
    notify_services.message_queue(
        channel=Channel.EMAIL,
        recipient=company_email,
        template="clarification_request",
        context={
            "reference": complaint.reference, "company_name": company_name, "worker_name": complaint.worker_name,
            **_both("category", Category, complaint.category), "due_on": clarification.due_on,
            "question": question, "answer_url": links.clarification_url(tokens.clarification_token(clarification.pk)),
        },
        language="id",
        ref=f"complaint:{complaint.reference}",
        dedupe_key=f"clarification:{clarification.pk}:request",
    )
    return clarification


def _forbidden_company() -> PermissionDenied:
    return PermissionDenied("Permintaan klarifikasi ini ditujukan kepada perusahaan lain.",
                            "This clarification request is addressed to another company.",
                            code="forbidden_other_company")


@transaction.atomic
def clarification_answer(*, token: str = "", answer: str, answered_by_name: str, actor: User | None = None,
                         clarification_id: int | None = None, now: dt.datetime | None = None) -> ClarificationRequest:
    """The company answers a clarification request; handling of the complaint resumes.

    Either through the signed link it was sent (`token`, no account), or in the company portal: `actor` is a
    user of the registered company the request is addressed to, `clarification_id` the request.
    """
    company_id = None
    if actor is not None:
        if not actor.is_authenticated:
            raise NotAuthenticated("Silakan masuk terlebih dahulu.", "Authentication required.")
        company_id = user_company_id(actor)
        if company_id is None:
            raise PermissionDenied("Hanya pengguna perusahaan penempatan yang dapat menjawab di portal.",
                                   "Only placement-company users may answer in the portal.",
                                   code="forbidden_not_company_user")
        if not answered_by_name or not answered_by_name.strip():
            answered_by_name = actor.get_full_name() or actor.username
    else:
        clarification_id = tokens.clarification_id_from_token(token)
        if clarification_id is None:
            raise NotFound("Tautan klarifikasi tidak valid atau sudah kedaluwarsa.",
                           "The clarification link is invalid or has expired.", code="clarification_link_invalid")
    answer = _require_text(answer, "answer", minimum=10)
    answered_by_name = _text(answered_by_name, 150)
    if len(answered_by_name) < 2:
        raise _invalid("answered_by_name", "Nama penjawab wajib diisi.", "Your name is required.")
    found = (ClarificationRequest.objects.filter(pk=clarification_id)
             .values_list("complaint__reference", "company_id").first())
    if found is None:
        raise NotFound("Permintaan klarifikasi tidak ditemukan.", "Clarification request not found.",
                       code="clarification_not_found")
    reference, addressed_to = found
    if actor is not None and addressed_to != company_id:
        raise _forbidden_company()
    complaint = _lock(reference)
    clarification = ClarificationRequest.objects.select_for_update().get(pk=clarification_id)
    if clarification.state != ClarificationState.OPEN:
        raise Conflict("Permintaan klarifikasi ini sudah dijawab atau ditutup.",
                       "This clarification request was already answered or is closed.", code="clarification_closed")
    now = now or timezone.now()
    clarification.answer = answer[:10000]
    clarification.answered_by_name = answered_by_name
    clarification.answered_at = now
    clarification.state = ClarificationState.ANSWERED
    clarification.save()
    label = f"company: {clarification.company_name} ({answered_by_name})"
    payload = {"clarification_id": clarification.pk, "late": deadlines.today_local(now) > clarification.due_on,
               "via": "portal" if actor is not None else "link"}
    if complaint.status == S.AWAITING_CLARIFICATION:
        _act(complaint, "clarification_answered", actor=actor, actor_label=label, now=now, payload=payload)
    else:
        _event(complaint, "clarification_answered", actor=actor, actor_label=label, payload=payload, public=True,
               now=now)
    return clarification


def _simple_action(action: str, *, actor: User, reference: str, reason: str, reason_required: bool,
                   payload: dict[str, Any] | None = None) -> Complaint:
    require_crisis_agent(actor)
    reason = _require_text(reason, "reason") if reason_required else (reason or "").strip()[:2000]
    complaint = _lock(reference)
    _act(complaint, action, actor=actor, reason=reason, payload=payload, now=timezone.now())
    return complaint


@transaction.atomic
def clarification_withdraw(*, actor: User, reference: str, reason: str) -> Complaint:
    """Stop waiting for the company's clarification (e.g. settled another way); handling continues."""
    return _simple_action("withdraw_clarification", actor=actor, reference=reference, reason=reason,
                          reason_required=True)


@transaction.atomic
def complaint_mark_unreachable(*, actor: User, reference: str, note: str) -> Complaint:
    """The complainant could not be reached; after 60 days unreachable the complaint is closed (art. 30)."""
    return _simple_action("mark_unreachable", actor=actor, reference=reference, reason=note, reason_required=True)


@transaction.atomic
def complaint_contact_restored(*, actor: User, reference: str, note: str = "") -> Complaint:
    """The complainant is reachable again; handling continues."""
    return _simple_action("contact_restored", actor=actor, reference=reference, reason=note, reason_required=False)


@transaction.atomic
def complaint_refer(*, actor: User, reference: str, agency: str, note: str = "") -> Complaint:
    """Hand the complaint to another agency; the Crisis Center keeps monitoring it (art. 30)."""
    require_crisis_agent(actor)
    agency = _text(agency, 200)
    if len(agency) < 2:
        raise _invalid("agency", "Instansi tujuan wajib diisi.", "The receiving agency is required.")
    complaint = _lock(reference)
    now = timezone.now()
    complaint.referred_to = agency
    complaint.referred_at = now
    _act(complaint, "refer", actor=actor, reason=(note or "").strip()[:2000], payload={"agency": agency}, now=now)
    return complaint


@transaction.atomic
def complaint_referral_returned(*, actor: User, reference: str, note: str = "") -> Complaint:
    """The other agency reported back; the Crisis Center handles the complaint again."""
    return _simple_action("referral_returned", actor=actor, reference=reference, reason=note, reason_required=False)


@transaction.atomic
def complaint_declare_unresolvable(*, actor: User, reference: str, reason: str) -> Complaint:
    """Tell the complainant the complaint cannot be resolved, and why; without response in 6 months it closes."""
    return _simple_action("declare_unresolvable", actor=actor, reference=reference, reason=reason,
                          reason_required=True)


@transaction.atomic
def complaint_complainant_responded(*, actor: User, reference: str, note: str = "") -> Complaint:
    """The complainant answered after being told the complaint cannot be resolved; handling continues."""
    return _simple_action("complainant_responded", actor=actor, reference=reference, reason=note,
                          reason_required=False)


def _amount(value: Decimal | int | str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("1"))
    except (InvalidOperation, ValueError):
        raise _invalid("amount", "Jumlah tidak valid.", "The amount is not valid.") from None
    if amount < 0 or amount > Decimal("999999999999999"):
        raise _invalid("amount", "Jumlah tidak valid.", "The amount is not valid.")
    return amount


@transaction.atomic
def complaint_resolve(*, actor: User, reference: str, outcome: str, amount: Decimal | int | str | None = None,
                      note: str = "") -> Complaint:
    """Resolve with an outcome (wages recovered and how much, repatriated, remains returned, claim paid, …)."""
    require_crisis_agent(actor)
    if outcome not in Outcome.values:
        raise _invalid("outcome", "Hasil penyelesaian tidak dikenal.", "Unknown outcome.")
    value = _amount(amount)
    if outcome in OUTCOMES_WITH_AMOUNT and value is None:
        raise _invalid("amount", "Isi jumlah yang diterima pekerja (Rp).", "Give the amount the worker received (IDR).")
    complaint = _lock(reference)
    now = timezone.now()
    complaint.resolution_outcome = outcome
    complaint.resolution_amount = value if outcome in OUTCOMES_WITH_AMOUNT else None
    complaint.resolution_note = (note or "").strip()[:4000]
    complaint.resolved_at = now
    event = _act(complaint, "resolve", actor=actor, reason=complaint.resolution_note, now=now, notify=False,
                 payload={"outcome": outcome,
                          "amount": str(complaint.resolution_amount) if complaint.resolution_amount else None})
    amount_text = f"{complaint.resolution_amount:,.0f}".replace(",", ".") if complaint.resolution_amount else ""
    _notify_complainant(complaint, template="complaint_resolved", key=f"event:{event.pk}",
                        context={**_both("outcome", Outcome, outcome), "amount": amount_text})
    return complaint


def _close(complaint: Complaint, *, action: str, actor: User | None, rule: ClosureRule | None, reason: str,
           now: dt.datetime, payload: dict[str, Any] | None = None) -> ComplaintEvent:
    complaint.closed_at = now
    complaint.closure_rule = rule.code if rule else "manual"
    complaint.closure_reason = reason
    event = _act(complaint, action, actor=actor, actor_label="" if actor else "system", reason=reason, now=now,
                 notify=False, payload={"rule": complaint.closure_rule, **(payload or {})})
    _notify_complainant(complaint, template="complaint_closed", key=f"event:{event.pk}", context={
        "reason_id": rule.reason_id if rule else reason, "reason_en": rule.reason_en if rule else reason,
        "rule_basis": rule.legal_basis if rule else "",
    })
    return event


@transaction.atomic
def complaint_close(*, actor: User, reference: str, reason: str) -> Complaint:
    """An agent closes an open complaint by hand (withdrawn, duplicate …), stating why."""
    require_crisis_agent(actor)
    reason = _require_text(reason, "reason")
    complaint = _lock(reference)
    _close(complaint, action="close", actor=actor, rule=None, reason=reason, now=timezone.now())
    return complaint


@transaction.atomic
def complaint_reopen(*, actor: User, reference: str, reason: str) -> Complaint:
    """Reopen a resolved or closed complaint, stating why; its earlier outcome stays in the timeline."""
    require_crisis_agent(actor)
    reason = _require_text(reason, "reason")
    complaint = _lock(reference)
    complaint.closed_at = None
    complaint.resolved_at = None
    complaint.closure_rule = ""
    complaint.closure_reason = ""
    complaint.resolution_outcome = ""
    complaint.resolution_amount = None
    complaint.resolution_note = ""
    _act(complaint, "reopen", actor=actor, reason=reason, now=timezone.now())
    return complaint


# --- closure timers (Perban 6/2024 art. 30) -----------------------------------------------------------------

def _anchor(complaint: Complaint, rule: ClosureRule) -> dt.date | None:
    if rule.anchor == "registered":
        return deadlines.today_local(complaint.registered_at)
    if rule.anchor == "status_changed":
        return deadlines.today_local(complaint.status_changed_at)
    if rule.anchor == "clarification_asked":
        open_request = complaint.clarifications.filter(state=ClarificationState.OPEN).order_by("-asked_at").first()
        return open_request.asked_on if open_request else None
    raise ValueError(f"unknown anchor {rule.anchor}")


def _warn(complaint: Complaint, rule: ClosureRule, *, key: str, last_day: dt.date, today: dt.date,
          now: dt.datetime, rule_set_version: int) -> None:
    closes_on = last_day + dt.timedelta(days=1)
    sent = _notify_complainant(complaint, template="complaint_closure_warning", key=f"warn:{key}", context={
        "closes_on": closes_on, "rule_text_id": rule.reason_id, "rule_text_en": rule.reason_en,
    })
    complaint.closure_warning_key = key
    complaint.closure_warned_on = today
    complaint.updated_at = now
    complaint.save(update_fields=["closure_warning_key", "closure_warned_on", "updated_at"])
    _event(complaint, "closure_warned", actor=None, actor_label="system", public=True, now=now,
           reason=rule.reason_en, payload={"rule": rule.code, "closes_on": closes_on.isoformat(),
                                           "last_day": last_day.isoformat(), "sent": sent,
                                           "rule_set_version": rule_set_version})


def _timer_one(reference: str, status: str, *, today: dt.date, now: dt.datetime) -> str:
    complaint = _lock(reference)
    if complaint.status != status:
        return ""
    rules = rulesets.rules_for_complaint(complaint)  # the version in force on the registration date
    rule = rules.closure_by_status.get(status)
    if rule is None:
        return ""
    anchor = _anchor(complaint, rule)
    if anchor is None:
        return ""
    last_day = deadlines.rule_last_day(rule, anchor)
    key = f"{rule.code}:{anchor.isoformat()}"
    warned = complaint.closure_warning_key == key and complaint.closure_warned_on is not None
    if today > last_day:
        if not warned:
            # the run that should have warned was missed: warn now, close after the minimum notice
            _warn(complaint, rule, key=key, last_day=last_day, today=today, now=now, rule_set_version=rules.version)
            return "warned"
        if (today - complaint.closure_warned_on).days < rules.min_notice_days:
            return ""
        _close(complaint, action="auto_close", actor=None, rule=rule, now=now,
               reason=f"{rule.reason_id} ({rule.legal_basis})",
               payload={"legal_basis": rule.legal_basis, "anchor": anchor.isoformat(),
                        "last_day": last_day.isoformat(), "rule_set_version": rules.version})
        return "closed"
    if today >= deadlines.rule_warn_from(rule, last_day) and not warned:
        _warn(complaint, rule, key=key, last_day=last_day, today=today, now=now, rule_set_version=rules.version)
        return "warned"
    return ""


def complaints_timers_run(*, now: dt.datetime | None = None, today: dt.date | None = None,
                          references: Iterable[str] | None = None) -> TimerReport:
    """Apply Perban 6/2024 art. 30 closure rules: warn the complainant first, then close stating the rule."""
    # Idempotent (run it daily or hourly): a warning is given once per rule and start date, a closure once.
    # Each complaint is handled in its own transaction, so one failure does not stop the others. Each complaint
    # meets the closure rule of its own rule set version (the one in force on its registration date).
    now = now or timezone.now()
    today = today or deadlines.today_local(now)
    report = TimerReport()
    for status in rulesets.closure_statuses():
        qs = Complaint.objects.filter(status=status)
        if references is not None:
            qs = qs.filter(reference__in=list(references))
        for reference in qs.order_by("registered_at").values_list("reference", flat=True):
            with transaction.atomic():
                result = _timer_one(reference, status, today=today, now=now)
            if result == "warned":
                report.warned.append(reference)
            elif result == "closed":
                report.closed.append(reference)
    return report


# --- the rule set versions (data/crisis_rules.json) ----------------------------------------------------------

def crisis_rules_load(*, data: dict[str, Any] | None = None) -> dict[str, int]:
    """Load the Crisis Center rule set versions (idempotent); a changed loaded version is refused (Conflict)."""
    return rulesets.load(data=data)


# --- channel keys ----------------------------------------------------------------------------------------

CHANNEL_KEY_PREFIX = "crk_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def channel_key_create(*, actor: User | None, name: str, channel: str) -> tuple[ChannelKey, str]:
    """Issue a key for one channel integration (WhatsApp, SMS, e-mail); the secret is returned once, its hash kept."""
    if actor is not None and not user_is_admin(actor):
        raise PermissionDenied("Hanya admin yang dapat membuat kunci kanal.", "Only an admin may create channel keys.",
                               code="forbidden_channel_key_create")
    if channel not in API_CHANNELS:
        raise _invalid("channel", "Kunci hanya untuk kanal WhatsApp, SMS atau e-mail.",
                       "Keys are only for the WhatsApp, SMS or e-mail channels.")
    name = _text(name, 100)
    if len(name) < 2:
        raise _invalid("name", "Nama kunci wajib diisi.", "A name is required.")
    secret = CHANNEL_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ChannelKey.objects.create(name=name, channel=channel, prefix=secret[:12], digest=_digest(secret),
                                    created_by=actor)
    return key, secret


@transaction.atomic
def channel_key_revoke(*, actor: User | None, key_id: int) -> ChannelKey:
    """Revoke a channel key at once; the integration gets 401 from then on."""
    if actor is not None and not user_is_admin(actor):
        raise PermissionDenied("Hanya admin yang dapat mencabut kunci kanal.", "Only an admin may revoke channel keys.",
                               code="forbidden_channel_key_revoke")
    key = ChannelKey.objects.select_for_update().filter(pk=key_id).first()
    if key is None:
        raise NotFound("Kunci kanal tidak ditemukan.", "Channel key not found.", code="channel_key_not_found")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def channel_key_authenticate(*, secret: str) -> ChannelKey | None:
    """The active key with this secret (its last use recorded), or None."""
    if not secret or not secret.startswith(CHANNEL_KEY_PREFIX) or len(secret) > 200:
        return None
    key = ChannelKey.objects.filter(digest=_digest(secret), revoked_at__isnull=True).first()
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=5):
        ChannelKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
