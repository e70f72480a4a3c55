"""Placement API: companies, employers, job orders, fees, rule decisions, risk signals, public verification.

Officers authenticate with a session or bearer token (the project default); company users see only their
company. The `/public/…` endpoints need no login and are rate-limited per client address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from satuatap.accounts.models import User
from satuatap.core.api_schemas import ErrorOut
from satuatap.placement import ratelimit, selectors, services
from satuatap.placement.models import (
    Company,
    CompanySanction,
    Decision,
    Employer,
    FeeLedgerEntry,
    JobOrder,
    JobOrderLink,
    ProblemEmployer,
)

router = Router(tags=["placement"])




ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PUBLIC_ERRORS = {404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


# --- schemas --------------------------------------------------------------------------------------------


class CompanyIn(Schema):
    name: str = Field(max_length=200)
    licence_number: str = Field(max_length=80, description="SIP3MI number")
    licence_valid_from: dt.date
    licence_valid_to: dt.date
    head_office_address: str = Field("", max_length=250)
    head_office_regency: str = Field("", max_length=13, description="Kemendagri regency code, e.g. 32.12")
    phone: str = Field("", max_length=20)


class CompanyPatch(Schema):
    name: str | None = Field(None, max_length=200)
    licence_valid_from: dt.date | None = None
    licence_valid_to: dt.date | None = None
    head_office_address: str | None = Field(None, max_length=250)
    head_office_regency: str | None = Field(None, max_length=13)
    phone: str | None = Field(None, max_length=20)


class ActionIn(Schema):
    action: str = Field(max_length=20)
    reason: str = Field(min_length=1, max_length=2000)


class SanctionIn(Schema):
    kind: str = Field(max_length=12)
    violation: str = Field("other", max_length=25)
    imposed_on: dt.date
    ends_on: dt.date | None = None
    reason: str = Field(min_length=1, max_length=2000)
    legal_basis: str = Field("", max_length=200)


class MemberIn(Schema):
    username: str = Field(max_length=150)
    role: str = Field("staff", max_length=10)


class BranchIn(Schema):
    name: str = Field(max_length=150)
    regency: str = Field(max_length=13)
    address: str = Field("", max_length=250)


class PartnerIn(Schema):
    name: str = Field(max_length=200)
    country: str = Field(max_length=2)
    licence_number: str = Field("", max_length=80)
    address: str = Field("", max_length=250)


class BranchOut(Schema):
    name: str
    regency: str
    address: str


class PartnerOut(Schema):
    name: str
    country: str
    licence_number: str


class SanctionOut(Schema):
    id: int
    kind: str
    violation: str
    imposed_on: dt.date
    ends_on: dt.date | None
    reason: str
    legal_basis: str


class CompanyOut(Schema):
    id: int
    name: str
    licence_number: str
    licence_valid_from: dt.date
    licence_valid_to: dt.date
    status: str
    status_date: dt.date | None
    status_reason: str
    licence_valid_today: bool
    head_office_address: str
    head_office_regency: str | None
    phone: str
    branches: list[BranchOut] = []
    partners: list[PartnerOut] = []
    sanctions: list[SanctionOut] = []


class EmployerIn(Schema):
    name: str = Field(max_length=200)
    country: str = Field(max_length=2)
    city: str = Field("", max_length=100)
    type: str = Field(max_length=12, description="individual | company | syarikah")
    address: str = Field("", max_length=250)


class EmployerOut(Schema):
    id: int
    name: str
    country: str
    city: str
    type: str
    problem_listed: bool


class ProblemListingIn(Schema):
    listed_on: dt.date
    reason: str = Field(min_length=1, max_length=2000)
    mission: str = Field(max_length=150)


class ProblemListingOut(Schema):
    id: int
    employer: int
    listed_on: dt.date
    delisted_on: dt.date | None
    reason: str
    mission: str


class JobTitleOut(Schema):
    code: str
    name_id: str
    name_en: str
    sector: str
    zero_cost: bool
    legal_basis: str


class JobOrderIn(Schema):
    number: str = Field(max_length=60)
    company_id: int
    employer_id: int
    job_title: str = Field(max_length=40)
    sector: str = Field(max_length=20)
    positions: int = Field(ge=1, le=10000)
    salary: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    currency: str = Field(max_length=3)
    contract_months: int = Field(ge=1, le=120)
    valid_from: dt.date
    valid_to: dt.date
    city: str = Field("", max_length=100)
    sip2mi_number: str = Field("", max_length=80)
    sip2mi_valid_from: dt.date | None = None
    sip2mi_valid_to: dt.date | None = None
    recruitment_regions: list[str] = Field(default_factory=list, max_length=600,
                                           description="province or regency codes where recruiting is allowed")


class AttestIn(Schema):
    attested_on: dt.date
    reference: str = Field(max_length=100)
    mission: str = Field(max_length=150)


class JobOrderOut(Schema):
    id: int
    number: str
    company_id: int
    company: str
    employer_id: int
    employer: str
    employer_type: str
    country: str
    city: str
    sector: str
    job_title: str
    zero_cost: bool
    positions: int
    positions_used: int
    positions_left: int
    salary: Decimal
    currency: str
    contract_months: int
    valid_from: dt.date
    valid_to: dt.date
    attested: bool
    attested_on: dt.date | None
    attestation_ref: str
    attestation_mission: str
    sip2mi_number: str
    sip2mi_valid_from: dt.date | None
    sip2mi_valid_to: dt.date | None
    recruitment_regions: list[str]
    status: str


class LinkOut(Schema):
    case_ref: str
    worker_name: str | None
    linked_at: dt.datetime
    released_at: dt.datetime | None


class FeeIn(Schema):
    case_ref: str = Field(max_length=32)
    component: str = Field(max_length=25)
    amount: int = Field(ge=0, le=10**12, description="whole rupiah")
    payer: str = Field(max_length=10, description="worker | employer | company | government")
    receipt_ref: str = Field("", max_length=100)
    note: str = Field("", max_length=300)


class FeeOut(Schema):
    id: int
    case_ref: str
    component: str
    amount: int
    payer: str
    receipt_ref: str
    note: str
    recorded_by: str | None
    recorded_at: dt.datetime


class FiredOut(Schema):
    code: str
    severity: str
    reason_id: str
    reason_en: str
    legal_basis: str
    details: dict[str, Any] = {}
    overridden: bool = False


class OverrideOut(Schema):
    id: int
    reason: str
    actor: str
    rule_codes: list[str]
    created_at: dt.datetime


class DecisionOut(Schema):
    id: int
    case_ref: str
    stage: str
    verdict: str
    proceed: bool
    fired: list[FiredOut]
    rule_set_version: int
    job_order: str | None
    evaluated_on: dt.date
    evaluated_at: dt.datetime
    override: OverrideOut | None


class OverrideIn(Schema):
    reason: str = Field(min_length=1, max_length=4000)


class SignalOut(Schema):
    kind: str
    severity: str
    title_id: str
    title_en: str
    explanation_id: str
    explanation_en: str
    count: int
    company_id: int | None
    worker_id: int | None
    area_code: str
    details: dict[str, Any]


class RuleOut(Schema):
    code: str
    severity: str
    stages: list[str]
    legal_basis: str
    description_id: str
    description_en: str
    parameters: dict[str, Any]
    effective_from: dt.date | None
    effective_to: dt.date | None


class RuleSetOut(Schema):
    version: int
    name: str
    effective_from: dt.date
    legal_basis: str
    rules: list[RuleOut]


class ReasonOut(Schema):
    reason_id: str
    reason_en: str


class PublicCompanyOut(Schema):
    id: int
    name: str
    licence_number: str
    status: str
    legal: bool
    valid_until: dt.date
    active_job_orders: int
    problems: list[ReasonOut]
    warning_id: str
    warning_en: str


class PublicJobOrderOut(Schema):
    number: str
    legal: bool
    valid_until: dt.date
    positions_left: int
    salary: Decimal
    currency: str
    contract_months: int
    job_title_id: str
    job_title_en: str
    country: str
    city: str
    employer: str
    company: PublicCompanyOut
    problems: list[ReasonOut]
    cautions: list[ReasonOut]
    warning_id: str
    warning_en: str
    checked_on: dt.date
    verify_url: str


# --- output helpers -------------------------------------------------------------------------------------


def _company_out(company: Company, *, detail: bool = False) -> dict[str, Any]:
    today = timezone.localdate()
    out = dict(
        id=company.pk, name=company.name, licence_number=company.licence_number,
        licence_valid_from=company.licence_valid_from, licence_valid_to=company.licence_valid_to,
        status=company.status, status_date=company.status_date, status_reason=company.status_reason,
        licence_valid_today=company.status == "active"
        and company.licence_valid_from <= today <= company.licence_valid_to,
        head_office_address=company.head_office_address, head_office_regency=company.head_office_regency_id,
        phone=company.phone,
    )
    if detail:
        out["branches"] = [dict(name=b.name, regency=b.regency_id, address=b.address) for b in company.branches.all()]
        out["partners"] = [dict(name=p.name, country=p.country_id, licence_number=p.licence_number)
                           for p in company.partners.all()]
        out["sanctions"] = [_sanction_out(s) for s in company.sanctions.all()]
    return out


def _sanction_out(s: CompanySanction) -> dict[str, Any]:
    return dict(id=s.pk, kind=s.kind, violation=s.violation, imposed_on=s.imposed_on, ends_on=s.ends_on,
                reason=s.reason, legal_basis=s.legal_basis)


def _employer_out(e: Employer) -> dict[str, Any]:
    today = timezone.localdate()
    listed = any(p.listed_on <= today and (p.delisted_on is None or p.delisted_on > today)
                 for p in e.problem_listings.all())
    return dict(id=e.pk, name=e.name, country=e.country_id, city=e.city, type=e.type, problem_listed=listed)


def _listing_out(p: ProblemEmployer) -> dict[str, Any]:
    return dict(id=p.pk, employer=p.employer_id, listed_on=p.listed_on, delisted_on=p.delisted_on, reason=p.reason,
                mission=p.mission)


def _job_order_out(jo: JobOrder) -> dict[str, Any]:
    return dict(
        id=jo.pk, number=jo.number, company_id=jo.company_id, company=jo.company.name, employer_id=jo.employer_id,
        employer=jo.employer.name, employer_type=jo.employer.type, country=jo.employer.country_id, city=jo.work_city,
        sector=jo.sector, job_title=jo.job_title_id, zero_cost=jo.job_title.zero_cost, positions=jo.positions,
        positions_used=jo.positions_used, positions_left=jo.positions_left, salary=jo.salary, currency=jo.currency,
        contract_months=jo.contract_months, valid_from=jo.valid_from, valid_to=jo.valid_to, attested=jo.attested,
        attested_on=jo.attested_on, attestation_ref=jo.attestation_ref, attestation_mission=jo.attestation_mission,
        sip2mi_number=jo.sip2mi_number, sip2mi_valid_from=jo.sip2mi_valid_from, sip2mi_valid_to=jo.sip2mi_valid_to,
        recruitment_regions=sorted(r.code for r in jo.recruitment_regions.all()), status=jo.status,
    )


def _fee_out(e: FeeLedgerEntry) -> dict[str, Any]:
    return dict(id=e.pk, case_ref=e.case_ref, component=e.component, amount=int(e.amount), payer=e.payer,
                receipt_ref=e.receipt_ref, note=e.note, recorded_by=e.recorded_by.username if e.recorded_by else None,
                recorded_at=e.recorded_at)


def _decision_out(d: Decision) -> dict[str, Any]:
    override = d.override
    return dict(
        id=d.pk, case_ref=d.case_ref, stage=d.stage, verdict=d.verdict, proceed=d.proceed, fired=d.fired,
        rule_set_version=d.rule_set_version, job_order=d.job_order.number if d.job_order_id else None,
        evaluated_on=d.evaluated_on, evaluated_at=d.evaluated_at,
        override=None if override is None else dict(id=override.pk, reason=override.reason,
                                                     actor=override.actor.username, rule_codes=override.rule_codes,
                                                     created_at=override.created_at),
    )


def _link_out(link: JobOrderLink) -> dict[str, Any]:
    return dict(case_ref=link.case_ref, worker_name=link.worker.name if link.worker_id else None,
                linked_at=link.linked_at, released_at=link.released_at)


WARNING_COMPANY_ID = ("Perusahaan ini TIDAK memiliki izin yang berlaku. Jangan membayar apa pun dan jangan "
                      "menyerahkan paspor atau dokumen Anda. Laporkan ke Crisis Center 0800-1000 (gratis) atau "
                      "Disnaker setempat.")
WARNING_COMPANY_EN = ("This company does NOT hold a valid licence. Do not pay anything and do not hand over your "
                      "passport or documents. Report it to the Crisis Center 0800-1000 (free) or the local "
                      "manpower office.")
WARNING_JOB_ORDER_ID = ("Lowongan ini TIDAK SAH. Jangan berangkat, jangan membayar, dan jangan menyerahkan paspor "
                        "atau dokumen Anda. Laporkan ke Crisis Center 0800-1000 (gratis) atau Disnaker setempat.")
WARNING_JOB_ORDER_EN = ("This job offer is NOT LEGAL. Do not leave, do not pay, and do not hand over your passport "
                        "or documents. Report it to the Crisis Center 0800-1000 (free) or the local manpower office.")


def _reasons(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [dict(reason_id=i["reason_id"], reason_en=i["reason_en"]) for i in items]


def _public_company(check: selectors.CompanyCheck) -> dict[str, Any]:
    c = check.company
    return dict(id=c.pk, name=c.name, licence_number=c.licence_number, status=c.status, legal=check.legal,
                valid_until=check.valid_until, active_job_orders=check.active_job_orders,
                problems=_reasons(check.problems),
                warning_id="" if check.legal else WARNING_COMPANY_ID,
                warning_en="" if check.legal else WARNING_COMPANY_EN)


def _public_job_order(request, check: selectors.JobOrderCheck) -> dict[str, Any]:
    jo = check.job_order
    url = request.build_absolute_uri(reverse("placement:verify_job_order")) + "?" + urlencode({"number": jo.number})
    employer = jo.employer.name if jo.employer.type != "individual" else "Pengguna perseorangan / individual"
    return dict(
        number=jo.number, legal=check.legal, valid_until=check.valid_until, positions_left=check.positions_left,
        salary=jo.salary, currency=jo.currency, contract_months=jo.contract_months, job_title_id=jo.job_title.name_id,
        job_title_en=jo.job_title.name_en, country=jo.employer.country_id, city=jo.work_city, employer=employer,
        company=_public_company(check.company), problems=_reasons(check.problems), cautions=_reasons(check.cautions),
        warning_id="" if check.legal else WARNING_JOB_ORDER_ID, warning_en="" if check.legal else WARNING_JOB_ORDER_EN,
        checked_on=check.checked_on, verify_url=url,
    )


# --- companies ------------------------------------------------------------------------------------------


@router.get("/companies", response={200: list[CompanyOut], **ERRORS}, summary="List companies (P3MI)")
def list_companies(request, q: str | None = None, limit: int = Query(100, ge=1, le=500)):
    return [_company_out(c) for c in selectors.companies_list(user=request.auth, q=q)[:limit]]


@router.post("/companies", response={201: CompanyOut, **ERRORS}, summary="Register a company (admin, office head)")
def create_company(request, payload: CompanyIn):
    company = services.company_create(
        actor=request.auth, name=payload.name, licence_number=payload.licence_number,
        licence_valid_from=payload.licence_valid_from, licence_valid_to=payload.licence_valid_to,
        head_office_address=payload.head_office_address, head_office_regency_code=payload.head_office_regency,
        phone=payload.phone,
    )
    return 201, _company_out(selectors.company_get(user=request.auth, company_id=company.pk), detail=True)


@router.get("/companies/{company_id}", response={200: CompanyOut, **ERRORS}, summary="A company with its record")
def get_company(request, company_id: int):
    return _company_out(selectors.company_get(user=request.auth, company_id=company_id), detail=True)


@router.patch("/companies/{company_id}", response={200: CompanyOut, **ERRORS}, summary="Correct a company's data")
def update_company(request, company_id: int, payload: CompanyPatch):
    company = selectors.company_get(user=request.auth, company_id=company_id)
    fields = payload.dict(exclude_unset=True)
    if "head_office_regency" in fields:
        fields["head_office_regency_code"] = fields.pop("head_office_regency") or ""
    services.company_update(actor=request.auth, company=company, **fields)
    return _company_out(selectors.company_get(user=request.auth, company_id=company_id), detail=True)


@router.post("/companies/{company_id}/status", response={200: CompanyOut, **ERRORS},
             summary="Suspend, reinstate or revoke a licence (admin)")
def change_company_status(request, company_id: int, payload: ActionIn):
    company = selectors.company_get(user=request.auth, company_id=company_id)
    services.company_status_change(actor=request.auth, company=company, action=payload.action, reason=payload.reason)
    return _company_out(selectors.company_get(user=request.auth, company_id=company_id), detail=True)


@router.post("/companies/{company_id}/sanctions", response={201: SanctionOut, **ERRORS},
             summary="Record a sanction (admin)")
def record_sanction(request, company_id: int, payload: SanctionIn):
    company = selectors.company_get(user=request.auth, company_id=company_id)
    sanction = services.company_sanction_record(
        actor=request.auth, company=company, kind=payload.kind, violation=payload.violation,
        imposed_on=payload.imposed_on, ends_on=payload.ends_on, reason=payload.reason, legal_basis=payload.legal_basis,
    )
    return 201, _sanction_out(sanction)


@router.post("/companies/{company_id}/branches", response={201: BranchOut, **ERRORS}, summary="Add a branch office")
def add_branch(request, company_id: int, payload: BranchIn):
    company = selectors.company_get(user=request.auth, company_id=company_id)
    branch = services.company_branch_add(actor=request.auth, company=company, name=payload.name,
                                         regency_code=payload.regency, address=payload.address)
    return 201, dict(name=branch.name, regency=branch.regency_id, address=branch.address)


@router.post("/companies/{company_id}/partners", response={201: PartnerOut, **ERRORS},
             summary="Add a foreign partner agency")
def add_partner(request, company_id: int, payload: PartnerIn):
    company = selectors.company_get(user=request.auth, company_id=company_id)
    partner = services.partner_agency_add(actor=request.auth, company=company, name=payload.name,
                                          country_code=payload.country, licence_number=payload.licence_number,
                                          address=payload.address)
    return 201, dict(name=partner.name, country=partner.country_id, licence_number=partner.licence_number)


@router.post("/companies/{company_id}/members", response={201: dict, **ERRORS},
             summary="Make a user a company user (admin)")
def add_member(request, company_id: int, payload: MemberIn):
    company = selectors.company_get(user=request.auth, company_id=company_id)
    user = get_object_or_404(User, username=payload.username)
    membership = services.company_member_add(actor=request.auth, company=company, user=user, role=payload.role)
    return 201, {"username": user.username, "company_id": company.pk, "role": membership.role}


# --- employers ------------------------------------------------------------------------------------------


@router.get("/employers", response={200: list[EmployerOut], **ERRORS}, summary="List foreign employers")
def list_employers(request, q: str | None = None, country: str | None = None, limit: int = Query(100, ge=1, le=500)):
    qs = selectors.employers_list(user=request.auth, q=q, country=country).prefetch_related("problem_listings")
    return [_employer_out(e) for e in qs[:limit]]


@router.post("/employers", response={201: EmployerOut, **ERRORS}, summary="Register a foreign employer")
def create_employer(request, payload: EmployerIn):
    employer = services.employer_create(actor=request.auth, name=payload.name, country_code=payload.country,
                                        type=payload.type, city=payload.city, address=payload.address)
    return 201, _employer_out(employer)


@router.post("/employers/{employer_id}/problem-listings", response={201: ProblemListingOut, **ERRORS},
             summary="Record a mission's problem-employer listing (admin)")
def list_problem_employer(request, employer_id: int, payload: ProblemListingIn):
    employer = selectors.employer_get(user=request.auth, employer_id=employer_id)
    listing = services.problem_employer_add(actor=request.auth, employer=employer, listed_on=payload.listed_on,
                                            reason=payload.reason, mission=payload.mission)
    return 201, _listing_out(listing)


@router.post("/employers/{employer_id}/partners/{company_id}", response={200: EmployerOut, **ERRORS},
             summary="Record a P3MI as partner of a syarikah (admin)")
def add_employer_partner(request, employer_id: int, company_id: int):
    employer = selectors.employer_get(user=request.auth, employer_id=employer_id)
    company = selectors.company_get(user=request.auth, company_id=company_id)
    services.employer_partner_add(actor=request.auth, employer=employer, company=company)
    return _employer_out(employer)


@router.get("/job-titles", response={200: list[JobTitleOut], **ERRORS}, summary="The official job list")
def list_job_titles(request):
    return list(selectors.job_titles_list())


# --- job orders -----------------------------------------------------------------------------------------


@router.get("/job-orders", response={200: list[JobOrderOut], **ERRORS}, summary="List job orders (scoped)")
def list_job_orders(request, company_id: int | None = None, status: str | None = None, q: str | None = None,
                    limit: int = Query(100, ge=1, le=500)):
    qs = selectors.job_orders_list(user=request.auth, company_id=company_id, status=status, q=q)
    return [_job_order_out(jo) for jo in qs.prefetch_related("recruitment_regions")[:limit]]


@router.post("/job-orders", response={201: JobOrderOut, **ERRORS},
             summary="Record a job order (its company's users, admins); 409 employer_problem_listed")
def create_job_order(request, payload: JobOrderIn):
    company = get_object_or_404(Company, pk=payload.company_id)
    employer = selectors.employer_get(user=request.auth, employer_id=payload.employer_id)
    job_order = services.job_order_create(
        actor=request.auth, company=company, employer=employer, number=payload.number,
        job_title_code=payload.job_title, sector=payload.sector, positions=payload.positions, salary=payload.salary,
        currency=payload.currency, contract_months=payload.contract_months, valid_from=payload.valid_from,
        valid_to=payload.valid_to, city=payload.city, sip2mi_number=payload.sip2mi_number,
        sip2mi_valid_from=payload.sip2mi_valid_from, sip2mi_valid_to=payload.sip2mi_valid_to,
        recruitment_region_codes=payload.recruitment_regions,
    )
    return 201, _job_order_out(selectors.job_order_get(user=request.auth, job_order_id=job_order.pk))


@router.get("/job-orders/{job_order_id}", response={200: JobOrderOut, **ERRORS}, summary="A job order")
def get_job_order(request, job_order_id: int):
    return _job_order_out(selectors.job_order_get(user=request.auth, job_order_id=job_order_id))


@router.post("/job-orders/{job_order_id}/attest", response={200: JobOrderOut, **ERRORS},
             summary="Record the mission's attestation (admin)")
def attest_job_order(request, job_order_id: int, payload: AttestIn):
    job_order = selectors.job_order_get(user=request.auth, job_order_id=job_order_id)
    services.job_order_attest(actor=request.auth, job_order=job_order, attested_on=payload.attested_on,
                              reference=payload.reference, mission=payload.mission)
    return _job_order_out(selectors.job_order_get(user=request.auth, job_order_id=job_order_id))


@router.post("/job-orders/{job_order_id}/status", response={200: JobOrderOut, **ERRORS},
             summary="Close, reopen or cancel a job order")
def change_job_order_status(request, job_order_id: int, payload: ActionIn):
    job_order = selectors.job_order_get(user=request.auth, job_order_id=job_order_id)
    services.job_order_status_change(actor=request.auth, job_order=job_order, action=payload.action,
                                     reason=payload.reason)
    return _job_order_out(selectors.job_order_get(user=request.auth, job_order_id=job_order_id))


@router.get("/job-orders/{job_order_id}/links", response={200: list[LinkOut], **ERRORS},
            summary="Cases (candidates) linked to a job order")
def list_job_order_links(request, job_order_id: int):
    job_order = selectors.job_order_get(user=request.auth, job_order_id=job_order_id)
    return [_link_out(link) for link in selectors.job_order_links(user=request.auth, job_order=job_order)]


# --- fees, decisions, rules, signals --------------------------------------------------------------------


@router.post("/fees", response={201: FeeOut, **ERRORS}, summary="Record a cost in a case's fee ledger (officers)")
def record_fee(request, payload: FeeIn):
    entry = services.fee_entry_record(actor=request.auth, case_ref=payload.case_ref, component=payload.component,
                                      amount=payload.amount, payer=payload.payer, receipt_ref=payload.receipt_ref,
                                      note=payload.note)
    return 201, _fee_out(entry)


@router.get("/fees", response={200: list[FeeOut], **ERRORS}, summary="A case's fee ledger")
def list_fees(request, case_ref: str = Query(..., max_length=32)):
    return [_fee_out(e) for e in selectors.fee_entries_list(user=request.auth, case_ref=case_ref)]


@router.get("/decisions", response={200: list[DecisionOut], **ERRORS}, summary="A case's rule decisions")
def list_decisions(request, case_ref: str = Query(..., max_length=32)):
    return [_decision_out(d) for d in selectors.decisions_list(user=request.auth, case_ref=case_ref)]


@router.post("/decisions/{decision_id}/override", response={200: DecisionOut, **ERRORS},
             summary="Override a flagged decision with a written reason (office head; never a block)")
def override_decision(request, decision_id: int, payload: OverrideIn):
    decision = selectors.decision_get(user=request.auth, decision_id=decision_id)
    services.decision_override(actor=request.auth, decision=decision, reason=payload.reason)
    return _decision_out(selectors.decision_get(user=request.auth, decision_id=decision_id))


@router.get("/rule-sets", response={200: list[RuleSetOut], **ERRORS}, summary="Every version of the placement rules")
def list_rule_sets(request):
    return [
        dict(version=rs.version, name=rs.name, effective_from=rs.effective_from, legal_basis=rs.legal_basis,
             rules=list(rs.rules.all()))
        for rs in selectors.rule_sets_list()
    ]


@router.get("/signals", response={200: list[SignalOut], **ERRORS},
            summary="Trafficking-risk signals (office head, monitors)")
def list_signals(request, kind: str | None = None):
    return [asdict(s) for s in selectors.risk_signals(user=request.auth, kind=kind)]


# --- public verification (no login, rate-limited) -------------------------------------------------------


@router.get("/public/companies", auth=None, response={200: list[PublicCompanyOut], **PUBLIC_ERRORS},
            summary="Public: is this company licensed? (name or SIP3MI number)")
def public_companies(request, q: str = Query(..., min_length=3, max_length=100)):
    ratelimit.check(request)
    return [_public_company(c) for c in selectors.public_companies_search(q=q)]


@router.get("/public/job-orders", auth=None, response={200: PublicJobOrderOut, **PUBLIC_ERRORS},
            summary="Public: is this job order legal? (its number, as printed or in its QR code)")
def public_job_order(request, number: str = Query(..., min_length=3, max_length=60)):
    ratelimit.check(request)
    return _public_job_order(request, selectors.public_job_order_check(number=number))
