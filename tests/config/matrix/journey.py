"""Cases API rows. The world's case is at office A with REG in progress (started by the manpower desk)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.config.matrix import Row, expect
from tests.config.matrix.world import PDF

REASON = {"X-Access-Reason": "pemeriksaan kepatuhan data pribadi"}
# Reading a case: office A's staff; monitors of its region and national monitors (with a reason: named record);
# admins with a reason; never another office, another region, companies, checkpoints or auditors.
READ = dict(anonymous=401, office_a=200, office_b=403, monitor=428, monitor_region=428, monitor_other=403,
            admin=428)
READ_WITH_REASON = {**READ, "monitor": 200, "monitor_region": 200, "admin": 200}


def setup(world):
    world.ids["worker_free"] = factories.worker("32.12").pk


def _fresh_case(world):
    """A new case of office A whose REG step nobody has started yet (made inside the cell's savepoint)."""
    case = factories.open_case(world.users["desk_disnaker"], factories.worker("32.12"), world.ids["office"])
    return {"case_fresh": case.number}


def _reg_outcome(world):
    step = world.objects["case"].steps.select_related("definition").get(code="REG")
    return {"outcome": factories.outcome(step.definition.outcome_type)}


def _upload(world):
    return {"file": SimpleUploadedFile("surat.pdf", PDF, content_type="application/pdf")}


C = "api/v1/cases/<case_number>"
ROWS = [
    Row("GET", "api/v1/cases/", "/api/v1/cases/",
        expect(403, anonymous=401, office_a=200, office_b=200, monitors=200, admin=200)),
    Row("POST", "api/v1/cases/", "/api/v1/cases/",
        expect(403, anonymous=401, desk_disnaker=201, head=201),
        data={"worker_id": "{worker_free}", "office": "{office}", "job_order_number": "{job_order_number}"},
        note="the manpower desk and the head of the office open cases there (not admins: no desk work)"),
    Row("GET", C, "/api/v1/cases/{case}", expect(403, **READ)),
    Row("GET", C, "/api/v1/cases/{case}", expect(403, **READ_WITH_REASON), headers=REASON),
    Row("GET", C, "/api/v1/cases/{case_b}",
        expect(403, anonymous=401, office_b=200, monitor=428, monitor_other=428, admin=428)),
    Row("POST", f"{C}/steps/<step_code>/start", "/api/v1/cases/{case_fresh}/steps/REG/start",
        expect(403, anonymous=401, desk_disnaker=200), prepare=_fresh_case,
        note="only the step's own desk at the case's office starts it (a fresh case per cell)"),
    Row("POST", f"{C}/steps/<step_code>/start", "/api/v1/cases/{case}/steps/MED/start",
        expect(403, anonymous=401, desk_dinkes=409),
        note="MED is still locked: its own desk passes the access check and gets 409, everyone else 403"),
    Row("POST", f"{C}/steps/<step_code>/complete", "/api/v1/cases/{case}/steps/REG/complete",
        expect(403, anonymous=401, desk_disnaker=200), data=_reg_outcome,
        note="the desk completes REG with a valid outcome"),
    Row("POST", f"{C}/steps/<step_code>/reject", "/api/v1/cases/{case}/steps/REG/reject",
        expect(403, anonymous=401, desk_disnaker=200), data={"reason": "dokumen tidak lengkap"}),
    Row("POST", f"{C}/steps/<step_code>/waive", "/api/v1/cases/{case}/steps/SKCK/waive",
        expect(403, anonymous=401, head=200), data={"reason": "tidak disyaratkan negara tujuan"},
        note="the office head waives steps of their office"),
    Row("POST", f"{C}/cancel", "/api/v1/cases/{case}/cancel",
        expect(403, anonymous=401, head=200), data={"reason": "calon mengundurkan diri"}),
    Row("POST", f"{C}/steps/<step_code>/documents", "/api/v1/cases/{case}/steps/REG/documents",
        expect(403, anonymous=401, desk_disnaker=201), data=_upload, json=False),
    Row("GET", "api/v1/cases/documents/<document_id>", "/api/v1/cases/documents/{document}",
        expect(403, anonymous=401, desk_disnaker=200, head=200, admin=428),
        note="the step's desk and the office head; an admin with a reason"),
]
