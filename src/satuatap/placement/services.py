"""Every write of placement: companies, employers, job orders and their positions, fees, rule decisions.

Each public service is keyword-only, runs in one transaction, checks the actor, writes, and appends a
PlacementEvent (house rule 1). Status changes go through the transition tables below. The journey engine calls
`case_rules_evaluate`, `decision_require_proceed`, `job_order_link` and `job_order_release`; placement never
imports journey (it knows a case by its number, `case_ref`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from satuatap.core import fastsql
from satuatap.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from satuatap.placement import access
from satuatap.placement.models import (
    Company,
    CompanyBranch,
    CompanyMembership,
    CompanyRole,
    CompanySanction,
    Decision,
    DecisionOverride,
    Employer,
    EmployerType,
    FeeComponent,
    FeeLedgerEntry,
    JobOrder,
    JobOrderLink,
    JobOrderStatus,
    JobTitle,
    LicenceStatus,
    PartnerAgency,
    Payer,
    PlacementEvent,
    ProblemEmployer,
    Rule,
    RuleSet,
    SanctionKind,
    Sector,
    Severity,
    Verdict,
    Violation,
)
from satuatap.placement.rules import (
    EVALUATORS,
    STAGES,
    RuleContext,
    company_licence_finding,
    employer_problem_listing,
    evaluate,
    rules_in_force,
    verdict_of,
)
from satuatap.reference.models import Country, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
Counts = dict[str, int]

L = LicenceStatus
# action -> (statuses it may start from, status it leads to). Licence decisions are the ministry's (admins).
COMPANY_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "suspend": (frozenset({L.ACTIVE}), L.SUSPENDED),
    "reinstate": (frozenset({L.SUSPENDED}), L.ACTIVE),
    "revoke": (frozenset({L.ACTIVE, L.SUSPENDED}), L.REVOKED),
}
J = JobOrderStatus
JOB_ORDER_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "close": (frozenset({J.ACTIVE}), J.CLOSED),
    "reopen": (frozenset({J.CLOSED}), J.ACTIVE),
    "cancel": (frozenset({J.ACTIVE, J.CLOSED}), J.CANCELLED),
}

_JOB_ORDER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./\-]{2,59}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_CASE_REF_MAX = 32
MIN_OVERRIDE_REASON = 10


# --- small helpers --------------------------------------------------------------------------------------


def _event(kind: str, *, actor=None, company: Company | None = None, job_order: JobOrder | None = None,
           case_ref: str = "", from_state: str = "", to_state: str = "", reason: str = "",
           payload: dict[str, Any] | None = None) -> PlacementEvent:
    return PlacementEvent.objects.create(
        kind=kind,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        company=company,
        job_order=job_order,
        case_ref=case_ref,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
        created_at=timezone.now(),
    )


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: str | None, field: str, label_id: str, label_en: str, max_length: int, *, blank: bool = False) -> str:
    value = (value or "").strip()
    if not value and not blank:
        raise ValidationFailed(f"{label_id} wajib diisi.", f"{label_en} is required.", code="field_required",
                               details={"field": field})
    if len(value) > max_length:
        raise ValidationFailed(f"{label_id} maksimal {max_length} karakter.",
                               f"{label_en} is at most {max_length} characters.", code="field_too_long",
                               details={"field": field, "max_length": max_length})
    return value


def _choice(value: str, field: str, allowed: list[str]) -> str:
    if value not in allowed:
        raise ValidationFailed(f"Nilai '{value}' tidak dikenal untuk {field}.", f"Unknown value '{value}' for {field}.",
                               code="choice_unknown", details={"field": field, "allowed": allowed})
    return value


def _dates_ordered(start: dt.date | None, end: dt.date | None, field: str) -> None:
    if start and end and end < start:
        raise ValidationFailed("Tanggal akhir tidak boleh sebelum tanggal mulai.",
                               "The end date is before the start date.",
                               code="dates_out_of_order", details={"field": field})


def _region(code: str, *, levels: tuple[int, ...] = (Region.Level.PROVINCE, Region.Level.REGENCY)) -> Region:
    region = Region.objects.filter(code=(code or "").strip(), level__in=levels).first()
    if region is None:
        raise ValidationFailed(f"Kode wilayah {code} tidak dikenal (provinsi atau kabupaten/kota).",
                               f"Region code {code} is unknown (province or regency).", code="region_unknown",
                               details={"code": code})
    return region


def _country(code: str) -> Country:
    country = Country.objects.filter(code=(code or "").strip().upper()).first()
    if country is None:
        raise ValidationFailed("Kode negara tidak dikenal.", "Unknown country code.", code="country_unknown",
                               details={"country": code})
    return country


def _case_ref(case_ref: str) -> str:
    return _text(case_ref, "case_ref", "Nomor kasus", "Case number", _CASE_REF_MAX)


def _require(allowed: bool, message: str, message_en: str, code: str) -> None:
    if not allowed:
        raise PermissionDenied(message, message_en, code=code)


def _require_manager(actor) -> None:
    _require(access.user_manages_companies(actor),
             "Hanya admin atau kepala kantor yang dapat mengelola data perusahaan dan pemberi kerja.",
             "Only admins and office heads may manage company and employer data.", "forbidden_not_manager")


def _require_admin(actor) -> None:
    _require(access.user_is_admin(actor), "Hanya admin sistem (kementerian) yang dapat melakukan ini.",
             "Only a system (ministry) admin may do this.", "forbidden_not_admin")


# --- reference data: job titles and rule sets -----------------------------------------------------------


def _data(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)


@transaction.atomic
def job_titles_load(*, data: dict[str, Any] | None = None) -> Counts:
    """Load the official job list (the ten zero-cost jobs included) from job_titles.json; idempotent."""
    data = data if data is not None else _data("job_titles.json")
    default_basis = data.get("zero_cost_legal_basis", "")
    existing = {j.code: j for j in JobTitle.objects.all()}
    created = updated = 0
    fields = ["name_id", "name_en", "sector", "zero_cost", "legal_basis", "sort_order"]
    for order, item in enumerate(data["job_titles"], start=1):
        values = {
            "name_id": item["name_id"],
            "name_en": item["name_en"],
            "sector": _choice(item["sector"], "sector", Sector.values),
            "zero_cost": bool(item.get("zero_cost", False)),
            "legal_basis": item.get("legal_basis", default_basis if item.get("zero_cost") else ""),
            "sort_order": order,
        }
        current = existing.get(item["code"])
        if current is None:
            JobTitle.objects.create(code=item["code"], **values)
            created += 1
        elif any(getattr(current, f) != values[f] for f in fields):
            JobTitle.objects.filter(pk=current.pk).update(**values)
            updated += 1
    return {"total": len(data["job_titles"]), "created": created, "updated": updated, "deleted": 0}


def rule_set_source_hash(rule_set: dict[str, Any]) -> str:
    """SHA-256 of a rule set's canonical JSON (sorted keys, no whitespace), as stored in RuleSet.source_hash."""
    canonical = json.dumps(rule_set, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _invalid_rules(version: Any, reason_id: str, reason_en: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(f"Aturan penempatan versi {version} tidak valid: {reason_id}",
                            f"Placement rule set version {version} is invalid: {reason_en}",
                            code="ruleset_invalid", details={"version": version, **details})


def _parse_date(value: Any, version: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _invalid_rules(version, f"tanggal '{value}' tidak valid.", f"date '{value}' is invalid.",
                             field=field) from None


def _validate_rule_set(rs: dict[str, Any]) -> None:
    version = rs.get("version", "?")
    for key in ("version", "name", "effective_from", "rules"):
        if key not in rs:
            raise _invalid_rules(version, f"kolom '{key}' wajib diisi.", f"field '{key}' is required.", field=key)
    if not isinstance(rs["version"], int) or isinstance(rs["version"], bool) or rs["version"] < 1:
        raise _invalid_rules(version, "versi harus bilangan bulat >= 1.", "version must be an integer >= 1.")
    if _parse_date(rs["effective_from"], version, "effective_from") is None:
        raise _invalid_rules(version, "effective_from wajib diisi.", "effective_from is required.")
    seen: set[str] = set()
    for rule in rs["rules"]:
        code = rule.get("code", "?")
        for key in ("code", "severity", "stages", "legal_basis", "description_id", "description_en"):
            if not rule.get(key):
                raise _invalid_rules(version, f"aturan {code}: kolom '{key}' wajib diisi.",
                                     f"rule {code}: field '{key}' is required.", rule=code, field=key)
        if code in seen:
            raise _invalid_rules(version, f"kode aturan {code} ganda.", f"rule code {code} appears twice.", rule=code)
        seen.add(code)
        if code not in EVALUATORS:
            raise _invalid_rules(version, f"tidak ada evaluator untuk kode {code}.", f"no evaluator for code {code}.",
                                 rule=code, known=sorted(EVALUATORS))
        if rule["severity"] not in Severity.values:
            raise _invalid_rules(version, f"aturan {code}: tingkat '{rule['severity']}' tidak dikenal.",
                                 f"rule {code}: unknown severity '{rule['severity']}'.", rule=code)
        unknown = sorted(set(rule["stages"]) - set(STAGES))
        if unknown:
            raise _invalid_rules(version, f"aturan {code}: tahap {unknown} tidak dikenal.",
                                 f"rule {code}: unknown stages {unknown}.", rule=code, allowed=list(STAGES))
        if not isinstance(rule.get("parameters", {}), dict):
            raise _invalid_rules(version, f"aturan {code}: parameters harus objek.",
                                 f"rule {code}: parameters must be an object.", rule=code)
        _dates_ordered(_parse_date(rule.get("effective_from"), version, "effective_from"),
                       _parse_date(rule.get("effective_to"), version, "effective_to"), "effective_to")


@transaction.atomic
def rule_sets_load(*, data: dict[str, Any] | None = None) -> Counts:
    """Load rule set versions from rules.json; a new version loads beside the old ones, a loaded one never changes."""
    data = data if data is not None else _data("rules.json")
    created = 0
    for rs in data["rule_sets"]:
        _validate_rule_set(rs)
        digest = rule_set_source_hash(rs)
        existing = RuleSet.objects.filter(version=rs["version"]).first()
        if existing is not None:
            if existing.source_hash != digest:
                raise Conflict(
                    f"Aturan penempatan versi {rs['version']} sudah dimuat dengan isi berbeda. Keputusan lama menunjuk "
                    "ke versi itu: muat perubahan sebagai versi baru.",
                    f"Placement rule set version {rs['version']} is already loaded with different content. Past "
                    "decisions point at it: load the change as a new version.",
                    code="ruleset_version_changed",
                    details={"version": rs["version"]},
                )
            continue
        rule_set = RuleSet.objects.create(
            version=rs["version"],
            name=rs["name"],
            effective_from=_parse_date(rs["effective_from"], rs["version"], "effective_from"),
            legal_basis=rs.get("legal_basis", ""),
            signals=rs.get("signals", {}),
            source_hash=digest,
        )
        Rule.objects.bulk_create(
            [
                Rule(
                    rule_set=rule_set,
                    code=r["code"],
                    description_id=r["description_id"],
                    description_en=r["description_en"],
                    legal_basis=r["legal_basis"],
                    severity=r["severity"],
                    stages=list(r["stages"]),
                    parameters=r.get("parameters", {}),
                    effective_from=_parse_date(r.get("effective_from"), rs["version"], "effective_from"),
                    effective_to=_parse_date(r.get("effective_to"), rs["version"], "effective_to"),
                    sort_order=order,
                )
                for order, r in enumerate(rs["rules"], start=1)
            ]
        )
        created += 1
    return {"total": len(data["rule_sets"]), "created": created, "updated": 0, "deleted": 0}


@transaction.atomic
def placement_reference_load() -> dict[str, Counts]:
    """Load the job list and every rule set version shipped with the app (idempotent)."""
    return {"job_titles": job_titles_load(), "rule_sets": rule_sets_load()}


# --- companies ------------------------------------------------------------------------------------------


@transaction.atomic
def company_create(*, actor, name: str, licence_number: str, licence_valid_from: dt.date,
                   licence_valid_to: dt.date, head_office_address: str = "", head_office_regency_code: str = "",
                   phone: str = "") -> Company:
    """Register a P3MI with its SIP3MI licence (admins and office heads); the licence number is unique."""
    _require_manager(actor)
    licence_number = _text(licence_number, "licence_number", "Nomor SIP3MI", "SIP3MI number", 80)
    _dates_ordered(licence_valid_from, licence_valid_to, "licence_valid_to")
    if Company.objects.filter(licence_number__iexact=licence_number).exists():
        raise Conflict(f"Perusahaan dengan SIP3MI {licence_number} sudah terdaftar.",
                       f"A company with SIP3MI {licence_number} is already registered.", code="company_exists")
    company = Company.objects.create(
        name=_text(name, "name", "Nama perusahaan", "Company name", 200),
        licence_number=licence_number,
        licence_valid_from=licence_valid_from,
        licence_valid_to=licence_valid_to,
        status=LicenceStatus.ACTIVE,
        status_date=licence_valid_from,
        head_office_address=_text(head_office_address, "head_office_address", "Alamat", "Address", 250, blank=True),
        head_office_regency=_region(head_office_regency_code) if head_office_regency_code else None,
        phone=_text(phone, "phone", "Telepon", "Phone", 20, blank=True),
    )
    _event("company_created", actor=actor, company=company, to_state=company.status,
           payload={"licence_number": licence_number})
    return company


COMPANY_EDITABLE = ("name", "licence_valid_from", "licence_valid_to", "head_office_address", "head_office_regency_code",
                    "phone")


@transaction.atomic
def company_update(*, actor, company: Company, **fields: Any) -> Company:
    """Correct a company's data (admins and office heads); its licence status changes only by company_status_change."""
    _require_manager(actor)
    unknown = sorted(set(fields) - set(COMPANY_EDITABLE))
    if unknown:
        raise ValidationFailed("Kolom tidak dapat diubah.", "Field(s) cannot be changed.", code="field_not_editable",
                               details={"fields": unknown, "editable": list(COMPANY_EDITABLE)})
    company = Company.objects.select_for_update().get(pk=company.pk)
    before = {}
    for key, value in fields.items():
        if key == "head_office_regency_code":
            before[key] = company.head_office_regency_id
            company.head_office_regency = _region(value) if value else None
        elif key == "name":
            before[key] = company.name
            company.name = _text(value, "name", "Nama perusahaan", "Company name", 200)
        elif key == "head_office_address":
            before[key] = company.head_office_address
            company.head_office_address = _text(value, key, "Alamat", "Address", 250, blank=True)
        elif key == "phone":
            before[key] = company.phone
            company.phone = _text(value, key, "Telepon", "Phone", 20, blank=True)
        else:  # licence dates
            if not isinstance(value, dt.date):
                raise ValidationFailed("Tanggal wajib diisi.", "A date is required.", code="field_required",
                                       details={"field": key})
            before[key] = str(getattr(company, key))
            setattr(company, key, value)
    _dates_ordered(company.licence_valid_from, company.licence_valid_to, "licence_valid_to")
    company.save()
    _event("company_updated", actor=actor, company=company, payload={"before": before, "fields": sorted(fields)})
    return company


@transaction.atomic
def company_status_change(*, actor, company: Company, action: str, reason: str,
                          on: dt.date | None = None) -> Company:
    """An admin suspends, reinstates or revokes a company's licence with a reason; revoked is final."""
    _require_admin(actor)
    _choice(action, "action", list(COMPANY_TRANSITIONS))
    reason = _text(reason, "reason", "Alasan", "Reason", 2000)
    company = Company.objects.select_for_update().get(pk=company.pk)
    allowed_from, to_state = COMPANY_TRANSITIONS[action]
    if company.status not in allowed_from:
        raise Conflict(f"Izin {company.name} berstatus '{company.status}' sehingga tidak dapat di-{action}.",
                       f"The licence of {company.name} is '{company.status}', so it cannot be {action}d.",
                       code="invalid_transition", details={"status": company.status, "action": action})
    from_state = company.status
    company.status = to_state
    company.status_date = on or _today()
    company.status_reason = reason
    company.save(update_fields=["status", "status_date", "status_reason", "updated_at"])
    _event("company_status_changed", actor=actor, company=company, from_state=from_state, to_state=to_state,
           reason=reason, payload={"action": action, "on": company.status_date.isoformat()})
    return company


@transaction.atomic
def company_branch_add(*, actor, company: Company, name: str, regency_code: str, address: str = "") -> CompanyBranch:
    """Record a branch office of a company in a regency (admins and office heads)."""
    _require_manager(actor)
    branch = CompanyBranch.objects.create(
        company=company, name=_text(name, "name", "Nama cabang", "Branch name", 150),
        regency=_region(regency_code, levels=(Region.Level.REGENCY,)),
        address=_text(address, "address", "Alamat", "Address", 250, blank=True),
    )
    _event("company_branch_added", actor=actor, company=company, payload={"branch": branch.pk, "name": branch.name})
    return branch


@transaction.atomic
def partner_agency_add(*, actor, company: Company, name: str, country_code: str, licence_number: str = "",
                       address: str = "") -> PartnerAgency:
    """Record a foreign partner agency of a company (admins, office heads, or the company itself)."""
    if access.user_company_id(actor) != company.pk:
        _require_manager(actor)
    partner = PartnerAgency.objects.create(
        company=company, name=_text(name, "name", "Nama agensi", "Agency name", 200), country=_country(country_code),
        licence_number=_text(licence_number, "licence_number", "Nomor izin", "Licence number", 80, blank=True),
        address=_text(address, "address", "Alamat", "Address", 250, blank=True),
    )
    _event("partner_agency_added", actor=actor, company=company, payload={"partner": partner.pk, "name": partner.name})
    return partner


@transaction.atomic
def company_sanction_record(*, actor, company: Company, kind: str, reason: str, imposed_on: dt.date,
                            violation: str = Violation.OTHER, ends_on: dt.date | None = None,
                            legal_basis: str = "") -> CompanySanction:
    """An admin records a sanction in the company's track record (Permen P2MI 4/2025); the licence is separate."""
    _require_admin(actor)
    _dates_ordered(imposed_on, ends_on, "ends_on")
    sanction = CompanySanction.objects.create(
        company=company, kind=_choice(kind, "kind", SanctionKind.values),
        violation=_choice(violation, "violation", Violation.values), imposed_on=imposed_on, ends_on=ends_on,
        legal_basis=_text(legal_basis, "legal_basis", "Dasar hukum", "Legal basis", 200, blank=True),
        reason=_text(reason, "reason", "Alasan", "Reason", 2000), recorded_by=actor,
    )
    _event("company_sanctioned", actor=actor, company=company, reason=sanction.reason,
           payload={"sanction": sanction.pk, "kind": kind, "violation": violation,
                    "imposed_on": imposed_on.isoformat()})
    return sanction


@transaction.atomic
def company_member_add(*, actor, company: Company, user, role: str = CompanyRole.STAFF) -> CompanyMembership:
    """An admin makes a user a member of one company: that user then sees only the company's data."""
    _require_admin(actor)
    _choice(role, "role", CompanyRole.values)
    if access.user_is_admin(user):
        raise ValidationFailed("Admin tidak dapat menjadi pengguna perusahaan.", "An admin cannot be a company user.",
                               code="company_member_is_admin")
    membership, _ = CompanyMembership.objects.update_or_create(
        user=user, defaults={"company": company, "role": role, "is_active": True}
    )
    user._placement_company_id = None
    _event("company_member_added", actor=actor, company=company, payload={"user": user.pk, "role": role})
    return membership


# --- employers and the problem list ---------------------------------------------------------------------


@transaction.atomic
def employer_create(*, actor, name: str, country_code: str, type: str, city: str = "",
                    address: str = "") -> Employer:
    """Register a foreign employer (officers who manage companies, or company users for their job orders)."""
    if access.user_company_id(actor) is None:
        _require_manager(actor)
    employer = Employer.objects.create(
        name=_text(name, "name", "Nama pemberi kerja", "Employer name", 200), country=_country(country_code),
        type=_choice(type, "type", EmployerType.values), city=_text(city, "city", "Kota", "City", 100, blank=True),
        address=_text(address, "address", "Alamat", "Address", 250, blank=True),
    )
    _event("employer_created", actor=actor, payload={"employer": employer.pk, "type": employer.type,
                                                     "country": employer.country_id})
    return employer


@transaction.atomic
def employer_partner_add(*, actor, employer: Employer, company: Company) -> Employer:
    """An admin records a P3MI as partner of a Saudi syarikah (SPSK allows only a few per syarikah)."""
    _require_admin(actor)
    employer.partner_companies.add(company)
    _event("employer_partner_added", actor=actor, company=company, payload={"employer": employer.pk})
    return employer


@transaction.atomic
def problem_employer_add(*, actor, employer: Employer, listed_on: dt.date, reason: str,
                         mission: str) -> ProblemEmployer:
    """An admin records a mission's listing of a problem employer; it then cannot receive new job orders."""
    _require_admin(actor)
    listing = ProblemEmployer.objects.create(
        employer=employer, listed_on=listed_on, reason=_text(reason, "reason", "Alasan", "Reason", 2000),
        mission=_text(mission, "mission", "Perwakilan RI", "Mission", 150), recorded_by=actor,
    )
    _event("employer_problem_listed", actor=actor, reason=listing.reason,
           payload={"employer": employer.pk, "mission": listing.mission, "listed_on": listed_on.isoformat()})
    return listing


@transaction.atomic
def problem_employer_delist(*, actor, listing: ProblemEmployer, delisted_on: dt.date) -> ProblemEmployer:
    """An admin records that a mission took an employer off its problem list from a date."""
    _require_admin(actor)
    _dates_ordered(listing.listed_on, delisted_on, "delisted_on")
    listing.delisted_on = delisted_on
    listing.save(update_fields=["delisted_on"])
    _event("employer_problem_delisted", actor=actor,
           payload={"employer": listing.employer_id, "listing": listing.pk, "delisted_on": delisted_on.isoformat()})
    return listing


# --- job orders -----------------------------------------------------------------------------------------


def _decimal(value: Any, field: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("Angka tidak valid.", "Invalid number.", code="number_invalid",
                               details={"field": field}) from None
    if not result.is_finite() or result <= 0:
        raise ValidationFailed("Angka harus lebih dari nol.", "The number must be above zero.", code="number_invalid",
                               details={"field": field})
    return result


@transaction.atomic
def job_order_create(*, actor, company: Company, employer: Employer, number: str, job_title_code: str, sector: str,
                     positions: int, salary: Decimal | float | str, currency: str, contract_months: int,
                     valid_from: dt.date, valid_to: dt.date, city: str = "", sip2mi_number: str = "",
                     sip2mi_valid_from: dt.date | None = None, sip2mi_valid_to: dt.date | None = None,
                     recruitment_region_codes: list[str] | tuple[str, ...] = ()) -> JobOrder:
    """A company user (own company) or an admin records a job order; refused for a problem-listed employer or an
    inactive licence."""
    if not (access.user_is_admin(actor) or access.user_company_id(actor) == company.pk):
        raise PermissionDenied("Job order hanya dapat dibuat oleh perusahaan pemiliknya atau admin.",
                               "A job order can only be created by its own company or an admin.",
                               code="forbidden_not_company")
    number = (number or "").strip().upper()
    if not _JOB_ORDER_NUMBER.match(number):
        raise ValidationFailed("Nomor job order 3–60 karakter: huruf, angka, titik, garis miring atau strip.",
                               "A job order number is 3-60 letters, digits, '.', '/' or '-'.",
                               code="job_order_number_invalid")
    if JobOrder.objects.filter(number__iexact=number).exists():
        raise Conflict(f"Job order {number} sudah terdaftar.", f"Job order {number} already exists.",
                       code="job_order_exists")
    today = _today()
    company = Company.objects.get(pk=company.pk)
    finding = company_licence_finding(company, today)
    if finding is not None:
        raise Conflict(finding.reason_id, finding.reason_en, code="company_licence_inactive", details=finding.details)
    listing = employer_problem_listing(employer.pk, today)
    if listing is not None:
        raise Conflict(
            f"Pemberi kerja {employer.name} ada dalam daftar bermasalah {listing.mission} sejak "
            f"{listing.listed_on.isoformat()} dan tidak boleh menerima job order baru.",
            f"Employer {employer.name} is on the problem list of {listing.mission} since "
            f"{listing.listed_on.isoformat()} and may not receive new job orders.",
            code="employer_problem_listed",
            details={"employer": employer.pk, "mission": listing.mission, "listed_on": listing.listed_on.isoformat()},
        )
    job_title = JobTitle.objects.filter(code=job_title_code).first()
    if job_title is None:
        raise ValidationFailed("Jabatan tidak dikenal.", "Unknown job title.", code="job_title_unknown",
                               details={"job_title": job_title_code})
    if not isinstance(positions, int) or not 1 <= positions <= 10000:
        raise ValidationFailed("Jumlah lowongan 1–10.000.", "Positions must be 1-10,000.", code="positions_invalid")
    if not isinstance(contract_months, int) or not 1 <= contract_months <= 120:
        raise ValidationFailed("Lama kontrak 1–120 bulan.", "Contract length must be 1-120 months.",
                               code="contract_months_invalid")
    currency = (currency or "").strip().upper()
    if not _CURRENCY.match(currency):
        raise ValidationFailed("Kode mata uang ISO 4217 (3 huruf).", "Currency must be an ISO 4217 code.",
                               code="currency_invalid")
    _dates_ordered(valid_from, valid_to, "valid_to")
    _dates_ordered(sip2mi_valid_from, sip2mi_valid_to, "sip2mi_valid_to")
    regions = [_region(code) for code in dict.fromkeys(recruitment_region_codes)]
    job_order = JobOrder.objects.create(
        number=number, company=company, employer=employer, sector=_choice(sector, "sector", Sector.values),
        job_title=job_title, city=_text(city, "city", "Kota", "City", 100, blank=True), positions=positions,
        salary=_decimal(salary, "salary"), currency=currency, contract_months=contract_months, valid_from=valid_from,
        valid_to=valid_to, sip2mi_number=_text(sip2mi_number, "sip2mi_number", "Nomor SIP2MI", "SIP2MI number", 80,
                                               blank=True),
        sip2mi_valid_from=sip2mi_valid_from, sip2mi_valid_to=sip2mi_valid_to, created_by=actor,
    )
    job_order.recruitment_regions.set(regions)
    _event("job_order_created", actor=actor, company=company, job_order=job_order, to_state=job_order.status,
           payload={"number": number, "positions": positions, "regions": [r.code for r in regions]})
    return job_order


@transaction.atomic
def job_order_attest(*, actor, job_order: JobOrder, attested_on: dt.date, reference: str,
                     mission: str) -> JobOrder:
    """An admin records the Indonesian mission's attestation of a job order (law 18/2017 art. 9-10)."""
    _require_admin(actor)
    reference = _text(reference, "reference", "Nomor verifikasi", "Attestation reference", 100)
    mission = _text(mission, "mission", "Perwakilan RI", "Mission", 150)
    updated = JobOrder.objects.filter(pk=job_order.pk).update(
        attested=True, attested_on=attested_on, attestation_ref=reference, attestation_mission=mission,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise NotFound("Job order tidak ditemukan.", "Job order not found.", code="job_order_not_found")
    job_order.refresh_from_db()
    _event("job_order_attested", actor=actor, company=job_order.company, job_order=job_order,
           payload={"attested_on": attested_on.isoformat(), "reference": reference, "mission": mission})
    return job_order


@transaction.atomic
def job_order_status_change(*, actor, job_order: JobOrder, action: str, reason: str) -> JobOrder:
    """Its company or an admin closes, reopens or cancels a job order with a reason; linked cases keep their places."""
    job_order = JobOrder.objects.select_for_update().get(pk=job_order.pk)
    if not (access.user_is_admin(actor) or access.user_company_id(actor) == job_order.company_id):
        raise PermissionDenied("Hanya perusahaan pemilik job order atau admin.",
                               "Only the job order's own company or an admin.", code="forbidden_not_company")
    _choice(action, "action", list(JOB_ORDER_TRANSITIONS))
    reason = _text(reason, "reason", "Alasan", "Reason", 2000)
    allowed_from, to_state = JOB_ORDER_TRANSITIONS[action]
    if job_order.status not in allowed_from:
        raise Conflict(f"Job order {job_order.number} berstatus '{job_order.status}'; tidak dapat di-{action}.",
                       f"Job order {job_order.number} is '{job_order.status}'; it cannot be {action}d.",
                       code="invalid_transition", details={"status": job_order.status, "action": action})
    from_state = job_order.status
    JobOrder.objects.filter(pk=job_order.pk).update(status=to_state, updated_at=timezone.now())
    job_order.status = to_state
    _event("job_order_status_changed", actor=actor, company=job_order.company, job_order=job_order,
           from_state=from_state, to_state=to_state, reason=reason, payload={"action": action})
    return job_order


@transaction.atomic
def job_order_link(*, job_order: JobOrder, case_ref: str, actor, worker=None) -> JobOrderLink:
    """Link a case to an active job order, taking one position; refused when none is left (never above quota).

    Linking the same case to the same job order again returns the existing link (a retry is harmless).
    """
    case_ref = _case_ref(case_ref)
    existing = JobOrderLink.objects.filter(case_ref=case_ref, released_at__isnull=True).first()
    if existing is not None:
        if existing.job_order_id == job_order.pk:
            return existing
        raise Conflict(f"Kasus {case_ref} sudah terhubung ke job order lain.",
                       f"Case {case_ref} is already linked to another job order.", code="case_already_linked",
                       details={"job_order": existing.job_order_id})
    now = timezone.now()
    # The guard in the WHERE clause makes the increment safe without a lock: of two desks taking the last
    # position, the second UPDATE re-reads the row after the first commits and matches nothing.
    taken = JobOrder.objects.filter(
        pk=job_order.pk, status=JobOrderStatus.ACTIVE, positions_used__lt=F("positions")
    ).update(positions_used=F("positions_used") + 1, updated_at=now)
    if taken != 1:
        state = (JobOrder.objects.filter(pk=job_order.pk)
                 .values("number", "status", "positions", "positions_used").first())
        if state is None:
            raise NotFound("Job order tidak ditemukan.", "Job order not found.", code="job_order_not_found")
        if state["status"] != JobOrderStatus.ACTIVE:
            raise Conflict(f"Job order {state['number']} berstatus {state['status']}.",
                           f"Job order {state['number']} is {state['status']}.", code="job_order_not_active")
        raise Conflict(
            f"Kuota job order {state['number']} sudah penuh ({state['positions_used']} dari {state['positions']}).",
            f"Job order {state['number']} is full ({state['positions_used']} of {state['positions']}).",
            code="job_order_full", details={"positions": state["positions"], "positions_used": state["positions_used"]},
        )
    if worker is None:
        worker_id = (Decision.objects.filter(case_ref=case_ref, worker__isnull=False)
                     .order_by("-evaluated_at").values_list("worker_id", flat=True).first())
    else:
        worker_id = worker.pk
    try:
        with transaction.atomic():
            link = JobOrderLink.objects.create(job_order_id=job_order.pk, case_ref=case_ref, worker_id=worker_id,
                                               linked_at=now, linked_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:
        # The same case linked concurrently: raising undoes this transaction's increment too.
        raise Conflict(f"Kasus {case_ref} sudah terhubung ke job order.", f"Case {case_ref} is already linked.",
                       code="case_already_linked") from None
    job_order.refresh_from_db(fields=["positions_used", "updated_at"])
    _event("job_order_linked", actor=actor, job_order=job_order, case_ref=case_ref,
           payload={"positions_used": job_order.positions_used, "positions": job_order.positions})
    return link


@transaction.atomic
def job_order_release(*, case_ref: str, actor=None, reason: str = "") -> JobOrderLink | None:
    """Release the position a case holds (case cancelled); releasing twice frees one position only, never below 0."""
    case_ref = _case_ref(case_ref)
    link = JobOrderLink.objects.filter(case_ref=case_ref, released_at__isnull=True).first()
    if link is None:
        return None
    now = timezone.now()
    released = JobOrderLink.objects.filter(pk=link.pk, released_at__isnull=True).update(
        released_at=now, released_by=actor if getattr(actor, "pk", None) else None, release_reason=reason[:2000]
    )
    if released != 1:
        return None  # released by someone else meanwhile
    JobOrder.objects.filter(pk=link.job_order_id, positions_used__gt=0).update(
        positions_used=F("positions_used") - 1, updated_at=now
    )
    link.refresh_from_db()
    _event("job_order_released", actor=actor, job_order=link.job_order, case_ref=case_ref, reason=reason[:2000])
    return link


# --- fee ledger -----------------------------------------------------------------------------------------


@transaction.atomic
def fee_entry_record(*, actor, case_ref: str, component: str, amount: Decimal | int | str, payer: str,
                     receipt_ref: str = "", note: str = "") -> FeeLedgerEntry:
    """An officer records one cost of a case (component, amount, payer, receipt); it feeds the zero-cost rule."""
    _require(access.user_records_fees(actor), "Hanya petugas yang dapat mencatat biaya.",
             "Only officers may record fees.", "forbidden_fee_record")
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        raise ValidationFailed("Jumlah biaya harus rupiah bulat, tidak negatif.",
                               "The amount must be whole rupiah, not negative.", code="amount_invalid")
    fields = dict(
        case_ref=_case_ref(case_ref), component=_choice(component, "component", FeeComponent.values), amount=value,
        payer=_choice(payer, "payer", Payer.values),
        receipt_ref=_text(receipt_ref, "receipt_ref", "Nomor kuitansi", "Receipt", 100, blank=True),
        note=_text(note, "note", "Catatan", "Note", 300, blank=True),
    )
    # Only the case's own office writes in its ledger (admins anywhere), as only it reads the ledger.
    from satuatap.journey.models import Case  # journey imports placement: read the case's office when needed

    office_code = Case.objects.filter(number=fields["case_ref"]).values_list("office_id", flat=True).first()
    if office_code is None:
        raise NotFound(f"Kasus {fields['case_ref']} tidak ditemukan.", f"Case {fields['case_ref']} not found.",
                       code="case_not_found")
    _require(access.user_is_admin(actor) or actor.office_id == office_code,
             "Biaya hanya dapat dicatat oleh petugas kantor yang menangani kasus ini.",
             "Only the staff of the office handling this case may record its costs.", "forbidden_fee_record_office")
    entry = FeeLedgerEntry.objects.create(**fields, recorded_by=actor, recorded_at=timezone.now())
    _event("fee_recorded", actor=actor, case_ref=entry.case_ref,
           payload={"entry": entry.pk, "component": component, "amount": str(value), "payer": payer})
    return entry


# --- rule decisions -------------------------------------------------------------------------------------


# No savepoint when called inside a transaction (every step completion is): nobody recovers from a failure here
# inside the same transaction, and a savepoint costs two round trips per completion.
@transaction.atomic(savepoint=False)
def case_rules_evaluate(*, stage: str, case_ref: str, worker, scheme: str, destination_country: str,
                        office_regency_code: str, job_order: JobOrder | None, on: dt.date, has_family_consent: bool,
                        active_case_elsewhere: bool, visa_type: str | None = None, actor=None,
                        office_code: str = "", job_order_fresh: bool = False,
                        rule_set_found: tuple | None = None, record: bool = True) -> Decision:
    """Evaluate the rules in force on `on` at a stage of a case and record the decision with every rule that fired.

    Flags already overridden by an office head for this case (same rule codes) do not stop it again. The job order
    is read again with its company, employer and job title unless the caller has just read it so
    (`job_order_fresh`, e.g. `selectors.job_order_for_case` in the same transaction). `rule_set_found`: the
    identity of the version in force on `on`, if the caller has just read it in its own statement
    (`selectors.rule_set_in_force_sql`); when None (not read, or no version was in force) it is read here.
    `record=False`: the decision is returned unsaved, for the caller to write in this transaction (with its own
    writes, `core.fastsql.insert_along(…, also=…)`, or `decision_record`).
    """
    _choice(stage, "stage", list(STAGES))
    try:
        in_force = rules_in_force(on=on) if rule_set_found is None else rules_in_force(on=on, found=rule_set_found)
    except NotFound:
        if RuleSet.objects.exists():
            raise
        rule_sets_load()  # first use on a fresh database: the shipped version
        in_force = rules_in_force(on=on)
    if job_order is not None and not job_order_fresh:
        job_order = JobOrder.objects.select_related("company", "employer", "job_title").get(pk=job_order.pk)
    case_ref = (case_ref or "").strip()[:_CASE_REF_MAX]
    ctx = RuleContext(
        stage=stage, on=on, case_ref=case_ref, worker=worker, scheme=scheme,
        destination_country=(destination_country or "").upper(), office_regency_code=office_regency_code or "",
        job_order=job_order, has_family_consent=has_family_consent, active_case_elsewhere=active_case_elsewhere,
        visa_type=visa_type,
    )
    fired = evaluate(ctx, in_force.rules)
    verdict = verdict_of(fired)
    override = None
    if verdict == Verdict.FLAGGED:
        overrides = list(_overrides_for(case_ref=case_ref, worker=worker, job_order=job_order, stage=stage))
        covered = {code for o in overrides for code in o.rule_codes}
        if overrides and {f["code"] for f in fired} <= covered:
            override = overrides[0]
    for f in fired:
        f["overridden"] = override is not None
    decision = fastsql.new(
        Decision, case_ref=case_ref, stage=stage, verdict=verdict, fired=fired, rule_set=in_force.rule_set,
        rule_set_version=in_force.rule_set.version, worker=worker if getattr(worker, "pk", None) else None,
        job_order=job_order, scheme=scheme or "", destination_country=ctx.destination_country[:2],
        office_code=office_code or "", office_regency=ctx.office_regency_code[:13],
        inputs={"on": on.isoformat(), "has_family_consent": has_family_consent,
                "active_case_elsewhere": active_case_elsewhere, "visa_type": visa_type},
        evaluated_on=on, evaluated_at=timezone.now(), actor=actor if getattr(actor, "pk", None) else None,
        override=override,
    )
    return decision_record(decision=decision) if record else decision


def decision_record(*, decision: Decision) -> Decision:
    """Write a decision `case_rules_evaluate(record=False)` returned (core.fastsql's INSERT: one per step
    completion, no signals on this model)."""
    (decision,) = fastsql.insert(Decision, [decision])
    return decision


def _overrides_for(*, case_ref: str, worker, job_order: JobOrder | None, stage: str):
    """Overrides that may cover a new evaluation: the case's; before the case has a number (case_open), those of
    earlier case-open decisions for the same worker and job order."""
    qs = DecisionOverride.objects.order_by("-created_at", "-pk")
    if case_ref:
        return qs.filter(case_ref=case_ref)
    if getattr(worker, "pk", None) is None:
        return qs.none()
    return qs.filter(case_ref="", decision__worker_id=worker.pk, decision__stage=stage,
                     decision__job_order_id=job_order.pk if job_order is not None else None)


@transaction.atomic
def decision_case_attach(*, decision: Decision, case_ref: str) -> Decision:
    """Give a case-open decision made before the case had its number that number, with the override it relied on."""
    case_ref = _case_ref(case_ref)
    if decision.case_ref and decision.case_ref != case_ref:
        raise Conflict("Keputusan ini sudah milik kasus lain.", "This decision already belongs to another case.",
                       code="decision_case_mismatch", details={"case_ref": decision.case_ref})
    Decision.objects.filter(pk=decision.pk, case_ref="").update(case_ref=case_ref)
    decision.case_ref = case_ref
    if decision.override_id is not None:
        override = DecisionOverride.objects.get(pk=decision.override_id)
        DecisionOverride.objects.filter(pk=override.pk, case_ref="").update(case_ref=case_ref)
        Decision.objects.filter(pk=override.decision_id, case_ref="").update(case_ref=case_ref)
    return decision


def decision_require_proceed(*, decision: Decision) -> None:
    """Raise 409 (`rules_blocked` / `rules_flagged`) with every reason unless the decision lets the action go on."""
    if decision.proceed:
        return
    stopping = [f for f in decision.fired if not f.get("overridden")]
    blocked = decision.verdict == Verdict.BLOCKED
    lead_id = "Diblokir oleh aturan penempatan" if blocked else "Ditandai; perlu persetujuan kepala kantor"
    lead_en = "Blocked by placement rules" if blocked else "Flagged; needs the office head's override"
    raise Conflict(
        f"{lead_id}: " + " ".join(f["reason_id"] for f in stopping),
        f"{lead_en}: " + " ".join(f["reason_en"] for f in stopping),
        code="rules_blocked" if blocked else "rules_flagged",
        details={
            "decision": decision.pk,
            "verdict": decision.verdict,
            "rule_set_version": decision.rule_set_version,
            "fired": [{k: f[k] for k in ("code", "severity", "reason_id", "reason_en", "legal_basis")}
                      for f in stopping],
        },
    )


@transaction.atomic
def decision_override(*, actor, decision: Decision, reason: str) -> DecisionOverride:
    """The office head overrides a flagged decision with a written reason (audited); a block is never overridable."""
    given, decision = decision, Decision.objects.select_for_update().get(pk=decision.pk)
    if not access.user_may_override(actor, office_code=decision.office_code, office_regency=decision.office_regency):
        raise PermissionDenied("Hanya kepala kantor tempat keputusan dibuat yang dapat mengesampingkan tanda.",
                               "Only the head of the office where the decision was made may override a flag.",
                               code="forbidden_not_office_head")
    if decision.verdict == Verdict.BLOCKED:
        raise Conflict("Keputusan yang diblokir tidak dapat dikesampingkan; syarat hukumnya harus dipenuhi.",
                       "A blocked decision can never be overridden; its legal requirement must be met.",
                       code="override_block_refused", details={"fired": decision.fired_codes})
    if decision.verdict != Verdict.FLAGGED:
        raise Conflict("Keputusan ini tidak memiliki tanda untuk dikesampingkan.",
                       "This decision has no flag to override.",
                       code="override_nothing")
    if decision.override_id is not None:
        raise Conflict("Tanda pada keputusan ini sudah dikesampingkan.",
                       "This decision's flags are already overridden.",
                       code="override_exists")
    reason = (reason or "").strip()
    if len(reason) < MIN_OVERRIDE_REASON:
        raise ValidationFailed(f"Alasan tertulis wajib diisi (minimal {MIN_OVERRIDE_REASON} karakter).",
                               f"A written reason is required (at least {MIN_OVERRIDE_REASON} characters).",
                               code="reason_required")
    override = DecisionOverride.objects.create(decision=decision, case_ref=decision.case_ref,
                                               rule_codes=decision.fired_codes, reason=reason[:4000], actor=actor,
                                               created_at=timezone.now())
    Decision.objects.filter(pk=decision.pk).update(override=override)
    decision.override = given.override = override  # the caller's object shows it too
    _event("decision_overridden", actor=actor, job_order=decision.job_order, case_ref=decision.case_ref,
           from_state=Verdict.FLAGGED, to_state="overridden", reason=override.reason,
           payload={"decision": decision.pk, "rules": decision.fired_codes, "stage": decision.stage})
    return override
