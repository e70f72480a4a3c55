"""The placement rules: which version is in force, and one evaluator per rule code.

The law's numbers (ages, country lists, cost components, SPSK cities …) come from the rule's `parameters`
(data/rules.json, loaded into RuleSet/Rule); this module only knows what each kind of rule checks. Shared by
`services` (which records a Decision) and `selectors` (public verification, previews), which may not import
each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from satuatap.core import fastsql
from satuatap.core.errors import NotFound
from satuatap.placement.models import (
    Company,
    EmployerType,
    FeeComponent,
    FeeLedgerEntry,
    JobOrder,
    JobOrderLink,
    JobOrderStatus,
    LicenceStatus,
    ProblemEmployer,
    Rule,
    RuleSet,
    Severity,
    Stage,
    Verdict,
)
from satuatap.reference.cache import ttl_cached
from satuatap.reference.models import Country

STAGES = tuple(Stage.values)


# --- the context of one evaluation ---------------------------------------------------------------------


@dataclass(frozen=True)
class RuleContext:
    """Everything a rule may look at. None means "not known here" (e.g. the public check has no worker)."""

    stage: str
    on: dt.date
    case_ref: str = ""
    worker: Any = None  # registry.Worker
    scheme: str = ""
    destination_country: str = ""
    office_regency_code: str = ""
    job_order: JobOrder | None = None
    has_family_consent: bool | None = None
    active_case_elsewhere: bool | None = None
    visa_type: str | None = None

    @property
    def destination(self) -> str:
        """The country the worker goes to: the job order's employer country, else the case's destination."""
        if self.job_order is not None:
            return self.job_order.employer.country_id
        return (self.destination_country or "").upper()


@dataclass(frozen=True)
class Finding:
    """Why a rule fired, in Indonesian and English, with the facts behind it."""

    reason_id: str
    reason_en: str
    details: dict[str, Any] = field(default_factory=dict)


Evaluator = Callable[[RuleContext, dict[str, Any]], Finding | None]


@dataclass(frozen=True)
class _Registered:
    fn: Evaluator
    job_order_level: bool  # can be judged from the job order alone (public verification)


EVALUATORS: dict[str, _Registered] = {}


def evaluator(code: str, *, job_order_level: bool = False) -> Callable[[Evaluator], Evaluator]:
    def register(fn: Evaluator) -> Evaluator:
        EVALUATORS[code] = _Registered(fn=fn, job_order_level=job_order_level)
        return fn

    return register


# --- small helpers --------------------------------------------------------------------------------------


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Age in completed years on a date (a 29 February birthday counts from 1 March in other years)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def format_idr(amount: Decimal | int) -> str:
    """Rp1.500.000"""
    return "Rp" + f"{int(amount):,}".replace(",", ".")


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else "-"


def _country(code: str) -> tuple[str, str]:
    names = Country.objects.filter(code=code).values_list("name_id", "name_en").first()
    return names or (code, code)


def company_licence_finding(company: Company, on: dt.date) -> Finding | None:
    """Why a company may not place workers on a date (licence not active or outside its validity), or None."""
    if company.status != LicenceStatus.ACTIVE:
        status_id = {"suspended": "dibekukan", "revoked": "dicabut"}.get(company.status, company.status)
        when = f" sejak {_d(company.status_date)}" if company.status_date else ""
        when_en = f" since {_d(company.status_date)}" if company.status_date else ""
        return Finding(
            f"Izin (SIP3MI) {company.name} {status_id}{when}. {company.status_reason}".strip(),
            f"The licence (SIP3MI) of {company.name} is {company.status}{when_en}. {company.status_reason}".strip(),
            {"company": company.pk, "status": company.status, "status_date": _d(company.status_date)},
        )
    if not (company.licence_valid_from <= on <= company.licence_valid_to):
        return Finding(
            f"Izin (SIP3MI) {company.name} tidak berlaku pada {_d(on)} "
            f"(berlaku {_d(company.licence_valid_from)} s.d. {_d(company.licence_valid_to)}).",
            f"The licence (SIP3MI) of {company.name} is not valid on {_d(on)} "
            f"(valid {_d(company.licence_valid_from)} to {_d(company.licence_valid_to)}).",
            {"company": company.pk, "valid_from": _d(company.licence_valid_from),
             "valid_to": _d(company.licence_valid_to)},
        )
    return None


_PROBLEM = fastsql.Columns(ProblemEmployer, "p")
_PROBLEM_LISTING = fastsql.Statement(
    lambda q: f"SELECT {_PROBLEM.sql} FROM {_PROBLEM.table} p WHERE p.{q('employer_id')} = %s "  # noqa: S608
              f"AND p.{q('listed_on')} <= %s AND (p.{q('delisted_on')} IS NULL OR p.{q('delisted_on')} > %s) "
              f"ORDER BY p.{q('listed_on')} DESC, p.{q('id')} DESC LIMIT 1"
)


def employer_problem_listing(employer_id: int, on: dt.date) -> ProblemEmployer | None:
    """The mission listing that puts an employer on the problem list on a date, if any (asked at every card and
    departure check: one statement written once, core.fastsql)."""
    day = fastsql.prep(ProblemEmployer, "listed_on", on)
    rows = fastsql.fetch(_PROBLEM_LISTING.sql, [employer_id, day, day])
    return _PROBLEM.load(rows[0]) if rows else None


def _allowed_regions(job_order: JobOrder) -> set[str]:
    cached = getattr(job_order, "_region_codes", None)
    if cached is None:
        cached = set(job_order.recruitment_regions.values_list("code", flat=True))
        job_order._region_codes = cached
    return cached


def _region_allowed(code: str, allowed: set[str]) -> bool:
    """A regency code is inside the allowed set when it, or its province, is listed."""
    return bool(code) and (code in allowed or code.split(".")[0] in allowed)


# --- the evaluators, one per rule code ------------------------------------------------------------------


@evaluator("AGE_MIN")
def _age_min(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    if ctx.worker is None:
        return None
    minimum = int(p["min_age"])
    age = age_on(ctx.worker.birth_date, ctx.on)
    if age >= minimum:
        return None
    return Finding(
        f"Usia calon PMI {age} tahun pada {_d(ctx.on)}; minimal {minimum} tahun.",
        f"The candidate is {age} years old on {_d(ctx.on)}; the minimum is {minimum}.",
        {"age": age, "min_age": minimum, "birth_date": _d(ctx.worker.birth_date)},
    )


@evaluator("AGE_SCHEME_LIMIT")
def _age_scheme_limit(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    if ctx.worker is None:
        return None
    age = age_on(ctx.worker.birth_date, ctx.on)
    for limit in p.get("limits", []):
        if limit.get("scheme") not in (None, ctx.scheme) or limit.get("country") not in (None, ctx.destination):
            continue
        low, high = limit.get("min_age"), limit.get("max_age")
        if (low is not None and age < low) or (high is not None and age > high):
            program_id = limit.get("program_id", f"{ctx.scheme} {ctx.destination}")
            program_en = limit.get("program_en", program_id)
            return Finding(
                f"Usia calon PMI {age} tahun pada {_d(ctx.on)}; {program_id} mensyaratkan {low}–{high} tahun.",
                f"The candidate is {age} years old on {_d(ctx.on)}; {program_en} requires {low}-{high} years.",
                {"age": age, "min_age": low, "max_age": high, "scheme": ctx.scheme, "country": ctx.destination},
            )
    return None


@evaluator("JOB_ORDER_REQUIRED")
def _job_order_required(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    if ctx.scheme not in p.get("schemes", []) or ctx.job_order is not None:
        return None
    return Finding(
        f"Skema {ctx.scheme} wajib memakai job order yang sah; belum ada job order.",
        f"The {ctx.scheme} scheme needs a valid job order; none was given.",
        {"scheme": ctx.scheme},
    )


def spsk_failures(job_order: JobOrder, spsk: dict[str, Any]) -> list[dict[str, str]]:
    """The SPSK conditions (Kepmenaker 291/2018) a job order does not meet; empty = SPSK channel allowed."""
    employer = job_order.employer
    failures: list[dict[str, str]] = []

    def fail(code: str, message: str, message_en: str) -> None:
        failures.append({"code": code, "message": message, "message_en": message_en})

    if employer.country_id != spsk["country"]:
        fail("spsk_country", f"SPSK hanya untuk {_country(spsk['country'])[0]}",
             f"SPSK is only for {_country(spsk['country'])[1]}")
    if employer.type != spsk["employer_type"]:
        fail("spsk_employer_type", "pemberi kerja harus syarikah, bukan perseorangan atau badan usaha lain",
             "the employer must be a syarikah, not an individual or another company")
    if job_order.job_title_id not in spsk["job_titles"]:
        fail("spsk_job_title", f"jabatan {job_order.job_title.name_id} tidak termasuk enam jabatan SPSK",
             f"the job {job_order.job_title.name_en} is not one of the six SPSK jobs")
    cities = {c.casefold() for c in spsk["cities"]}
    if job_order.work_city.strip().casefold() not in cities:
        fail("spsk_city", f"kota {job_order.work_city or '-'} tidak termasuk kota SPSK ({', '.join(spsk['cities'])})",
             f"the city {job_order.work_city or '-'} is not an SPSK city ({', '.join(spsk['cities'])})")
    partners = set(employer.partner_companies.values_list("pk", flat=True)) | {job_order.company_id}
    maximum = int(spsk["max_partner_companies"])
    if len(partners) > maximum:
        fail("spsk_partners", f"syarikah bermitra dengan {len(partners)} P3MI (maksimal {maximum})",
             f"the syarikah has {len(partners)} partner P3MI (at most {maximum})")
    return failures


@evaluator("MIDDLE_EAST_MORATORIUM", job_order_level=True)
def _moratorium(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    jo = ctx.job_order
    if jo is None or jo.employer.country_id not in p["countries"]:
        return None
    individual = jo.employer.type in p.get("blocked_employer_types", [EmployerType.INDIVIDUAL])
    domestic = jo.sector in p.get("domestic_sectors", [])
    if not individual and not domestic:
        return None  # formal sector with a company employer is still allowed
    spsk = p.get("spsk")
    failures = spsk_failures(jo, spsk) if spsk else []
    if spsk and not failures:
        return None  # the SPSK channel: every condition met
    name_id, name_en = _country(jo.employer.country_id)
    what_id = "pengguna perseorangan" if individual else "pekerjaan rumah tangga"
    what_en = "an individual employer" if individual else "domestic work"
    reason_id = f"Penempatan ke {name_id} untuk {what_id} dilarang (moratorium Timur Tengah)"
    reason_en = f"Placement to {name_en} with {what_en} is banned (Middle-East moratorium)"
    if failures:
        reason_id += " dan tidak memenuhi syarat SPSK: " + "; ".join(f["message"] for f in failures)
        reason_en += " and does not meet the SPSK conditions: " + "; ".join(f["message_en"] for f in failures)
    return Finding(
        reason_id + ".",
        reason_en + ".",
        {"country": jo.employer.country_id, "employer_type": jo.employer.type, "sector": jo.sector,
         "spsk_failures": [f["code"] for f in failures], "spsk_legal_basis": (spsk or {}).get("legal_basis", "")},
    )


@evaluator("NON_OFFICIAL_DESTINATION", job_order_level=True)
def _non_official(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    banned = set(p["countries"])
    for code in (ctx.destination, (ctx.destination_country or "").upper()):
        if code in banned:
            name_id, name_en = _country(code)
            return Finding(
                f"{name_id} bukan negara tujuan penempatan resmi. Penempatan ke sana tidak prosedural.",
                f"{name_en} is not an official placement destination. A placement there is non-procedural.",
                {"country": code},
            )
    return None


@evaluator("JOB_ORDER_ATTESTED", job_order_level=True)
def _attested(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    jo = ctx.job_order
    if jo is None or jo.attested:
        return None
    return Finding(
        f"Job order {jo.number} belum diverifikasi oleh Perwakilan RI.",
        f"Job order {jo.number} has not been attested by the Indonesian mission.",
        {"job_order": jo.number},
    )


@evaluator("JOB_ORDER_VALID", job_order_level=True)
def _valid(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    jo = ctx.job_order
    if jo is None:
        return None
    if jo.status != JobOrderStatus.ACTIVE:
        return Finding(
            f"Job order {jo.number} berstatus {jo.status}.",
            f"Job order {jo.number} is {jo.status}.",
            {"job_order": jo.number, "status": jo.status},
        )
    if not (jo.valid_from <= ctx.on <= jo.valid_to):
        return Finding(
            f"Job order {jo.number} tidak berlaku pada {_d(ctx.on)} (berlaku {_d(jo.valid_from)} s.d. "
            f"{_d(jo.valid_to)}).",
            f"Job order {jo.number} is not valid on {_d(ctx.on)} (valid {_d(jo.valid_from)} to {_d(jo.valid_to)}).",
            {"job_order": jo.number, "valid_from": _d(jo.valid_from), "valid_to": _d(jo.valid_to)},
        )
    return None


@evaluator("JOB_ORDER_QUOTA", job_order_level=True)
def _quota(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    jo = ctx.job_order
    if jo is None:
        return None
    if ctx.case_ref and JobOrderLink.objects.filter(
        job_order=jo, case_ref=ctx.case_ref, released_at__isnull=True
    ).exists():
        return None  # this case already holds one of the positions
    positions, used = JobOrder.objects.filter(pk=jo.pk).values_list("positions", "positions_used").get()
    if used < positions:
        return None
    return Finding(
        f"Kuota job order {jo.number} sudah penuh ({used} dari {positions} lowongan terisi).",
        f"Job order {jo.number} is full ({used} of {positions} positions taken).",
        {"job_order": jo.number, "positions": positions, "positions_used": used},
    )


@evaluator("COMPANY_LICENCE", job_order_level=True)
def _company_licence(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    if ctx.job_order is None:
        return None
    # fresh: a suspension must count at once (case_rules_evaluate loads the job order with its company for each
    # evaluation; anything else reads the company now)
    jo = ctx.job_order
    company = jo.company if JobOrder.company.is_cached(jo) else Company.objects.get(pk=jo.company_id)
    return company_licence_finding(company, ctx.on)


@evaluator("SIP2MI_REGION", job_order_level=True)
def _sip2mi_region(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    jo = ctx.job_order
    if jo is None:
        return None
    if not jo.sip2mi_number:
        return Finding(
            f"Job order {jo.number} tidak memiliki SIP2MI (izin perekrutan).",
            f"Job order {jo.number} has no SIP2MI recruitment permit.",
            {"job_order": jo.number},
        )
    if not (jo.sip2mi_valid_from and jo.sip2mi_valid_to and jo.sip2mi_valid_from <= ctx.on <= jo.sip2mi_valid_to):
        return Finding(
            f"SIP2MI {jo.sip2mi_number} tidak berlaku pada {_d(ctx.on)} (berlaku {_d(jo.sip2mi_valid_from)} s.d. "
            f"{_d(jo.sip2mi_valid_to)}).",
            f"SIP2MI {jo.sip2mi_number} is not valid on {_d(ctx.on)} (valid {_d(jo.sip2mi_valid_from)} to "
            f"{_d(jo.sip2mi_valid_to)}).",
            {"sip2mi": jo.sip2mi_number, "valid_from": _d(jo.sip2mi_valid_from), "valid_to": _d(jo.sip2mi_valid_to)},
        )
    if ctx.worker is None:
        return None
    allowed = _allowed_regions(jo)
    if _region_allowed(ctx.worker.regency_id, allowed) or ctx.worker.province_id in allowed:
        return None
    return Finding(
        f"SIP2MI {jo.sip2mi_number} tidak mengizinkan perekrutan dari daerah asal calon PMI "
        f"({ctx.worker.regency_id}); wilayah yang diizinkan: {', '.join(sorted(allowed)) or '-'}.",
        f"SIP2MI {jo.sip2mi_number} does not allow recruiting from the candidate's home region "
        f"({ctx.worker.regency_id}); allowed regions: {', '.join(sorted(allowed)) or '-'}.",
        {"sip2mi": jo.sip2mi_number, "worker_regency": ctx.worker.regency_id, "allowed": sorted(allowed)},
    )


@evaluator("SIP2MI_OFFICE_REGION")
def _sip2mi_office(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    jo = ctx.job_order
    if jo is None or not ctx.office_regency_code or not jo.sip2mi_number:
        return None
    allowed = _allowed_regions(jo)
    if _region_allowed(ctx.office_regency_code, allowed):
        return None
    return Finding(
        f"Kantor pelayanan ({ctx.office_regency_code}) berada di luar wilayah SIP2MI {jo.sip2mi_number}; "
        "periksa apakah calon PMI dibawa dari daerah lain.",
        f"The service office ({ctx.office_regency_code}) is outside the regions of SIP2MI {jo.sip2mi_number}; "
        "check whether the candidate was brought from elsewhere.",
        {"office_regency": ctx.office_regency_code, "allowed": sorted(allowed)},
    )


@evaluator("FAMILY_CONSENT")
def _family_consent(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    if ctx.has_family_consent is not False:
        return None
    return Finding(
        "Surat izin suami/istri, orang tua atau wali yang diketahui kepala desa belum tercatat.",
        "No permission of the spouse, parent or guardian acknowledged by the village head is on file.",
    )


@evaluator("ONE_ACTIVE_CASE")
def _one_active_case(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    if not ctx.active_case_elsewhere:
        return None
    return Finding(
        "Calon PMI dengan NIK ini masih memiliki proses penempatan lain yang aktif.",
        "The candidate with this NIK still has another placement in progress.",
    )


@evaluator("VISA_TYPE")
def _visa_type(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    visa = (ctx.visa_type or "").strip().casefold()
    if not visa or visa not in {v.casefold() for v in p["blocked_types"]}:
        return None
    names = {"tourist": ("turis", "tourist"), "umrah": ("umrah", "umrah"), "visit": ("kunjungan", "visit")}
    name_id, name_en = names.get(visa, (visa, visa))
    return Finding(
        f"Visa {name_id} tidak boleh dipakai untuk bekerja; keberangkatan dengan visa ini tidak prosedural.",
        f"A {name_en} visa may not be used for work; departing on it is non-procedural.",
        {"visa_type": visa},
    )


@evaluator("ZERO_COST_FEES")
def _zero_cost(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    jo = ctx.job_order
    if jo is None or not ctx.case_ref or not jo.job_title.zero_cost:
        return None
    entries = list(
        FeeLedgerEntry.objects.filter(
            case_ref=ctx.case_ref, payer=p.get("payer", "worker"), component__in=p["components"], amount__gt=0
        ).order_by("recorded_at", "pk")
    )
    if not entries:
        return None
    labels = dict(FeeComponent.choices)
    parts = ", ".join(f"{labels.get(e.component, e.component).split(' / ')[0]} {format_idr(e.amount)}" for e in entries)
    total = sum((e.amount for e in entries), Decimal(0))
    return Finding(
        f"Jabatan {jo.job_title.name_id} bebas biaya penempatan, tetapi pekerja tercatat membayar: {parts} "
        f"(total {format_idr(total)}).",
        f"{jo.job_title.name_en} is a zero-cost job, but the worker is recorded as paying: "
        + ", ".join(f"{e.component} {format_idr(e.amount)}" for e in entries)
        + f" (total {format_idr(total)}).",
        {"job_title": jo.job_title_id, "total": str(total),
         "entries": [{"id": e.pk, "component": e.component, "amount": str(e.amount), "receipt": e.receipt_ref}
                     for e in entries]},
    )


@evaluator("PROBLEM_EMPLOYER", job_order_level=True)
def _problem_employer(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    jo = ctx.job_order
    if jo is None:
        return None
    listing = employer_problem_listing(jo.employer_id, ctx.on)
    if listing is None:
        return None
    return Finding(
        f"Pemberi kerja {jo.employer.name} masuk daftar bermasalah {listing.mission} sejak {_d(listing.listed_on)}: "
        f"{listing.reason}",
        f"Employer {jo.employer.name} is on the problem list of {listing.mission} since {_d(listing.listed_on)}: "
        f"{listing.reason}",
        {"employer": jo.employer_id, "mission": listing.mission, "listed_on": _d(listing.listed_on)},
    )


@evaluator("DESTINATION_MISMATCH")
def _destination_mismatch(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    jo = ctx.job_order
    declared = (ctx.destination_country or "").upper()
    if jo is None or not declared or declared == jo.employer.country_id:
        return None
    return Finding(
        f"Negara tujuan kasus ({declared}) berbeda dengan negara pemberi kerja pada job order "
        f"({jo.employer.country_id}); periksa kemungkinan rute lewat negara ketiga.",
        f"The case's destination ({declared}) differs from the employer's country on the job order "
        f"({jo.employer.country_id}); check for a route through a third country.",
        {"declared": declared, "job_order_country": jo.employer.country_id},
    )


@evaluator("COMPANY_SANCTIONED", job_order_level=True)
def _company_sanctioned(ctx: RuleContext, p: dict[str, Any]) -> Finding | None:
    jo = ctx.job_order
    if jo is None:
        return None
    since = ctx.on - dt.timedelta(days=int(p.get("window_days", 365)))
    sanctions = list(
        jo.company.sanctions.filter(imposed_on__lte=ctx.on)
        .filter(Q(imposed_on__gte=since) | Q(ends_on__gte=ctx.on))
        .order_by("-imposed_on")
    )
    if not sanctions:
        return None
    latest = sanctions[0]
    return Finding(
        f"{jo.company.name} dikenai {len(sanctions)} sanksi dalam periode ini; terakhir {latest.get_kind_display()} "
        f"pada {_d(latest.imposed_on)}: {latest.reason}",
        f"{jo.company.name} has {len(sanctions)} sanction(s) in this period; latest {latest.kind} on "
        f"{_d(latest.imposed_on)}: {latest.reason}",
        {"company": jo.company_id, "count": len(sanctions), "latest": _d(latest.imposed_on)},
    )


# --- versions in force and evaluation -------------------------------------------------------------------


@dataclass(frozen=True)
class RulesInForce:
    rule_set: RuleSet
    rules: tuple[Rule, ...]


def rule_applies(rule: Rule, *, on: dt.date, stage: str | None = None) -> bool:
    """A rule of the version in force applies on a date (its own dates) and at a stage (its stage list)."""
    if rule.effective_from and on < rule.effective_from:
        return False
    if rule.effective_to and on > rule.effective_to:
        return False
    return stage is None or stage in rule.stages


def _in_force_subquery(q) -> str:
    """The key of the version with the latest effective date on or before a date (its one %s), as a subquery."""
    return (f"SELECT r.{q('id')} FROM {q(RuleSet._meta.db_table)} r WHERE r.{q('effective_from')} <= %s "  # noqa: S608
            f"ORDER BY r.{q('effective_from')} DESC, r.{q('version')} DESC LIMIT 1")


_IDENTITY = ("id", "version", "source_hash")
_RULE_SET_IN_FORCE = fastsql.Statement(
    lambda q: f"SELECT {', '.join(f'rs.{q(c)}' for c in _IDENTITY)} FROM {q(RuleSet._meta.db_table)} rs "  # noqa: S608
              f"WHERE rs.{q('id')} = ({_in_force_subquery(q)})"
)


def rule_set_in_force_sql(q, alias: str) -> tuple[str, str]:
    """The identity of the version in force on a date, for a statement that reads it along with other rows (a step
    completion reads it with the worker): the columns to select (`rule_set_in_force_width` of them, NULL when no
    version is in force) and the LEFT JOIN giving them, whose one parameter is `rule_set_in_force_param(on)`.
    The row's values go to `rules_in_force(on=…, found=…)`."""
    columns = ", ".join(f"{alias}.{q(c)}" for c in _IDENTITY)
    return columns, (f"LEFT JOIN {q(RuleSet._meta.db_table)} {alias} "
                     f"ON {alias}.{q('id')} = ({_in_force_subquery(q)})")


rule_set_in_force_width = len(_IDENTITY)


def rule_set_in_force_param(on: dt.date) -> Any:
    return fastsql.prep(RuleSet, "effective_from", on)


def rule_set_identity(row, offset: int = 0) -> tuple[int, int, str] | None:
    """The identity read by `rule_set_in_force_sql`'s columns from a row, or None (no version in force)."""
    found = tuple(row[offset:offset + rule_set_in_force_width])
    return None if found[0] is None else found


def _rule_set_in_force(on: dt.date) -> tuple[int, int, str] | None:
    """The identity of the version with the latest effective date on or before `on` (one statement written once,
    core.fastsql, reading only what identifies the version)."""
    rows = fastsql.fetch(_RULE_SET_IN_FORCE.sql, [rule_set_in_force_param(on)])
    return rule_set_identity(rows[0]) if rows else None


def _rule_set_with_rules(pk: int) -> tuple[RuleSet, tuple[Rule, ...]]:
    rule_set = RuleSet.objects.get(pk=pk)
    return rule_set, tuple(rule_set.rules.order_by("sort_order", "pk"))


_UNREAD: Any = object()


def rules_in_force(*, on: dt.date, found: tuple[int, int, str] | None = _UNREAD) -> RulesInForce:
    """The rule set version with the latest effective date on or before `on`, and its rules in force that day.
    `found`: that version's identity (or None: none in force), already read in the caller's statement
    (`rule_set_in_force_sql`); otherwise it is read here."""
    if found is _UNREAD:
        found = _rule_set_in_force(on)
    if found is None:
        raise NotFound(
            f"Tidak ada versi aturan penempatan yang berlaku pada {_d(on)}. Jalankan load_placement_reference.",
            f"No placement rule set is in force on {_d(on)}. Run load_placement_reference.",
            code="ruleset_missing",
            details={"on": _d(on)},
        )
    # A stored version never changes (the loader refuses a changed one: its content hash covers every field and
    # rule), so the version row and its rules are kept in-process, keyed by the version's identity and hash; which
    # version is in force is still read every time, so a new version counts at once in every process.
    key = ("placement-rules", *found)
    rule_set, all_rules = ttl_cached(key, lambda: _rule_set_with_rules(found[0]), ttl=3600)
    # which of them apply on the day, kept per day as well (every step completion asks for today's)
    rules = ttl_cached((*key, on), lambda: tuple(r for r in all_rules if rule_applies(r, on=on)), ttl=3600)
    return RulesInForce(rule_set=rule_set, rules=rules)


def evaluate(ctx: RuleContext, rules: tuple[Rule, ...] | list[Rule], *, job_order_only: bool = False) -> list[dict]:
    """Run every rule that applies at the context's stage; the fired ones with reasons and legal basis."""
    fired: list[dict[str, Any]] = []
    for rule in rules:
        if ctx.stage not in rule.stages:
            continue
        registered = EVALUATORS.get(rule.code)
        if registered is None or (job_order_only and not registered.job_order_level):
            continue
        finding = registered.fn(ctx, rule.parameters or {})
        if finding is None:
            continue
        fired.append(
            {
                "code": rule.code,
                "severity": rule.severity,
                "reason_id": finding.reason_id,
                "reason_en": finding.reason_en,
                "legal_basis": rule.legal_basis,
                "description_id": rule.description_id,
                "description_en": rule.description_en,
                "details": finding.details,
            }
        )
    return fired


def verdict_of(fired: list[dict[str, Any]]) -> str:
    """Blocked when any block fired, flagged when only flags did, ok when nothing did."""
    if any(f["severity"] == Severity.BLOCK for f in fired):
        return Verdict.BLOCKED
    return Verdict.FLAGGED if fired else Verdict.OK
