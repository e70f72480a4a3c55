"""Registration wizard at the manpower desk: live NIK check, duplicate NIK, regions, consent, case opened."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from satuatap.journey.models import Case
from satuatap.reference.models import Region
from satuatap.registry.models import FamilyConsent, Worker
from tests import factories
from tests.web.conftest import as_user

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1998, 3, 14)


@pytest.fixture
def district():
    return Region.objects.filter(parent_id="32.12").order_by("code").first()


@pytest.fixture
def nik(district):
    return factories.valid_nik(district.code, BIRTH, "P", serial=4321)


def form_data(nik, district, **overrides):
    data = {
        "action": "register", "nik": nik, "name": "Siti Rahayu", "birth_place": "Indramayu",
        "birth_date": BIRTH.isoformat(), "sex": "P", "phone": "0812-3456-7890",
        "province": "32", "regency": "32.12", "district": district.code, "address": "Dusun 3 RT 01/RW 02",
        "education": "sma", "marital_status": "single",
        "consenter_name": "Sarinah", "relation": "mother", "consent_date": timezone.localdate().isoformat(),
        "village_head_acknowledged": "on", "village_head_name": "Kuwu Darma",
        "scheme": "P2P", "destination_country": "HK", "job_order_number": factories.job_order().number,
    }
    data.update(overrides)
    return data


def test_page_has_every_section_and_works_without_js(desks):
    html = as_user(desks["DISNAKER"]).get("/register/").content.decode()
    for anchor in ('id="register-form"', 'id="nik-check-button"', 'formnovalidate', 'id="regions-update"',
                   'id="region-fields"', 'for="id_consenter_name"', 'id="register-submit"', 'value="P2P"'):
        assert anchor in html, anchor
    assert 'hx-get="/register/nik-check/"' in html


def test_live_nik_check_fills_birth_date_sex_and_region(desks, nik, district):
    client = as_user(desks["DISNAKER"])
    r = client.get("/register/nik-check/", {"nik": nik}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html
    assert 'data-state="valid"' in html and "14 Maret 1998" in html
    assert 'hx-swap-oob="true"' in html
    assert f'value="{BIRTH.isoformat()}"' in html
    assert 'value="P" id="id_sex_0" checked' in html or ('value="P"' in html and "checked" in html)
    assert f'<option value="{district.code}" selected>' in html and '<option value="32.12" selected>' in html


def test_short_and_invalid_nik(desks):
    client = as_user(desks["DISNAKER"])
    html = client.get("/register/nik-check/", {"nik": "3212"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="incomplete"' in html and "hx-swap-oob" not in html
    html = client.get("/register/nik-check/", {"nik": "3212016713980001"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="invalid"' in html and "bukan tanggal yang ada" in html


def test_duplicate_nik_links_to_the_existing_case(desks, case):
    client = as_user(desks["DISNAKER"])
    html = client.get("/register/nik-check/", {"nik": case.worker.nik}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="duplicate"' in html and case.worker.name in html
    assert f'href="/cases/{case.number}/"' in html and 'id="duplicate-case-link"' in html


def test_nik_check_without_js(desks, nik, district):
    client = as_user(desks["DISNAKER"])
    r = client.post("/register/", {"action": "check", "nik": nik, "name": "Siti"})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-state="valid"' in html
    assert f'value="{BIRTH.isoformat()}"' in html and 'value="Siti"' in html
    assert f'<option value="{district.code}" selected>' in html
    assert not Worker.objects.filter(nik=nik).exists()


def test_region_lists_cascade(desks):
    client = as_user(desks["DISNAKER"])
    html = client.get("/register/regions/", {"province": "32"}, HTTP_HX_REQUEST="true").content.decode()
    assert '<option value="32.12">' in html and '<option value="35.78">' not in html
    html = client.get("/register/regions/", {"province": "32", "regency": "32.12"}, HTTP_HX_REQUEST="true")
    assert '<option value="32.12.01"' in html.content.decode()
    # a regency of another province is dropped when the province changes
    html = client.get("/register/regions/", {"province": "35", "regency": "32.12"}).content.decode()
    assert '<option value="32.12" selected>' not in html and '<option value="35.78">' in html


def test_happy_path_registers_records_consent_and_opens_the_case(desks, nik, district):
    client = as_user(desks["DISNAKER"])
    r = client.post("/register/", form_data(nik, district))
    assert r.status_code == 302, r.content.decode()[:3000]
    worker = Worker.objects.get(nik=nik)
    assert worker.phone == "+6281234567890" and worker.district_id == district.code
    assert FamilyConsent.objects.filter(worker=worker, relation="mother", village_head_acknowledged=True).exists()
    case = Case.objects.get(worker=worker)
    assert case.office_id == "LTSA-IDM" and case.destination_country == "HK" and case.scheme == "P2P"
    assert r["Location"] == f"/register/done/{case.number}/"
    html = client.get(r["Location"]).content.decode()
    assert f'href="/status/slip/{case.number}.pdf"' in html and case.number in html


def test_service_errors_land_on_their_field_and_keep_input(desks, nik, district):
    client = as_user(desks["DISNAKER"])
    r = client.post("/register/", form_data(nik, district, sex="L", phone="12"))
    html = r.content.decode()
    assert r.status_code == 422
    assert 'id="id_nik_error"' in html and "Jenis kelamin tidak cocok dengan NIK" in html
    assert 'value="Siti Rahayu"' in html and 'value="Kuwu Darma"' in html
    assert not Worker.objects.filter(nik=nik).exists()
    r = client.post("/register/", form_data(nik, district, phone="12"))
    html = r.content.decode()
    assert r.status_code == 422 and 'id="id_phone_error"' in html and "tidak valid" in html
    # nothing half-done: the worker of a refused registration is not kept
    assert not Worker.objects.filter(nik=nik).exists()
    r = client.post("/register/", form_data(nik, district, village_head_name=""))
    assert r.status_code == 422 and 'id="id_village_head_name_error"' in r.content.decode()
    assert not Worker.objects.filter(nik=nik).exists()


def test_missing_fields_are_marked(desks, nik, district):
    r = as_user(desks["DISNAKER"]).post("/register/", form_data(nik, district, name="", consent_date=""))
    html = r.content.decode()
    assert r.status_code == 422 and 'id="id_name_error"' in html and 'id="id_consent_date_error"' in html


def test_duplicate_registration_is_refused_with_a_link(desks, case, district):
    w = case.worker
    r = as_user(desks["DISNAKER"]).post("/register/", form_data(
        w.nik, district, birth_date=w.birth_date.isoformat(), sex=w.sex))
    html = r.content.decode()
    assert r.status_code == 409 and "sudah terdaftar" in html and f'href="/cases/{case.number}/"' in html


def test_open_a_new_case_for_a_known_worker(desks, case):
    from satuatap.journey import services

    services.case_cancel(actor=desks["HEAD"], case_number=case.number, reason="mengundurkan diri")
    client = as_user(desks["DISNAKER"])
    html = client.get("/register/nik-check/", {"nik": case.worker.nik}, HTTP_HX_REQUEST="true").content.decode()
    assert f'href="/register/workers/{case.worker.pk}/open/"' in html
    tw = factories.job_order("JO-TEST-TW", country="TW")
    r = client.post(f"/register/workers/{case.worker.pk}/open/",
                    {"scheme": "P2P", "destination_country": "TW", "job_order_number": tw.number})
    assert r.status_code == 302
    assert Case.objects.filter(worker=case.worker, status="open", destination_country="TW").exists()


def test_a_case_refused_by_the_rules_says_why_next_to_the_job_order(desks, nik, district):
    r = as_user(desks["DISNAKER"]).post("/register/", form_data(nik, district, job_order_number=""))
    assert r.status_code == 409
    html = r.content.decode()
    assert "job order" in html.lower() and "id_job_order_number_error" in html
    assert not Case.objects.exists()  # nothing half-written: no worker case


def test_only_manpower_desk_and_head_register(desks):
    r = as_user(desks["DINKES"]).get("/register/")
    assert r.status_code == 403
    assert as_user(desks["HEAD"]).get("/register/").status_code == 200
    nav = as_user(desks["DINKES"]).get("/desk/").content.decode()
    assert 'id="nav-register"' not in nav
