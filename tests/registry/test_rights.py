"""Data subject rights and the audit trail of the registry: reads and changes are audited, a worker's data is
exported as JSON and PDF, corrections go through a request that an identity desk decides, and closed records are
anonymised after the retention period while statistics keep their columns."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from satuatap.accounts.models import AuditEntry
from satuatap.core.errors import Conflict, PermissionDenied, ValidationFailed
from satuatap.journey import services as journey_services
from satuatap.registry import retention, services
from satuatap.registry.models import CorrectionRequest, Worker, WorkerEvent
from tests import factories

from .conftest import make_nik

pytestmark = pytest.mark.django_db
URL = "/api/v1/workers/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def registered(disnaker, worker_data):
    return services.worker_register(actor=disnaker, **worker_data)


# --- audit of reads and changes ------------------------------------------------------------------------------------

def test_registration_update_and_reads_are_audited(disnaker, dinkes, registered, settings):
    # The request context (client address for entries written inside services) comes from this middleware.
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "satuatap.core.audit_context.AuditContextMiddleware"]
    assert AuditEntry.objects.filter(action="create", object_type="worker", object_id=str(registered.pk),
                                     username=disnaker.username).exists()
    r = _client(disnaker).patch(f"{URL}{registered.pk}", {"phone": "0813-1111-2222"},
                                content_type="application/json", REMOTE_ADDR="10.9.8.7")
    assert r.status_code == 200
    update = AuditEntry.objects.get(action="update", object_type="worker")
    assert update.details["fields"] == ["phone"] and update.client_address == "10.9.8.7"
    event = WorkerEvent.objects.get(worker=registered, kind="updated")
    assert event.before == {"phone": "+628123456789"} and event.after == {"phone": "+6281311112222"}
    assert _client(dinkes).get(f"{URL}{registered.pk}").status_code == 200
    read = AuditEntry.objects.filter(action="read", object_type="worker", username=dinkes.username).get()
    assert read.subject_worker_id == registered.pk and read.path == f"{URL}{registered.pk}"


def test_admin_read_without_reason_is_428_and_with_reason_is_recorded(admin_user, registered):
    client = _client(admin_user)
    r = client.get(f"{URL}{registered.pk}")
    assert r.status_code == 428 and r.json()["code"] == "access_reason_required"
    assert client.get(f"{URL}{registered.pk}", HTTP_X_ACCESS_REASON="pengaduan nomor 12 dari keluarga"
                      ).status_code == 200
    assert AuditEntry.objects.get(username=admin_user.username).reason == "pengaduan nomor 12 dari keluarga"


@pytest.mark.parametrize("role", ["checkpoint_officer", "auditor"])
def test_roles_without_business_in_the_registry_are_refused(role, registered):
    from satuatap.accounts import services as account_services

    user = account_services.user_create(username=f"x-{role}", password=None, role=role)
    assert _client(user).get(f"{URL}{registered.pk}").status_code == 403
    assert _client(user).get(URL, {"q": "Siti"}).status_code == 403


# --- export --------------------------------------------------------------------------------------------------------

@pytest.fixture
def with_case(registered, disnaker):
    dinkes = factories.officer("LTSA-IDM", "DINKES")
    services.family_consent_record(actor=disnaker, worker=registered, consenter_name="Ibu Karsih",
                                   relation="mother", consent_date=dt.date(2026, 1, 5),
                                   village_head_acknowledged=True, village_head_name="Kuwu Darma")
    case = factories.open_case(disnaker, registered)
    for code, actor in (("REG", disnaker), ("MED", dinkes)):
        step = case.steps.select_related("definition").get(code=code)
        journey_services.step_start(actor=actor, case_number=case.number, step_code=code)
        journey_services.step_complete(actor=actor, case_number=case.number, step_code=code,
                                       outcome=factories.outcome(step.definition.outcome_type,
                                                                 certificate_number="MED-EKSPOR-7")
                                       if code == "MED" else factories.outcome(step.definition.outcome_type))
    return case


def test_export_json_holds_the_whole_record_and_is_audited(disnaker, registered, with_case):
    r = _client(disnaker).get(f"{URL}{registered.pk}/export", {"format": "json", "reason": "permintaan pekerja"})
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert "attachment" in r["Content-Disposition"]
    data = json.loads(r.content)
    assert data["worker"]["nik"] == registered.nik and data["worker"]["name"] == "Siti Aminah"
    assert data["family_consents"][0]["consenter_name"] == "Ibu Karsih"
    assert data["cases"][0]["number"] == with_case.number
    med = next(s for s in data["cases"][0]["steps"] if s["code"] == "MED")
    assert med["outcome"]["certificate_number"] == "MED-EKSPOR-7"  # the worker's own health data
    assert any(e["kind"] == "case_opened" for e in data["cases"][0]["events"])
    entry = AuditEntry.objects.get(action="export")
    assert entry.reason == "permintaan pekerja" and entry.details == {"format": "json"}
    assert WorkerEvent.objects.filter(worker=registered, kind="exported").exists()


def test_export_pdf_is_a_readable_pdf(office_head, registered, with_case):
    r = _client(office_head).get(f"{URL}{registered.pk}/export", {"format": "pdf", "reason": "permintaan pekerja"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert registered.nik in text and "Siti Aminah" in text and with_case.number in text


def test_export_needs_an_identity_role_and_a_reason(dinkes, disnaker, registered):
    assert _client(dinkes).get(f"{URL}{registered.pk}/export", {"reason": "permintaan"}).status_code == 403
    assert _client(disnaker).get(f"{URL}{registered.pk}/export").status_code == 422
    assert not AuditEntry.objects.filter(action="export").exists()


# --- corrections ---------------------------------------------------------------------------------------------------

def test_correction_request_then_approval_applies_the_change(dinkes, dukcapil, registered):
    r = _client(dinkes).post(f"{URL}{registered.pk}/corrections",
                             {"changes": {"name": "Siti Aminah Binti Karta"}, "reason": "KTP baru diperlihatkan"},
                             content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "requested" and body["fields"] == ["name"]
    registered.refresh_from_db()
    assert registered.name == "Siti Aminah"  # nothing changes before the decision
    # the health desk may take the request but not decide it
    assert _client(dinkes).post(f"{URL}corrections/{body['id']}/decide", {"action": "approve"},
                                content_type="application/json").status_code == 403
    r = _client(dukcapil).post(f"{URL}corrections/{body['id']}/decide", {"action": "approve", "expected_version": 1},
                               content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    registered.refresh_from_db()
    assert registered.name == "Siti Aminah Binti Karta"
    event = WorkerEvent.objects.get(worker=registered, kind="correction_approved")
    assert event.before == {"name": "Siti Aminah"} and event.actor == dukcapil
    assert AuditEntry.objects.filter(object_type="worker", action="update",
                                     details__correction=body["id"]).exists()
    # decided once only
    r = _client(dukcapil).post(f"{URL}corrections/{body['id']}/decide", {"action": "reject", "note": "x"},
                               content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "correction_already_decided"


def test_correction_with_a_wrong_nik_cannot_be_approved(disnaker, registered):
    c = services.correction_request_create(actor=disnaker, worker=registered,
                                           changes={"nik": make_nik(birth=dt.date(1990, 1, 1))},
                                           reason="NIK salah ketik")
    with pytest.raises(ValidationFailed):
        services.correction_decide(actor=disnaker, correction_id=c.pk, action="approve")
    c.refresh_from_db()
    assert c.status == "requested"


def test_rejection_needs_a_note_and_unknown_fields_are_refused(disnaker, registered):
    with pytest.raises(ValidationFailed):
        services.correction_request_create(actor=disnaker, worker=registered, changes={"created_by": 1}, reason="x y")
    c = services.correction_request_create(actor=disnaker, worker=registered, changes={"phone": "0812"},
                                           reason="nomor baru")
    with pytest.raises(ValidationFailed):
        services.correction_decide(actor=disnaker, correction_id=c.pk, action="reject")
    services.correction_decide(actor=disnaker, correction_id=c.pk, action="reject", note="bukan nomor pekerja")
    assert CorrectionRequest.objects.get(pk=c.pk).status == "rejected"
    assert WorkerEvent.objects.filter(kind="correction_rejected").exists()


def test_company_user_cannot_request_corrections(registered):
    from satuatap.accounts import services as account_services
    from satuatap.placement.models import Company, CompanyMembership
    from satuatap.reference.models import Agency, Office

    # a company's user holding a desk role still has no business in the registry
    co_user = account_services.user_create(username="co-user", password=None, role="desk_officer",
                                           office=Office.objects.get(code="LTSA-IDM"),
                                           agency=Agency.objects.get(code="DISNAKER"))
    CompanyMembership.objects.create(user=co_user, company=Company.objects.first() or factories.job_order().company)
    with pytest.raises(PermissionDenied):
        services.correction_request_create(actor=co_user, worker=registered, changes={"name": "X"}, reason="abc")


# --- retention -----------------------------------------------------------------------------------------------------

def _age(worker: Worker, *, years: int) -> None:
    Worker.objects.filter(pk=worker.pk).update(created_at=timezone.now() - dt.timedelta(days=365 * years + 10))


def test_retention_anonymises_closed_records_and_keeps_statistics(disnaker, registered, settings):
    settings.SATUATAP_RETENTION_YEARS = 5
    head = factories.head("LTSA-IDM")
    old = factories.worker("32.12")
    recent = factories.worker("32.12")
    open_one = factories.worker("32.12")
    for w in (old, recent, open_one):
        _age(w, years=7)
    case_old = factories.open_case(disnaker, old)
    journey_services.case_cancel(actor=head, case_number=case_old.number, reason="mundur")
    case_recent = factories.open_case(disnaker, recent)
    journey_services.case_cancel(actor=head, case_number=case_recent.number, reason="mundur")
    factories.open_case(disnaker, open_one)
    from satuatap.journey.models import Case

    Case.objects.filter(pk=case_old.pk).update(closed_at=timezone.now() - dt.timedelta(days=365 * 6))
    before = Worker.objects.get(pk=old.pk)

    dry = retention.retention_run(dry_run=True)
    assert dry.anonymised == [old.pk] and Worker.objects.get(pk=old.pk).anonymised_at is None

    report = retention.retention_run()
    assert report.anonymised == [old.pk]
    after = Worker.objects.get(pk=old.pk)
    assert after.anonymised_at is not None and after.name == "Anonim" and not after.nik.isdigit()
    assert after.phone == "" and after.address == "" and after.district_id is None
    # statistics columns stay
    assert (after.province_id, after.regency_id, after.sex, after.birth_date.year) == (
        before.province_id, before.regency_id, before.sex, before.birth_date.year)
    assert after.consents.get().consenter_name == "Anonim"
    assert Worker.objects.get(pk=recent.pk).anonymised_at is None  # closed too recently
    assert Worker.objects.get(pk=open_one.pk).anonymised_at is None  # still open
    assert Worker.objects.get(pk=registered.pk).anonymised_at is None  # registered this year
    assert AuditEntry.objects.filter(action="anonymise", object_id=str(old.pk), username="").exists()
    # idempotent; anonymised records refuse changes and exports
    assert retention.retention_run().anonymised == []
    with pytest.raises(Conflict):
        services.worker_update(actor=disnaker, worker=after, name="Kembali")


def test_retention_command_and_setting(settings, capsys):
    settings.SATUATAP_RETENTION_YEARS = 1
    w = factories.worker("32.12")
    _age(w, years=2)
    call_command("registry_retention", "--dry-run")
    assert "would anonymise 1 worker(s)" in capsys.readouterr().out
    call_command("registry_retention", "--years", "3")
    assert Worker.objects.get(pk=w.pk).anonymised_at is None
    call_command("registry_retention")
    assert Worker.objects.get(pk=w.pk).anonymised_at is not None


def test_retention_asks_the_journey_to_clear_the_cases_when_it_can(settings, monkeypatch):
    from satuatap.journey import services as journey_services

    settings.SATUATAP_RETENTION_YEARS = 1
    w = factories.worker("32.12")
    _age(w, years=2)
    cleared = []
    monkeypatch.setattr(journey_services, "worker_cases_anonymise", lambda *, worker_id: cleared.append(worker_id),
                        raising=False)
    retention.retention_run()
    assert cleared == [w.pk]
