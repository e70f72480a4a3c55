"""The worker's record page: a copy of the data for the worker (PDF/JSON, audited), correction requests taken by
any desk and decided by an identity desk or the head, NIK masked by role."""

from __future__ import annotations

import json

import pytest

from satuatap.accounts.models import AuditEntry
from satuatap.core.masking import mask_nik
from satuatap.registry.models import CorrectionRequest

from .conftest import as_user

pytestmark = pytest.mark.django_db


def test_record_page_masks_by_role_and_is_audited(desks, case):
    w = case.worker
    html = as_user(desks["DUKCAPIL"]).get(f"/workers/{w.pk}/").content.decode()
    assert w.nik in html and 'id="export-form"' in html
    html = as_user(desks["BANK"]).get(f"/workers/{w.pk}/").content.decode()
    assert w.nik not in html and mask_nik(w.nik) in html and 'id="export-form"' not in html
    assert AuditEntry.objects.filter(object_type="worker", subject_worker_id=w.pk, action="read").count() == 2
    # the case page links to it for office staff
    assert 'id="worker-record-link"' in as_user(desks["DISNAKER"]).get(f"/cases/{case.number}/").content.decode()


def test_export_downloads_and_is_audited(desks, case):
    w = case.worker
    url = f"/workers/{w.pk}/export/"
    r = as_user(desks["HEAD"]).post(url, {"export-format": "json", "export-reason": "pekerja datang"})
    assert r.status_code == 200 and json.loads(r.content)["worker"]["nik"] == w.nik
    r = as_user(desks["DISNAKER"]).post(url, {"export-format": "pdf", "export-reason": "pekerja datang"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="export", subject_worker_id=w.pk).count() == 2
    assert as_user(desks["BANK"]).post(f"/workers/{w.pk}/export/", {"export-format": "pdf", "export-reason": "x y z"}
                                       ).status_code == 403


def test_correction_taken_by_one_desk_decided_by_another(desks, case):
    w = case.worker
    r = as_user(desks["BPJSTK"]).post(f"/workers/{w.pk}/corrections/", {
        "correction-field": "birth_place", "correction-value": "Jatibarang",
        "correction-reason": "Akta kelahiran diperlihatkan"})
    assert r.status_code == 302
    correction = CorrectionRequest.objects.get(worker=w)
    html = as_user(desks["BPJSTK"]).get(f"/workers/{w.pk}/").content.decode()
    assert f'id="approve-{correction.pk}"' not in html  # not an identity desk
    assert as_user(desks["BPJSTK"]).post(f"/workers/corrections/{correction.pk}/approve/").status_code == 403
    r = as_user(desks["DUKCAPIL"]).post(f"/workers/corrections/{correction.pk}/approve/", {"note": ""})
    assert r.status_code == 302
    w.refresh_from_db()
    assert w.birth_place == "Jatibarang"
    assert CorrectionRequest.objects.get(pk=correction.pk).status == "approved"


def test_roles_outside_the_offices_have_no_worker_page(desks, case):
    from tests import factories

    assert as_user(factories.monitor("32")).get(f"/workers/{case.worker_id}/").status_code == 403


def test_an_admin_gives_a_reason_before_the_worker_record_opens(case):
    from django.test import Client

    from satuatap.accounts import services as account_services
    from tests import factories

    w = case.worker
    admin = account_services.user_create(username="adm-worker", password=None, role="admin")
    client = Client()
    factories.otp_login(client, admin)
    html = client.get(f"/workers/{w.pk}/").content.decode()
    assert 'id="reason-form"' in html and w.name not in html and w.nik not in html
    assert "Data pekerja ini di luar pekerjaan rutin Anda" in html  # Indonesian by default
    assert not AuditEntry.objects.filter(object_type="worker", subject_worker_id=w.pk, role="admin").exists()
    assert client.post(f"/workers/{w.pk}/reason/", {"reason": "singkat"}).status_code == 422
    r = client.post(f"/workers/{w.pk}/reason/", {"reason": "Laporan data ganda dari pemantau provinsi"})
    assert r.status_code == 302 and r["Location"] == f"/workers/{w.pk}/"
    html = client.get(f"/workers/{w.pk}/").content.decode()
    assert w.name in html and 'id="reason-form"' not in html
    entry = AuditEntry.objects.filter(object_type="worker", subject_worker_id=w.pk, role="admin").get()
    assert entry.reason == "Laporan data ganda dari pemantau provinsi" and entry.action == "read"
