"""Demo data: one user per role and desk for the demo offices, and candidates spread over the journey.

Everything goes through the same services as real work (registration, case opening, each step by the
officer of its desk), so the demo's event history is what a real office would produce.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from satuatap.accounts import services as account_services
from satuatap.accounts.models import ApiToken, Role, User
from satuatap.journey import services as journey_services
from satuatap.journey.models import Case, Step, StepState
from satuatap.placement import demo as placement_demo
from satuatap.placement import services as placement_services
from satuatap.placement.models import JobOrder
from satuatap.reference.models import Agency, Office, Region
from satuatap.registry import services as registry_services
from satuatap.registry.models import Worker

DEMO_PASSWORD = "demo-satuatap-2026"
DEMO_OFFICES = ("LTSA-IDM", "LTSA-SBY", "LTSA-LPG", "LTSA-NNK", "LTSA-LTM", "LTSA-CLP")
# Order in which a demo candidate goes through the desks (a topological order of the P2P DAG).
JOURNEY_ORDER = ("REG", "SEL", "MED", "BPJS", "SKCK", "CERT", "BANK", "PA", "PK", "PASS", "VISA", "OPP", "CARD",
                 "DEP")

FIRST = ("Siti", "Nur", "Dewi", "Sri", "Ani", "Rina", "Wati", "Yuli", "Lestari", "Ayu", "Budi", "Agus", "Slamet",
         "Eko", "Joko", "Rudi", "Hendra", "Dedi", "Iwan", "Ahmad", "Made", "Komang", "Yohana", "Maria", "Fitri")
LAST = ("Rahayu", "Wulandari", "Susanti", "Handayani", "Kurniawan", "Saputra", "Hidayat", "Nugroho", "Setiawan",
        "Pratama", "Purnomo", "Lestari", "Sembiring", "Siregar", "Manurung", "Wijaya", "Hasanah", "Fauziah")
MOBILE_PREFIXES = ("812", "813", "821", "822", "852", "853", "857", "858", "877", "878")
# Legal demo job orders (placement.demo) the demo candidates are placed on.
DEMO_JOB_ORDERS = ("JO-DEMO-TW-001", "JO-DEMO-HK-001")


def short(office_code: str) -> str:
    return office_code.split("-", 1)[1].lower()


@dataclass
class DemoResult:
    created: bool
    users: list[tuple[str, str, str]]  # username, role, where
    token: str | None
    cases: int


def _user(username: str, **kwargs) -> User:
    existing = User.objects.filter(username=username).first()
    return existing or account_services.user_create(username=username, password=DEMO_PASSWORD, **kwargs)


def checkpoint_officers() -> list[User]:
    """The checkpoint officers the cards demo posts at airports and borders (none before it runs)."""
    return list(User.objects.filter(role=Role.CHECKPOINT_OFFICER).order_by("username"))


def ensure_users() -> list[tuple[str, str, str]]:
    """Admin, national and provincial monitors, and for each demo office its head and one officer per desk."""
    rows: list[tuple[str, str, str]] = []
    _user("admin", role=Role.ADMIN, first_name="Admin")
    rows.append(("admin", "admin", "-"))
    _user("auditor", role=Role.AUDITOR, first_name="Auditor")
    rows.append(("auditor", "auditor", "-"))
    _user("pemantau.nasional", role=Role.MONITOR, first_name="Pemantau Nasional")
    rows.append(("pemantau.nasional", "monitor", "Indonesia"))
    for code, label in (("32", "jabar"), ("35", "jatim")):
        region = Region.objects.get(code=code)
        _user(f"pemantau.{label}", role=Role.MONITOR, region=region, first_name=f"Pemantau {region.name}")
        rows.append((f"pemantau.{label}", "monitor", region.name))
    for office in Office.objects.filter(code__in=DEMO_OFFICES).prefetch_related("desks").order_by("code"):
        prefix = short(office.code)
        _user(f"{prefix}.kepala", role=Role.OFFICE_HEAD, office=office, first_name=f"Kepala {office.name}")
        rows.append((f"{prefix}.kepala", "office_head", office.name))
        for agency in office.desks.all().order_by("sort_order"):
            username = f"{prefix}.{agency.code.lower()}"
            _user(username, role=Role.DESK_OFFICER, office=office, agency=agency,
                  first_name=f"Petugas {agency.code}")
            rows.append((username, f"desk_officer {agency.code}", office.name))
    return rows


def make_nik(rng: random.Random, district_code: str, birth_date: dt.date, sex: str, used: set[str]) -> str:
    """A structurally valid NIK for a district, birth date and sex (women: day + 40)."""
    day = birth_date.day + (40 if sex == "P" else 0)
    while True:
        nik = f"{district_code.replace('.', '')}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}" \
              f"{rng.randint(1, 9999):04d}"
        if nik not in used and not Worker.objects.filter(nik=nik).exists():
            used.add(nik)
            return nik


def sample_outcome(outcome_type: str, rng: random.Random, today: dt.date, *, unfit: bool = False) -> dict:
    n = rng.randint(100000, 999999)
    later = (today + dt.timedelta(days=rng.randint(60, 150))).isoformat()
    return {
        "registration": {"identity_checked": True, "anti_trafficking_interview": True},
        "selection": {"passed": True, "selected_by": "PT Demo Penempatan"},
        "medical": ({"result": "unfit", "certificate_number": f"MED-{n}", "note": "hasil tidak layak (demo)"}
                    if unfit else {"result": "fit", "certificate_number": f"MED-{n}", "valid_until": later}),
        "certificate": {"certificate_number": f"KOMP-{n}", "issuer": "LSP Demo"},
        "agreement": {"agreement_number": f"PP-{n}"},
        "police": {"skck_number": f"SKCK/{n}", "valid_until": later},
        "passport": {"passport_number": f"E{n}{rng.randint(0, 9)}",
                     "expiry": (today + dt.timedelta(days=5 * 365)).isoformat()},
        "bpjs": {"membership_number": f"{rng.randint(10**10, 10**11 - 1)}", "programs": ["JKK", "JKM"]},
        "visa": {"visa_number": f"V{n}", "visa_type": "work"},
        "contract": {"contract_number": f"PK-{n}", "employer_name": "Employer Demo Ltd", "contract_months": 24},
        "orientation": {"certificate_number": f"OPP-{n}"},
        "card": {"card_number": f"KPMI-{n}"},
        "departure": {"checkpoint": "Bandara Soekarno-Hatta", "departed_on": today.isoformat(),
                      "flight_or_vessel": f"GA{rng.randint(100, 999)}"},
        "bank": {"bank_name": "Bank Demo", "account_number": f"{rng.randint(10**9, 10**10 - 1)}"},
    }.get(outcome_type, {})


def _actor_for(office: Office, agency_id: str, desks: set[str]) -> User:
    prefix = short(office.code)
    if agency_id in desks:
        return User.objects.get(username=f"{prefix}.{agency_id.lower()}")
    return User.objects.get(username=f"{prefix}.kepala")


def drive_case(case: Case, stage: int, rng: random.Random, *, twist: str | None = None) -> None:
    """Take a case through the first `stage` steps of the journey, with an optional twist at the end."""
    office = case.office
    desks = set(office.desks.values_list("pk", flat=True))
    today = timezone.localdate()
    codes = [c for c in JOURNEY_ORDER if case.steps.filter(code=c).exists()][:stage]
    for i, code in enumerate(codes):
        step = case.steps.select_related("definition").get(code=code)
        if step.state != StepState.READY:
            continue
        actor = _actor_for(office, step.agency_id, desks)
        last = i == len(codes) - 1
        journey_services.step_start(actor=actor, case_number=case.number, step_code=code)
        if last and twist == "in_progress":
            return
        if last and twist == "reject":
            journey_services.step_reject(actor=actor, case_number=case.number, step_code=code,
                                         reason="Dokumen belum lengkap (demo)")
            return
        unfit = last and twist == "unfit" and code == "MED"
        journey_services.step_complete(actor=actor, case_number=case.number, step_code=code,
                                       outcome=sample_outcome(step.definition.outcome_type, rng, today, unfit=unfit))
        if unfit:
            return


def ensure_cases(count: int = 200, *, seed: int = 2026, progress: Callable[[int], None] | None = None) -> int:
    """Register `count` candidates and open their cases, each taken to a different stage of the journey."""
    existing = Case.objects.filter(office_id__in=DEMO_OFFICES).count()
    if existing >= count:
        return 0
    if not JobOrder.objects.filter(number__in=DEMO_JOB_ORDERS).exists():
        placement_services.placement_reference_load()
        placement_demo.ensure_placement_demo()
    rng = random.Random(seed + existing)
    offices = list(Office.objects.filter(code__in=DEMO_OFFICES).select_related("regency").order_by("code"))
    districts = {
        o.code: list(Region.objects.filter(parent_id=o.regency_id).values_list("code", flat=True)) for o in offices
    }
    today = timezone.localdate()
    used: set[str] = set()
    made = 0
    for i in range(existing, count):
        office = offices[i % len(offices)]
        registrar = User.objects.get(username=f"{short(office.code)}.disnaker")
        sex = "P" if rng.random() < 0.62 else "L"  # ~61 % of placements are women (DOMAIN.md, 2024)
        birth = today - dt.timedelta(days=rng.randint(19 * 365 + 30, 45 * 365))
        district = rng.choice(districts[office.code])
        with transaction.atomic():
            worker = registry_services.worker_register(
                actor=registrar,
                nik=make_nik(rng, district, birth, sex, used),
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                birth_place=Region.objects.get(code=office.regency_id).name.replace("Kabupaten ", "").replace(
                    "Kota ", ""),
                birth_date=birth,
                sex=sex,
                district_code=district,
                phone=f"+62{rng.choice(MOBILE_PREFIXES)}{rng.randint(10**7, 10**8 - 1)}",
                education=rng.choice(["smp", "sma", "sma", "sd", "d3"]),
                marital_status=rng.choice(["single", "married", "divorced"]),
                address=f"Dusun {rng.randint(1, 9)} RT {rng.randint(1, 12):02d}/RW {rng.randint(1, 6):02d}",
            )
            registry_services.family_consent_record(
                actor=registrar, worker=worker, consenter_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                relation="spouse" if worker.marital_status == "married" else "mother",
                consent_date=today - dt.timedelta(days=rng.randint(3, 40)),
                village_head_acknowledged=True, village_head_name=f"Kuwu {rng.choice(LAST)}",
            )
            case = journey_services.case_open(actor=registrar, worker=worker, office_code=office.code,
                                              scheme="P2P", job_order_number=DEMO_JOB_ORDERS[i % 2])
            # Every stage from "just opened" to "departed" is represented, with a few rejections,
            # unfit results and steps left in progress.
            stage = i % (len(JOURNEY_ORDER) + 1)
            twist = None
            roll = rng.random()
            if stage and roll < 0.08:
                twist = "reject"
            elif stage and roll < 0.2:
                twist = "in_progress"
            if stage == 3 and rng.random() < 0.5:
                twist = "unfit"
            drive_case(case, stage, rng, twist=twist)
        made += 1
        if progress:
            progress(1)
    return made


def age_open_steps(*, share: float = 0.25, seed: int = 7) -> int:
    """Make some demo steps look waiting for a while, so overdue marks can be seen.

    Only the SLA dates of ready/in-progress steps of demo offices move (not states, not events).
    """
    rng = random.Random(seed)
    moved = 0
    steps = Step.objects.filter(case__office_id__in=DEMO_OFFICES, state__in=[StepState.READY, StepState.IN_PROGRESS])
    for step in steps.only("pk", "ready_at", "due_on"):
        if rng.random() < share and step.due_on and step.ready_at:
            days = rng.randint(3, 20)
            Step.objects.filter(pk=step.pk).update(
                ready_at=step.ready_at - dt.timedelta(days=days), due_on=step.due_on - dt.timedelta(days=days)
            )
            moved += 1
    return moved


def demo_token() -> str | None:
    """A bearer token for the Indramayu manpower desk, created once (the secret can only be shown then)."""
    user = User.objects.get(username="idm.disnaker")
    if ApiToken.objects.filter(user=user, name="demo", revoked_at__isnull=True).exists():
        return None
    _, secret = account_services.api_token_create(user=user, name="demo")
    return secret


def ensure_agencies_present() -> None:
    if not Agency.objects.exists() or not Office.objects.filter(code__in=DEMO_OFFICES).exists():
        raise RuntimeError("reference data missing: run `satuatap load-reference` first")
