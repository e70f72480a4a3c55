"""Builders for placement tests: companies, employers and job orders directly in the tables, and one call
to evaluate the rules with sensible defaults (a legal case unless a test changes one thing)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from satuatap.placement import services
from satuatap.placement.models import Company, Employer, JobOrder, JobTitle
from satuatap.reference.models import Country, Region
from tests import factories

_seq = itertools.count(1)
TODAY = dt.date(2026, 6, 15)  # a fixed evaluation date keeps the boundary tests exact


def make_company(*, status: str = "active", valid_from: dt.date | None = None, valid_to: dt.date | None = None,
                 name: str | None = None) -> Company:
    n = next(_seq)
    return Company.objects.create(
        name=name or f"PT Uji {n}", licence_number=f"SIP3MI/T/{n}",
        licence_valid_from=valid_from or dt.date(2024, 1, 1), licence_valid_to=valid_to or dt.date(2030, 12, 31),
        status=status,
    )


def make_employer(*, country: str = "TW", kind: str = "company", city: str = "Taipei", name: str | None = None,
                  partners: list[Company] | None = None) -> Employer:
    employer = Employer.objects.create(name=name or f"Employer {next(_seq)}", country=Country.objects.get(pk=country),
                                       city=city, type=kind)
    if partners:
        employer.partner_companies.add(*partners)
    return employer


def make_job_order(*, company: Company | None = None, employer: Employer | None = None, job: str = "FACTORY_OPERATOR",
                   sector: str = "manufacturing", positions: int = 10, positions_used: int = 0, attested: bool = True,
                   valid_from: dt.date = dt.date(2026, 1, 1), valid_to: dt.date = dt.date(2026, 12, 31),
                   regions: tuple[str, ...] = ("32",), sip2mi: bool = True, city: str = "",
                   status: str = "active") -> JobOrder:
    """Directly in the table (the services have their own tests): legal by default on TODAY."""
    company = company or make_company()
    employer = employer or make_employer()
    n = next(_seq)
    jo = JobOrder.objects.create(
        number=f"JO-T-{n}", company=company, employer=employer, sector=sector, job_title=JobTitle.objects.get(pk=job),
        city=city, positions=positions, positions_used=positions_used, salary=1000, currency="USD", contract_months=24,
        valid_from=valid_from, valid_to=valid_to, attested=attested,
        attested_on=dt.date(2026, 1, 5) if attested else None,
        attestation_ref="ATT/1" if attested else "", attestation_mission="KDEI Taipei" if attested else "",
        sip2mi_number=f"SIP2MI/{n}" if sip2mi else "", sip2mi_valid_from=dt.date(2026, 1, 1) if sip2mi else None,
        sip2mi_valid_to=dt.date(2026, 12, 31) if sip2mi else None, status=status,
    )
    jo.recruitment_regions.set(Region.objects.filter(code__in=regions))
    return jo


def evaluate(*, stage: str = "case_open", worker=None, job_order=None, on: dt.date = TODAY, scheme: str = "P2P",
             destination_country: str = "", office_regency_code: str = "32.12", has_family_consent: bool = True,
             active_case_elsewhere: bool = False, visa_type: str | None = None, case_ref: str | None = None,
             actor=None, office_code: str = "LTSA-IDM"):
    if worker is None:
        worker = factories.worker("32.12", birth_date=dt.date(1996, 5, 17))
    return services.case_rules_evaluate(
        stage=stage, case_ref=case_ref if case_ref is not None else f"TEST-{next(_seq):06d}", worker=worker,
        scheme=scheme, destination_country=destination_country, office_regency_code=office_regency_code,
        job_order=job_order, on=on, has_family_consent=has_family_consent,
        active_case_elsewhere=active_case_elsewhere, visa_type=visa_type, actor=actor, office_code=office_code,
    )


def now() -> dt.datetime:
    return timezone.now()
