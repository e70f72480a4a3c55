"""Matching, procedural status, the queue, handling rules and the complainant's own uploads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from satuatap.core.errors import Conflict, PermissionDenied, ValidationFailed
from satuatap.crisis import selectors, services
from satuatap.crisis.matching import match_candidates, name_similarity
from satuatap.crisis.models import Complaint
from satuatap.journey import services as journey_services
from satuatap.journey.models import Step
from tests import factories
from tests.crisis.conftest import register

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def worker_with_case():
    disnaker = factories.officer("LTSA-IDM", "DISNAKER")
    worker = factories.worker("32.12", birth_date=dt.date(1994, 7, 1))
    worker.name = "Nur Halimah"
    worker.save()
    case = journey_services.case_open(
        job_order_number=factories.job_order().number,
        actor=disnaker,
        worker=worker,
        office_code="LTSA-IDM",
        scheme="P2P",
    )
    Step.objects.filter(case=case, code="PASS").update(
        state="done", outcome={"passport_number": "C1234567", "expiry": "2031-01-01"}
    )
    return worker


def test_matching_by_nik_passport_and_name_with_birth_date(worker_with_case):
    worker = worker_with_case
    by_nik = match_candidates(nik=worker.nik)
    assert [(c.worker, c.method, c.confidence) for c in by_nik] == [(worker, "nik", Decimal("1.00"))]
    by_passport = match_candidates(passport="c 1234567")
    assert [(c.worker, c.method, c.confidence) for c in by_passport] == [(worker, "passport", Decimal("0.95"))]
    by_name = match_candidates(name="NUR HALIMAH binti Ahmad", birth_date=dt.date(1994, 7, 1))
    assert by_name[0].worker == worker and by_name[0].method == "name_birth_date"
    assert Decimal("0.5") < by_name[0].confidence < 1
    assert match_candidates(name="Nur Halimah", birth_date=dt.date(1994, 7, 2)) == []
    assert name_similarity("Halimah Nur", "Nur Halimah") == 1.0


def test_procedural_follows_the_journey(worker_with_case, agent):
    worker = worker_with_case
    ref = register(worker_nik=worker.nik).complaint.reference
    complaint = Complaint.objects.get(reference=ref)
    assert complaint.matched_worker == worker and complaint.match_confirmed_at is None  # suggested only
    assert complaint.procedural is None
    services.complaint_match_confirm(actor=agent, reference=ref, worker_id=worker.pk)
    complaint.refresh_from_db()
    assert complaint.procedural is False  # no PMI card, no departure: non-procedural
    Step.objects.filter(case__worker=worker, code="DEP").update(state="done")
    assert selectors.complaint_procedural_now(complaint=complaint) is True
    services.complaint_match_reject(actor=agent, reference=ref, reason="Orang lain")
    complaint.refresh_from_db()
    assert complaint.matched_worker is None and complaint.procedural is None


def test_manual_match_by_the_agent(worker_with_case, agent):
    ref = register(worker_name="Nama Lain").complaint.reference
    services.complaint_match_confirm(actor=agent, reference=ref, worker_id=worker_with_case.pk)
    complaint = Complaint.objects.get(reference=ref)
    assert complaint.match_method == "manual" and complaint.match_confidence is None


def test_queue_sorted_by_urgency_then_time_left_with_breach_lists(agent):
    now = timezone.now()
    old_normal = register(now=now - dt.timedelta(days=10)).complaint  # first response long overdue
    urgent_soon = register(now=now - dt.timedelta(hours=3, minutes=30), category="death").complaint
    urgent_late = register(now=now - dt.timedelta(hours=5), category="trafficking").complaint
    fresh_normal = register(now=now).complaint
    handled = register(now=now - dt.timedelta(hours=1), category="sick").complaint
    services.complaint_respond(actor=agent, reference=handled.reference)
    queue = selectors.complaints_queue(user=agent, now=now)
    order = [i.complaint.reference for i in queue.items]
    assert order[:2] == [urgent_late.reference, urgent_soon.reference]
    assert order.index(handled.reference) == 2  # urgent, responded: no deadline, after timed urgent ones
    assert order[3:] == [old_normal.reference, fresh_normal.reference]
    assert {i.complaint.reference for i in queue.breached} == {urgent_late.reference, old_normal.reference}
    assert [i.complaint.reference for i in queue.breaching_soon] == [urgent_soon.reference]
    page = Client()
    page.force_login(agent)
    html = page.get("/crisis/queue/").content.decode()
    for element in ('id="agent-queue"', 'id="queue-breached"', 'id="queue-breaching-soon"', 'id="queue-monitored"'):
        assert element in html


def test_transitions_follow_the_table(agent):
    ref = register().complaint.reference
    with pytest.raises(Conflict) as exc:
        services.complaint_documents_received(actor=agent, reference=ref)
    assert exc.value.code == "invalid_transition"
    services.complaint_refer(actor=agent, reference=ref, agency="KBRI Kuala Lumpur")
    complaint = Complaint.objects.get(reference=ref)
    assert complaint.status == "referred" and complaint.first_responded_at is not None
    assert selectors.complaints_queue(user=agent).monitored[0].complaint.reference == ref
    services.complaint_resolve(actor=agent, reference=ref, outcome="repatriated", note="Dipulangkan 2 Mei.")
    with pytest.raises(Conflict):
        services.complaint_close(actor=agent, reference=ref, reason="ganda")
    services.complaint_reopen(actor=agent, reference=ref, reason="Keluarga melapor lagi.")
    complaint.refresh_from_db()
    assert complaint.status == "in_progress" and complaint.resolution_outcome == ""
    kinds = list(complaint.events.values_list("kind", flat=True))
    assert kinds == ["registered", "refer", "resolve", "reopen"]


def test_resolution_amount_is_required_for_money_outcomes(agent):
    ref = register().complaint.reference
    services.complaint_respond(actor=agent, reference=ref)
    with pytest.raises(ValidationFailed) as exc:
        services.complaint_resolve(actor=agent, reference=ref, outcome="wages_recovered")
    assert exc.value.details["field"] == "amount"


def test_only_crisis_agents_handle_complaints(other_officer):
    ref = register().complaint.reference
    with pytest.raises(PermissionDenied):
        services.complaint_respond(actor=other_officer, reference=ref)
    client = Client()
    client.force_login(other_officer)
    assert client.post(f"/crisis/complaints/{ref}/act/respond/", {}).status_code == 403
    assert Complaint.objects.get(reference=ref).status == "registered"


def test_recategorizing_changes_urgency_and_target(agent):
    complaint = register().complaint
    services.complaint_recategorize(
        actor=agent,
        reference=complaint.reference,
        category="sexual_harassment",
        reason="Pengadu menjelaskan lebih lanjut.",
    )
    complaint.refresh_from_db()
    assert complaint.priority == "urgent"
    assert complaint.first_response_due_at == complaint.registered_at + dt.timedelta(hours=4)


def test_complainant_uploads_missing_documents_on_the_status_page(agent):
    result = register()
    ref = result.complaint.reference
    services.complaint_documents_request(actor=agent, reference=ref, note="Kirim foto paspor.")
    client = Client()
    page = client.post("/crisis/status/", {"reference": ref, "secret": result.secret}).content.decode()
    assert 'id="status-upload-form"' in page and "Kirim foto paspor." in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(
        "/crisis/status/documents/",
        {"reference": ref, "secret": result.secret, "attachments": [SimpleUploadedFile("paspor.pdf", PDF)]},
    )
    assert r.status_code == 200 and 'data-kind="attachment_added"' in r.content.decode()
    complaint = Complaint.objects.get(reference=ref)
    assert complaint.attachments.get().source == "complainant"
    r = client.post(
        "/crisis/status/documents/",
        {"reference": ref, "secret": "WRONG-WRONG", "attachments": [SimpleUploadedFile("x.pdf", PDF)]},
    )
    assert complaint.attachments.count() == 1 and 'id="status-stages"' not in r.content.decode()
    staff = Client()
    staff.force_login(agent)
    attachment = complaint.attachments.get()
    download = staff.get(f"/crisis/complaints/{ref}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_agent_actions_on_the_page_report_errors_as_messages(agent):
    ref = register().complaint.reference
    client = Client()
    client.force_login(agent)
    r = client.post(f"/crisis/complaints/{ref}/act/documents_received/", {}, follow=True)
    assert "tidak dapat dilakukan" in r.content.decode()
    r = client.post(f"/crisis/complaints/{ref}/act/note/", {"text": "Menelepon ibu pengadu."}, follow=True)
    assert "Menelepon ibu pengadu." in r.content.decode()
    r = client.post(
        f"/crisis/complaints/{ref}/act/assign/", {"assignee": str(agent.pk), "team": "Tim Asia"}, follow=True
    )
    complaint = Complaint.objects.get(reference=ref)
    assert complaint.assigned_to == agent and complaint.assigned_team == "Tim Asia"
    assert client.post(f"/crisis/complaints/{ref}/act/explode/", {}).status_code == 404
    assert client.get("/crisis/complaints/PGD-1999-000009/").status_code == 404
