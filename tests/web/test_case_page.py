"""The case page: masking by role, the DAG, step forms with outcome fields, errors kept next to fields."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from satuatap.journey import services
from satuatap.journey.models import Event, Step, StepDocument, StepState
from tests import factories
from tests.web.conftest import as_user, do_step

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def page(client, case) -> str:
    r = client.get(f"/cases/{case.number}/")
    assert r.status_code == 200, r.content[:500]
    return r.content.decode()


def post(client, case, code, action, data):
    return client.post(f"/cases/{case.number}/steps/{code}/{action}/", data)


def version(case, code) -> int:
    return Step.objects.get(case=case, code=code).version


def test_nik_masked_for_the_health_desk_and_full_for_manpower(desks, case):
    html = page(as_user(desks["DINKES"]), case)
    assert case.worker.nik not in html and 'id="worker-nik"' in html
    assert case.worker.nik[:6] + "********" + case.worker.nik[-2:] in html
    assert case.worker.nik in page(as_user(desks["DISNAKER"]), case)
    assert case.worker.nik in page(as_user(desks["HEAD"]), case)


def test_medical_outcome_hidden_from_other_desks(desks, case):
    do_step(desks, case, "REG")
    do_step(desks, case, "MED", certificate_number="MED-RAHASIA-1")
    html = page(as_user(desks["BPJSTK"]), case)
    assert "MED-RAHASIA-1" not in html and 'id="step-MED-outcome-hidden"' in html
    assert "MED-RAHASIA-1" in page(as_user(desks["DINKES"]), case)
    assert "MED-RAHASIA-1" in page(as_user(desks["HEAD"]), case)


def test_journey_drawn_as_a_dag_with_every_step(desks, case):
    html = page(as_user(desks["DISNAKER"]), case)
    assert 'id="journey-dag"' in html
    for code in ("REG", "SEL", "MED", "PA", "PASS", "VISA", "OPP", "CARD", "DEP"):
        assert f'data-node="{code}"' in html and f'data-step="{code}"' in html
    assert html.count("<path d=") >= 18  # one edge per prerequisite
    assert 'id="event-table"' in html and 'data-event="case_opened"' in html


def test_actions_follow_the_role(desks, case):
    html = page(as_user(desks["DISNAKER"]), case)
    assert 'id="start-REG"' in html and 'id="complete-REG"' in html and 'id="reject-REG"' in html
    assert 'id="waive-REG"' not in html and 'id="upload-REG"' in html
    html = page(as_user(desks["DINKES"]), case)
    assert 'id="start-REG"' not in html and 'id="complete-REG"' not in html
    monitor = as_user(factories.monitor("32"))
    assert 'id="reason-form"' in page(monitor, case)  # a named record: the monitor says why first
    monitor.post(f"/cases/{case.number}/reason/", {"reason": "Pemeriksaan sampel kasus triwulan"})
    html = page(monitor, case)
    assert '<form method="post" action="/cases/' not in html and 'id="journey-dag"' in html


def test_start_then_complete_through_the_form(desks, case):
    client = as_user(desks["DISNAKER"])
    r = post(client, case, "REG", "start", {"expected_version": version(case, "REG")})
    assert r.status_code == 302 and r["Location"].endswith("#step-REG")
    assert Step.objects.get(case=case, code="REG").state == StepState.IN_PROGRESS
    html = page(client, case)
    assert "Langkah REG dimulai." in html
    assert 'name="reg-complete-identity_checked"' in html and '<details class="action" open>' in html
    r = post(
        client,
        case,
        "REG",
        "complete",
        {
            "expected_version": version(case, "REG"),
            "reg-complete-identity_checked": "on",
            "reg-complete-anti_trafficking_interview": "on",
            "reg-complete-job_order_number": "JO-77",
            "reg-complete-note": "lengkap",
        },
    )
    assert r.status_code == 302
    step = Step.objects.get(case=case, code="REG")
    assert step.state == StepState.DONE and step.outcome["job_order_number"] == "JO-77"
    assert step.actor == desks["DISNAKER"]


def test_bad_outcome_shows_the_error_next_to_the_field_and_keeps_input(desks, case):
    do_step(desks, case, "REG")
    client = as_user(desks["BPJSTK"])
    r = post(
        client,
        case,
        "BPJS",
        "complete",
        {
            "expected_version": version(case, "BPJS"),
            "bpjs-complete-membership_number": "12345",
            "bpjs-complete-programs": ["JKK", "JKM"],
            "bpjs-complete-note": "catatan petugas",
        },
    )
    html = r.content.decode()
    assert r.status_code == 422
    assert 'id="step-BPJS-error"' in html and "Data hasil langkah tidak lengkap atau tidak valid." in html
    assert 'id="id_bpjs-complete-membership_number_error"' in html and "Format tidak valid." in html
    assert 'value="12345"' in html and "catatan petugas" in html
    assert 'aria-invalid="true"' in html
    assert Step.objects.get(case=case, code="BPJS").state == StepState.READY


def test_rule_errors_of_the_outcome_model_land_on_their_field(desks, case):
    do_step(desks, case, "REG")
    client = as_user(desks["DINKES"])
    base = {"expected_version": version(case, "MED"), "med-complete-certificate_number": "MED-9"}
    r = post(client, case, "MED", "complete", {**base, "med-complete-result": "fit"})
    html = r.content.decode()
    assert r.status_code == 422
    assert 'id="id_med-complete-valid_until_error"' in html and "Wajib jika hasilnya layak." in html
    # an expired validity comes back as the service's own message on that field
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    r = post(
        client, case, "MED", "complete", {**base, "med-complete-result": "fit", "med-complete-valid_until": yesterday}
    )
    html = r.content.decode()
    assert r.status_code == 422 and "Dokumen sudah tidak berlaku" in html and f'value="{yesterday}"' in html
    # a missing choice is caught by the form itself, the typed certificate number is kept
    r = post(client, case, "MED", "complete", base)
    html = r.content.decode()
    assert r.status_code == 422 and 'id="id_med-complete-result_error"' in html and 'value="MED-9"' in html


def test_stale_version_gets_the_conflict_message(desks, case):
    client = as_user(desks["DISNAKER"])
    old = version(case, "REG")
    services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="REG")
    r = post(client, case, "REG", "reject", {"expected_version": old, "reg-reject-reason": "berkas kurang"})
    html = r.content.decode()
    assert r.status_code == 409
    assert "sudah diubah orang lain" in html and 'id="step-REG-error"' in html
    assert "berkas kurang" in html  # what the officer typed is kept
    assert Step.objects.get(case=case, code="REG").state == StepState.IN_PROGRESS


def test_reject_needs_a_reason(desks, case):
    client = as_user(desks["DISNAKER"])
    r = post(client, case, "REG", "reject", {"expected_version": version(case, "REG"), "reg-reject-reason": "x"})
    assert r.status_code == 422
    r = post(
        client,
        case,
        "REG",
        "reject",
        {"expected_version": version(case, "REG"), "reg-reject-reason": "KTP tidak terbaca"},
    )
    assert r.status_code == 302
    step = Step.objects.get(case=case, code="REG")
    assert step.state == StepState.REJECTED and step.reason == "KTP tidak terbaca"


def test_waive_only_for_the_office_head(desks, case):
    do_step(desks, case, "REG")
    officer = as_user(desks["POLRI"])
    assert 'id="waive-SKCK"' not in page(officer, case)
    r = post(
        officer, case, "SKCK", "waive", {"expected_version": version(case, "SKCK"), "skck-waive-reason": "tidak perlu"}
    )
    assert r.status_code == 403 and "Hanya kepala kantor" in r.content.decode()
    head = as_user(desks["HEAD"])
    html = page(head, case)
    assert 'id="waive-SKCK"' in html and 'id="waive-CARD"' not in html  # CARD can never be waived
    r = post(
        head,
        case,
        "SKCK",
        "waive",
        {"expected_version": version(case, "SKCK"), "skck-waive-reason": "Negara tujuan tidak mensyaratkan SKCK"},
    )
    assert r.status_code == 302
    assert Step.objects.get(case=case, code="SKCK").state == StepState.WAIVED


def test_upload_refused_type_shows_message_and_good_file_is_listed(desks, case):
    client = as_user(desks["DISNAKER"])
    url = f"/cases/{case.number}/steps/REG/documents/"
    r = client.post(url, {"reg-doc-file": SimpleUploadedFile("foto.png", b"GIF89a" + b"\x00" * 20)})
    html = r.content.decode()
    assert r.status_code == 422 and "Jenis berkas tidak diterima" in html and 'id="id_reg-doc-file_error"' in html
    assert not StepDocument.objects.exists()
    r = client.post(url, {"reg-doc-file": SimpleUploadedFile("ktp.pdf", PDF)})
    assert r.status_code == 302
    doc = StepDocument.objects.get()
    html = page(client, case)
    assert f'href="/documents/{doc.pk}/"' in html and "ktp.pdf" in html
    r = client.get(f"/documents/{doc.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert r["Content-Type"] == "application/pdf" and "attachment" in r["Content-Disposition"]
    assert Event.objects.filter(case=case, kind="document_attached").exists()
    # another desk sees the document listed but cannot open it
    other = as_user(desks["DINKES"])
    html = page(other, case)
    assert "ktp.pdf" in html and f'href="/documents/{doc.pk}/"' not in html
    assert other.get(f"/documents/{doc.pk}/").status_code == 403


def test_other_office_cannot_read_the_case(desks, case):
    r = as_user(factories.officer("LTSA-SBY", "DISNAKER")).get(f"/cases/{case.number}/")
    assert r.status_code == 403 and "tidak berwenang" in r.content.decode()
    assert as_user(desks["DISNAKER"]).get("/cases/LTSA-IDM-1999-999999/").status_code == 404


def test_head_cancels_a_case(desks, case):
    head = as_user(desks["HEAD"])
    assert 'id="cancel-case-submit"' in page(head, case)
    assert 'id="cancel-case-submit"' not in page(as_user(desks["DISNAKER"]), case)
    r = head.post(f"/cases/{case.number}/cancel/", {"cancel-reason": "Calon mengundurkan diri"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "cancelled"


def test_step_of_a_desk_the_office_lacks_is_recorded_by_the_head(db):
    officer = factories.officer("LTSA-NNK", "DISNAKER")
    head = factories.head("LTSA-NNK")
    nnk_case = services.case_open(
        job_order_number=factories.job_order().number,
        actor=officer,
        worker=factories.worker("65.03"),
        office_code="LTSA-NNK",
        scheme="P2P",
    )
    html = as_user(head).get(f"/cases/{nnk_case.number}/").content.decode()
    # Nunukan has no immigration desk: PASS shows the note, and the head gets its forms once it is ready
    assert "tidak ada loket di kantor ini" in html


def test_case_page_stays_small(desks, case):
    import gzip

    do_step(desks, case, "REG")
    r = as_user(desks["HEAD"]).get(f"/cases/{case.number}/")
    assert len(gzip.compress(r.content)) < 100_000
