"""Field-level need to know, checked in every response that shows a worker: the full NIK only for the identity
desks (Disnaker, Dukcapil), office heads and admins; health outcome details (outcome, a medical step's reason,
its events) only for the health desk and the office head, not even for admins. API case read, case list and
step actions, the case page, the worklist, the case list page and the registry API."""

from __future__ import annotations

import pytest
from django.test import Client

from satuatap.accounts import services as account_services
from satuatap.accounts.services import api_token_create
from satuatap.core.masking import mask_nik
from satuatap.journey import services as journey_services
from tests import factories

from .conftest import as_user, do_step

pytestmark = pytest.mark.django_db
REASON = {"HTTP_X_ACCESS_REASON": "pemeriksaan kepatuhan data"}
SECRET_REASON = "TBC paru aktif"


@pytest.fixture
def med_rejected(desks, case):
    do_step(desks, case, "REG")
    journey_services.step_start(actor=desks["DINKES"], case_number=case.number, step_code="MED")
    journey_services.step_reject(actor=desks["DINKES"], case_number=case.number, step_code="MED",
                                 reason=SECRET_REASON)
    return case


@pytest.fixture
def med_done(desks, case):
    do_step(desks, case, "REG")
    do_step(desks, case, "MED", certificate_number="MED-RAHASIA-9")
    return case


def _api(user):
    _, secret = api_token_create(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}", **REASON}


def _admin():
    return account_services.user_create(username="adm-ntk", password=None, role="admin")


@pytest.mark.parametrize(("who", "full_nik", "health"), [
    ("DISNAKER", True, False), ("DUKCAPIL", True, False), ("DINKES", False, True), ("POLRI", False, False),
    ("BP3MI", False, False), ("HEAD", True, True), ("ADMIN", True, False),
])
def test_api_case_read_masks_nik_and_health(desks, med_done, who, full_nik, health):
    user = _admin() if who == "ADMIN" else desks[who]
    body = Client().get(f"/api/v1/cases/{med_done.number}", **_api(user)).json()
    nik = med_done.worker.nik
    assert body["worker"]["nik"] == (nik if full_nik else mask_nik(nik))
    med = next(s for s in body["steps"] if s["code"] == "MED")
    assert (med["outcome"].get("certificate_number") == "MED-RAHASIA-9") is health
    assert ("MED-RAHASIA-9" in str(body["events"])) is health
    listed = Client().get("/api/v1/cases/", **_api(user)).json()["items"]
    assert [c["worker"]["nik"] for c in listed] == [nik if full_nik else mask_nik(nik)]


@pytest.mark.parametrize(("who", "health"), [("DINKES", True), ("HEAD", True), ("DISNAKER", False),
                                             ("ADMIN", False)])
def test_medical_rejection_reason_is_health_data(desks, med_rejected, who, health):
    user = _admin() if who == "ADMIN" else desks[who]
    api = Client().get(f"/api/v1/cases/{med_rejected.number}", **_api(user)).content.decode()
    assert (SECRET_REASON in api) is health
    client = as_user(user)
    if who == "ADMIN":
        client.post(f"/cases/{med_rejected.number}/reason/", {"reason": "pemeriksaan kepatuhan data"})
    html = client.get(f"/cases/{med_rejected.number}/").content.decode()
    assert (SECRET_REASON in html) is health
    if not health:
        assert 'id="step-MED-reason-hidden"' in html


def test_case_page_worklist_and_case_list_mask_the_nik(desks, case):
    nik = case.worker.nik
    for who, full in (("DISNAKER", True), ("DUKCAPIL", True), ("BPJSTK", False), ("DINKES", False)):
        client = as_user(desks[who])
        assert (nik in client.get(f"/cases/{case.number}/").content.decode()) is full
        assert (nik in client.get("/cases/").content.decode()) is full
        worklist = client.get("/desk/").content.decode()
        assert nik not in worklist if not full else True
    monitor = as_user(factories.monitor("32"))
    assert nik not in monitor.get("/cases/").content.decode()


def test_registry_api_masks_for_other_desks(desks, case):
    nik = case.worker.nik
    for who, full in (("DISNAKER", True), ("INFO", False), ("BANK", False)):
        c = Client()
        c.force_login(desks[who])
        assert (nik in c.get(f"/api/v1/workers/{case.worker_id}").content.decode()) is full
        assert (nik in c.get("/api/v1/workers/", {"q": case.worker.name}).content.decode()) is full
