"""Demo data for placement: legal and illegal companies and job orders, so every block and flag can be seen.

`ensure_placement_demo()` is idempotent (looks rows up by licence / job order number / employer name before
creating) and writes through the services, so the event history is what real work would produce.

What each demo job order shows when a case is opened on it (candidate from Indramayu, 32.12):

| job order            | outcome                                                                  |
|----------------------|--------------------------------------------------------------------------|
| JO-DEMO-TW-001       | ok: licensed company, attested, SIP2MI for Jabar/Jateng/Jatim/Lampung/NTB |
| JO-DEMO-HK-001       | ok: domestic worker in Hong Kong (zero-cost job: a worker-paid fee blocks) |
| JO-DEMO-SPSK-001     | ok: SPSK channel to Saudi Arabia (syarikah, Riyadh, six jobs, 2 partners) |
| JO-DEMO-SUSP-001     | block COMPANY_LICENCE (licence suspended)                                 |
| JO-DEMO-EXP-001      | block JOB_ORDER_VALID (expired)                                           |
| JO-DEMO-UNATT-001    | block JOB_ORDER_ATTESTED                                                  |
| JO-DEMO-SA-IND-001   | block MIDDLE_EAST_MORATORIUM (individual employer in Saudi Arabia)        |
| JO-DEMO-KH-001       | block NON_OFFICIAL_DESTINATION (Cambodia)                                 |
| JO-DEMO-FULL-001     | block JOB_ORDER_QUOTA (3 of 3 positions taken)                            |
| JO-DEMO-NTB-001      | block SIP2MI_REGION + flag SIP2MI_OFFICE_REGION (SIP2MI only for NTB)     |
| JO-DEMO-AE-001       | flags PROBLEM_EMPLOYER + COMPANY_SANCTIONED (an office head may override) |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from satuatap.accounts.models import Role, User
from satuatap.placement import services
from satuatap.placement.models import Company, Employer, JobOrder, LicenceStatus

ADMIN_USERNAME = "admin"
FALLBACK_ADMIN = "penempatan.sistem"
# Jabar, Jateng, Jatim, Lampung, NTB (the main sending provinces) and Kalimantan Utara (the demo's Nunukan office)
RECRUITING_REGIONS = ["32", "33", "35", "18", "52", "65"]


@dataclass
class PlacementDemo:
    companies: dict[str, int] = field(default_factory=dict)
    job_orders: dict[str, int] = field(default_factory=dict)
    created: int = 0


def _admin() -> User:
    user = (
        User.objects.filter(username=ADMIN_USERNAME, is_active=True).first()
        or User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        or User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    if user is not None:
        return user
    from satuatap.accounts import services as account_services

    return account_services.user_create(username=FALLBACK_ADMIN, password=None, role=Role.ADMIN,
                                        first_name="Sistem Penempatan")


@transaction.atomic
def ensure_placement_demo() -> PlacementDemo:
    """Create (once) demo companies, employers and job orders covering every placement block and flag."""
    services.placement_reference_load()
    admin = _admin()
    today = timezone.localdate()
    result = PlacementDemo()

    def company(key: str, name: str, licence: str, regency: str, address: str) -> Company:
        existing = Company.objects.filter(licence_number=licence).first()
        if existing is None:
            existing = services.company_create(
                actor=admin, name=name, licence_number=licence, licence_valid_from=today - dt.timedelta(days=700),
                licence_valid_to=today + dt.timedelta(days=1100), head_office_address=address,
                head_office_regency_code=regency,
            )
            result.created += 1
        result.companies[key] = existing.pk
        return existing

    maju = company("maju", "PT Maju Sejahtera Mandiri", "SIP3MI/DEMO/001/2025", "32.12",
                   "Jl. Jenderal Sudirman No. 10, Indramayu")
    bina = company("bina", "PT Bina Karya Insani", "SIP3MI/DEMO/002/2025", "35.73", "Jl. Ijen No. 5, Malang")
    duta = company("duta", "PT Duta Jasa Bersama", "SIP3MI/DEMO/003/2025", "31.74", "Jl. TB Simatupang, Jakarta")
    cahaya = company("cahaya", "PT Cahaya Timur Abadi", "SIP3MI/DEMO/004/2025", "52.03", "Jl. Pejanggik, Selong")

    def employer(name: str, country: str, city: str, kind: str) -> Employer:
        existing = Employer.objects.filter(name=name, country_id=country).first()
        if existing is None:
            existing = services.employer_create(actor=admin, name=name, country_code=country, type=kind, city=city)
            result.created += 1
        return existing

    formosa = employer("Formosa Precision Co., Ltd.", "TW", "Taichung", "company")
    textile = employer("Taiwan Union Textile Corp.", "TW", "Taoyuan", "company")
    chan = employer("Chan Mei Ling", "HK", "Hong Kong", "individual")
    harbi = employer("Abdullah Al-Harbi", "SA", "Riyadh", "individual")
    mawarid = employer("Syarikah Al-Mawarid Recruitment", "SA", "Riyadh", "syarikah")
    star = employer("Phnom Penh Star Trading", "KH", "Phnom Penh", "company")
    palm = employer("Kuala Palm Estates Sdn. Bhd.", "MY", "Kota Kinabalu", "company")
    noor = employer("Al Noor Facility Services LLC", "AE", "Dubai", "company")
    for partner in (maju, bina):
        if not mawarid.partner_companies.filter(pk=partner.pk).exists():
            services.employer_partner_add(actor=admin, employer=mawarid, company=partner)

    def job_order(number: str, co: Company, emp: Employer, job: str, sector: str, *, positions: int = 20,
                  salary: str = "1000", currency: str = "USD", months: int = 24, attested: bool = True,
                  valid_from: dt.date | None = None, valid_to: dt.date | None = None,
                  regions: list[str] | None = None, city: str = "") -> JobOrder:
        existing = JobOrder.objects.filter(number=number).first()
        if existing is None:
            existing = services.job_order_create(
                actor=admin, company=co, employer=emp, number=number, job_title_code=job, sector=sector,
                positions=positions, salary=salary, currency=currency, contract_months=months,
                valid_from=valid_from or today - dt.timedelta(days=30),
                valid_to=valid_to or today + dt.timedelta(days=335), city=city,
                sip2mi_number=f"SIP2MI/{number}", sip2mi_valid_from=today - dt.timedelta(days=30),
                sip2mi_valid_to=today + dt.timedelta(days=335),
                recruitment_region_codes=regions if regions is not None else RECRUITING_REGIONS,
            )
            if attested:
                services.job_order_attest(actor=admin, job_order=existing, attested_on=today - dt.timedelta(days=20),
                                          reference=f"ATT/{number}", mission=_mission(emp.country_id))
            result.created += 1
        result.job_orders[number] = existing.pk
        return existing

    job_order("JO-DEMO-TW-001", maju, formosa, "FACTORY_OPERATOR", "manufacturing", salary="28590", currency="TWD",
              months=36, positions=150)
    job_order("JO-DEMO-HK-001", maju, chan, "DOMESTIC_WORKER", "household", salary="4990", currency="HKD",
              positions=150)
    job_order("JO-DEMO-SPSK-001", bina, mawarid, "DOMESTIC_WORKER", "household", salary="1500", currency="SAR",
              city="Riyadh")
    job_order("JO-DEMO-SUSP-001", duta, textile, "FACTORY_OPERATOR", "manufacturing", salary="28590", currency="TWD")
    job_order("JO-DEMO-EXP-001", maju, palm, "FACTORY_OPERATOR", "manufacturing", salary="1800", currency="MYR",
              valid_from=today - dt.timedelta(days=400), valid_to=today - dt.timedelta(days=35))
    job_order("JO-DEMO-UNATT-001", maju, formosa, "WELDER", "manufacturing", salary="30000", currency="TWD",
              attested=False)
    job_order("JO-DEMO-SA-IND-001", maju, harbi, "DOMESTIC_WORKER", "household", salary="1500", currency="SAR")
    job_order("JO-DEMO-KH-001", bina, star, "HOSPITALITY_STAFF", "hospitality", salary="600", currency="USD")
    full = job_order("JO-DEMO-FULL-001", maju, palm, "FARM_WORKER", "agriculture", positions=3, salary="1700",
                     currency="MYR")
    job_order("JO-DEMO-NTB-001", maju, formosa, "FOOD_PROCESSING", "manufacturing", salary="28590", currency="TWD",
              regions=["52"])
    job_order("JO-DEMO-AE-001", cahaya, noor, "CLEANER", "services", salary="2000", currency="AED")

    for i in range(1, full.positions + 1):  # fill the quota with placeholder case numbers
        services.job_order_link(job_order=full, case_ref=f"DEMO-PENUH-{i:03d}", actor=admin)

    # After its job order: the employer lands on the mission's list (no new job orders; existing ones flagged).
    if not noor.problem_listings.exists():
        services.problem_employer_add(actor=admin, employer=noor, listed_on=today - dt.timedelta(days=10),
                                      mission="KJRI Dubai", reason="Upah pekerja tidak dibayar tiga bulan.")
    if not cahaya.sanctions.exists():
        services.company_sanction_record(
            actor=admin, company=cahaya, kind="warning", violation="selection_outside_ltsa",
            imposed_on=today - dt.timedelta(days=60), reason="Seleksi calon PMI dilakukan di luar LTSA.",
            legal_basis="Permen P2MI 4/2025",
        )
    duta.refresh_from_db()
    if duta.status == LicenceStatus.ACTIVE:
        services.company_status_change(actor=admin, company=duta, action="suspend",
                                       reason="Merekrut tanpa SIP2MI (pemeriksaan 2026).",
                                       on=today - dt.timedelta(days=15))
    return result


def _mission(country: str) -> str:
    return {
        "TW": "KDEI Taipei", "HK": "KJRI Hong Kong", "SA": "KBRI Riyadh", "KH": "KBRI Phnom Penh",
        "MY": "KJRI Kota Kinabalu", "AE": "KJRI Dubai",
    }.get(country, "Perwakilan RI")
