"""Small builders shared by the tests: users by desk, workers with valid NIKs, outcome data."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from django.utils import timezone

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role, User
from satuatap.reference.models import Agency, Office, Region
from satuatap.registry.models import FamilyConsent, Worker
from satuatap.web.demo import sample_outcome

_seq = itertools.count(1)


def officer(office_code: str, agency_code: str) -> User:
    username = f"t{next(_seq)}.{office_code.lower()}.{agency_code.lower()}"
    return account_services.user_create(
        username=username, password=None, role=Role.DESK_OFFICER,
        office=Office.objects.get(code=office_code), agency=Agency.objects.get(code=agency_code),
    )


def head(office_code: str) -> User:
    return account_services.user_create(
        username=f"t{next(_seq)}.{office_code.lower()}.head", password=None, role=Role.OFFICE_HEAD,
        office=Office.objects.get(code=office_code),
    )


def monitor(region_code: str | None = None) -> User:
    return account_services.user_create(
        username=f"t{next(_seq)}.monitor", password=None, role=Role.MONITOR,
        region=Region.objects.get(code=region_code) if region_code else None,
    )


def valid_nik(district_code: str, birth_date: dt.date, sex: str, serial: int | None = None) -> str:
    day = birth_date.day + (40 if sex == "P" else 0)
    serial = serial if serial is not None else random.randint(1, 9999)
    return f"{district_code.replace('.', '')}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def worker(regency_code: str = "32.12", *, birth_date: dt.date = dt.date(1996, 5, 17), sex: str = "P",
           consent: bool = True) -> Worker:
    """A worker created directly in the table (the registry's own tests cover registration), with the family's
    consent acknowledged by the village head unless `consent=False`."""
    district = Region.objects.filter(parent_id=regency_code).order_by("code").first()
    while True:
        nik = valid_nik(district.code, birth_date, sex)
        if not Worker.objects.filter(nik=nik).exists():
            break
    w = Worker.objects.create(
        nik=nik, name=f"Pekerja Uji {next(_seq)}", birth_place="Indramayu", birth_date=birth_date, sex=sex,
        province_id=regency_code[:2], regency_id=regency_code, district=district,
    )
    if consent:
        FamilyConsent.objects.create(worker=w, consenter_name="Ibu Uji", relation="mother",
                                     consent_date=dt.date(2026, 1, 2), village_head_acknowledged=True,
                                     village_head_name="Kuwu Uji")
    return w


def job_order(number: str = "JO-TEST-HK", *, country: str = "HK", positions: int = 100_000,
              job: str = "CAREGIVER_NURSING", employer_type: str = "company"):
    """A legal job order (active licence, attested, valid this year, SIP2MI for every province), made once."""
    from satuatap.placement.models import Company, Employer, JobOrder, JobTitle

    existing = JobOrder.objects.filter(number=number).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    company = Company.objects.create(
        name=f"PT Uji Legal {number}", licence_number=f"SIP3MI/{number}", licence_valid_from=today.replace(year=2024),
        licence_valid_to=today.replace(year=today.year + 4), status="active",
    )
    employer = Employer.objects.create(name=f"Employer {number}", country_id=country, city="Kowloon",
                                       type=employer_type)
    jo = JobOrder.objects.create(
        number=number, company=company, employer=employer, sector="care",
        job_title=JobTitle.objects.get(pk=job), positions=positions, positions_used=0, salary=4990,
        currency="HKD", contract_months=24, valid_from=today - dt.timedelta(days=60),
        valid_to=today + dt.timedelta(days=300), attested=True, attested_on=today - dt.timedelta(days=30),
        attestation_ref="KJRI-HK/ATT/1", attestation_mission="KJRI Hong Kong", sip2mi_number=f"SIP2MI/{number}",
        sip2mi_valid_from=today - dt.timedelta(days=60), sip2mi_valid_to=today + dt.timedelta(days=300),
        status="active",
    )
    jo.recruitment_regions.set(Region.objects.filter(level=1))
    return jo


def open_case(actor, w, office_code: str = "LTSA-IDM", **kwargs):
    """Open a P2P case on the legal test job order (the placement rules are evaluated as in real work)."""
    from satuatap.journey import services as journey_services

    kwargs.setdefault("scheme", "P2P")
    kwargs.setdefault("job_order_number", job_order().number)
    return journey_services.case_open(actor=actor, worker=w, office_code=office_code, **kwargs)


def outcome(outcome_type: str, **overrides) -> dict:
    data = sample_outcome(outcome_type, random.Random(1), timezone.localdate())
    data.update(overrides)
    return data


def otp_login(client, user) -> None:
    """Log a user in with a verified TOTP second factor (what the admin and office-head pages require)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
