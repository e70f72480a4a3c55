"""The fixture world the access matrix is walked in: two offices, one user per role, and the objects the rows
address (`world.ids`). Built once per walk; each cell then runs in a savepoint that is rolled back."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.utils import timezone

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role
from satuatap.reference.models import Region
from tests import factories
from tests.config.matrix import ROLES

OFFICE_A = "LTSA-IDM"
OFFICE_B = "LTSA-SBY"
AGENCIES = ("DISNAKER", "INFO", "DUKCAPIL", "DINKES", "IMIGRASI", "POLRI", "BANK", "BPJSTK", "BP3MI")
# Small valid PDF (the upload checks look at the content).
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        if role not in self.clients:
            client = Client(raise_request_exception=False)
            user = self.users.get(role)
            if user is not None:
                # Every logged-in user has passed the second factor: the matrix is about roles, not login steps.
                factories.otp_login(client, user)
            self.clients[role] = client
        return self.clients[role]


def _user(username: str, role: str, **kw):
    return account_services.user_create(username=username, password=None, role=role, **kw)


def build_world(app_modules=()) -> World:
    from satuatap.crisis import services as crisis_services
    from satuatap.journey import services as journey_services
    from satuatap.notify.models import Message
    from satuatap.placement.models import Company, CompanyMembership, Decision
    from satuatap.reference.models import Agency, Office
    from satuatap.registry import services as registry_services

    w = World()
    u = w.users
    office_a, office_b = Office.objects.get(code=OFFICE_A), Office.objects.get(code=OFFICE_B)
    for code in AGENCIES:
        u[f"desk_{code.lower()}"] = _user(f"m.desk.{code.lower()}", Role.DESK_OFFICER, office=office_a,
                                          agency=Agency.objects.get(code=code))
    u["desk_disnaker_b"] = _user("m.desk.disnaker.b", Role.DESK_OFFICER, office=office_b,
                                 agency=Agency.objects.get(code="DISNAKER"))
    u["head"] = _user("m.head", Role.OFFICE_HEAD, office=office_a)
    u["head_b"] = _user("m.head.b", Role.OFFICE_HEAD, office=office_b)
    u["monitor"] = _user("m.monitor", Role.MONITOR)
    u["monitor_region"] = _user("m.monitor.32", Role.MONITOR, region=Region.objects.get(code="32"))
    u["monitor_other"] = _user("m.monitor.35", Role.MONITOR, region=Region.objects.get(code="35"))
    u["checkpoint"] = _user("m.checkpoint", Role.CHECKPOINT_OFFICER)
    u["auditor"] = _user("m.auditor", Role.AUDITOR)
    u["admin"] = _user("m.admin", Role.ADMIN)
    # Company users are created as monitors (as the placement admin does) with a company membership.
    job_order = factories.job_order()
    company = job_order.company
    today = timezone.localdate()
    other_company = Company.objects.create(
        name="PT Lain Matrix", licence_number="SIP3MI/MATRIX-2", licence_valid_from=today.replace(year=2024),
        licence_valid_to=today.replace(year=today.year + 4), status="active")
    u["company"] = _user("m.company", Role.MONITOR)
    CompanyMembership.objects.create(user=u["company"], company=company)
    u["company_other"] = _user("m.company.other", Role.MONITOR)
    CompanyMembership.objects.create(user=u["company_other"], company=other_company)
    assert set(u) | {"anonymous"} == set(ROLES), sorted(set(ROLES) ^ (set(u) | {"anonymous"}))

    worker = factories.worker("32.12")
    case = factories.open_case(u["desk_disnaker"], worker, OFFICE_A)
    journey_services.step_start(actor=u["desk_disnaker"], case_number=case.number, step_code="REG")
    document = journey_services.step_document_attach(actor=u["desk_disnaker"], case_number=case.number,
                                                     step_code="REG", filename="ktp.pdf", content=PDF)
    worker_b = factories.worker("35.78")
    case_b = factories.open_case(u["desk_disnaker_b"], worker_b, OFFICE_B)
    correction = registry_services.correction_request_create(
        actor=u["desk_disnaker"], worker=worker, changes={"phone": "0812-1111-2222"}, reason="nomor baru pekerja")
    complaint = crisis_services.complaint_register(channel="web_form", data=crisis_services.ComplaintInput(
        complainant_type="family", complainant_relation="parent", complainant_name="Sumiati",
        complainant_phone="0812-3456-7890", worker_name="Siti Aminah", category="wages_unpaid",
        description="Gaji belum dibayar selama empat bulan oleh majikan.", country="HK",
        company=company.name, employer="Mr Chan, Kowloon"))
    decision = Decision.objects.filter(case_ref=case.number).order_by("-pk").first()
    message = Message.objects.order_by("pk").first()
    w.objects.update(worker=worker, case=case, case_b=case_b, document=document, company=company,
                     job_order=job_order, complaint=complaint.complaint, complaint_secret=complaint.secret)
    w.ids.update(
        office=OFFICE_A, office_b=OFFICE_B, worker=worker.pk, worker_b=worker_b.pk, case=case.number,
        case_b=case_b.number, document=document.pk, company=company.pk, company_other=other_company.pk,
        job_order=job_order.pk, job_order_number=job_order.number, employer=job_order.employer_id,
        complaint=complaint.complaint.reference, correction=correction.pk,
        decision=decision.pk if decision else 0, message=message.pk if message else 0,
        process=case.process.code, process_version=case.process.version,
        nik=worker.nik, today=today.isoformat(), year=today.year, yesterday=(today - dt.timedelta(days=1)).isoformat(),
    )
    for module in app_modules:
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(w)
    for role in ROLES:  # log in now, outside the cells' savepoints (a login inside one would be rolled back)
        w.client(role)
    return w


def matrix_modules():
    """Every `tests/config/matrix/<app>.py` module with ROWS."""
    import pkgutil

    import tests.config.matrix as package

    out = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name in ("world",) or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"tests.config.matrix.{info.name}")
        if hasattr(module, "ROWS"):
            out.append(module)
    return out
