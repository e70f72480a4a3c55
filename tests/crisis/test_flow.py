"""A complaint end to end over the web: public intake → match → clarification → company answers → resolution,
the complainant seeing each stage, and each notification delivered exactly once even when a delivery fails
and is retried or a delivery task runs twice."""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
from unittest import mock

import pytest
from django.core import mail
from django.test import Client

from satuatap.crisis.models import Complaint
from satuatap.journey import services as journey_services
from satuatap.journey.models import Step
from satuatap.notify import conf as notify_conf
from satuatap.notify import services as notify_services
from satuatap.notify import tasks as notify_tasks
from satuatap.notify.models import Message
from tests import factories
from tests.notify.conftest import gateway_ok

pytestmark = pytest.mark.django_db

URLOPEN = "satuatap.notify.channels.urllib.request.urlopen"


@pytest.fixture
def delivery(settings, monkeypatch, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path
    settings.SATUATAP_PUBLIC_URL = "https://ltsa.example.go.id"
    monkeypatch.setenv("NOTIFY_SMS_GATEWAY_URL", "https://sms.example.test/send")
    monkeypatch.setenv("NOTIFY_SMS_GATEWAY_TOKEN", "tok")
    monkeypatch.setattr(notify_conf, "BACKOFF_BASE", dt.timedelta(0))  # a failed attempt is due again at once


@pytest.fixture
def departed_worker():
    """A worker who left through the system: journey case with the PMI card and the departure done."""
    disnaker = factories.officer("LTSA-IDM", "DISNAKER")
    worker = factories.worker("32.12", birth_date=dt.date(1995, 2, 14))
    worker.name = "Siti Aminah"
    worker.save()
    case = journey_services.case_open(
        job_order_number=factories.job_order().number,
        actor=disnaker,
        worker=worker,
        office_code="LTSA-IDM",
        scheme="P2P",
        destination_country="HK",
    )
    Step.objects.filter(case=case, code__in=("CARD", "DEP")).update(state="done")
    return worker


def test_complaint_end_to_end(delivery, departed_worker, agent, django_capture_on_commit_callbacks):
    public, staff, company = Client(), Client(), Client()
    staff.force_login(agent)
    sms_sent = []

    def gateway(request, timeout):
        sms_sent.append(request)
        return gateway_ok(f"gw-{len(sms_sent)}")

    # Each request is wrapped in django_capture_on_commit_callbacks: the test's transaction never commits, so
    # this runs what the request queued for after its commit (the ImmediateBackend then delivers at once).
    with mock.patch(URLOPEN, side_effect=gateway) as urlopen:
        # 1. a family member files the complaint on the public form
        r = public.get("/crisis/report/")
        assert r.status_code == 200 and 'id="complaint-form"' in r.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            r = public.post(
                "/crisis/report/",
                {
                    "complainant_type": "family",
                    "complainant_relation": "mother",
                    "complainant_name": "Sumiati",
                    "complainant_phone": "0812-3456-7890",
                    "worker_name": "Siti Aminah",
                    "worker_nik": departed_worker.nik,
                    "country": "HK",
                    "company": "PT Maju Jaya",
                    "category": "wages_unpaid",
                    "description": "Gaji anak saya belum dibayar selama empat bulan.",
                },
            )
        assert r.status_code == 200 and 'id="field-complainant_relation"' in r.content.decode()
        assert "Sumiati" in r.content.decode() and not Complaint.objects.exists()  # not a choice: kept, re-shown
        with django_capture_on_commit_callbacks(execute=True):
            r = public.post(
                "/crisis/report/",
                {
                    "complainant_type": "family",
                    "complainant_relation": "parent",
                    "complainant_name": "Sumiati",
                    "complainant_phone": "0812-3456-7890",
                    "worker_name": "Siti Aminah",
                    "worker_nik": departed_worker.nik,
                    "country": "HK",
                    "company": "PT Maju Jaya",
                    "category": "wages_unpaid",
                    "description": "Gaji anak saya belum dibayar selama empat bulan.",
                },
            )
        assert r.status_code == 302 and r.url == "/crisis/report/done/"
        page = public.get(r.url).content.decode()
        reference = re.search(r'id="complaint-reference">([^<]+)<', page).group(1)
        secret = re.search(r'id="complaint-secret">([^<]+)<', page).group(1)
        assert re.fullmatch(r"PGD-\d{4}-\d{6}", reference)
        assert public.get("/crisis/report/done/").status_code == 302  # the secret is shown once
        complaint = Complaint.objects.get(reference=reference)
        assert complaint.secret_hash and secret not in complaint.secret_hash
        assert complaint.priority == "normal" and complaint.status == "registered"

        # 2. the agent sees the suggested registry match (NIK, confidence 1.00) and confirms it
        r = staff.get("/crisis/queue/")
        assert reference in r.content.decode() and 'id="agent-queue"' in r.content.decode()
        r = staff.get(f"/crisis/complaints/{reference}/")
        page = r.content.decode()
        assert 'id="match-candidates"' in page and f'data-worker="{departed_worker.pk}"' in page and "1,00" in page
        with django_capture_on_commit_callbacks(execute=True):
            staff.post(f"/crisis/complaints/{reference}/act/match_confirm/", {"worker_id": departed_worker.pk})
        complaint.refresh_from_db()
        assert complaint.matched_worker == departed_worker and complaint.match_method == "nik"
        assert complaint.match_confirmed_by == agent and complaint.procedural is True

        # 3. first response, then a clarification request to the company (e-mail with a signed link)
        with django_capture_on_commit_callbacks(execute=True):
            staff.post(f"/crisis/complaints/{reference}/act/respond/", {"reason": "Kami sedang menangani."})
        with django_capture_on_commit_callbacks(execute=True):
            staff.post(
                f"/crisis/complaints/{reference}/act/clarify/",
                {
                    "company_name": "PT Maju Jaya",
                    "company_email": "legal@majujaya.example",
                    "question": "Mohon jelaskan mengapa gaji Siti Aminah belum dibayar.",
                },
            )
        complaint.refresh_from_db()
        assert complaint.status == "awaiting_clarification" and complaint.first_responded_at is not None
        assert len(mail.outbox) == 1
        link = re.search(r"https://ltsa\.example\.go\.id(/crisis/clarification/[^/\s]+/)", mail.outbox[0].body).group(1)

        # 4. the company answers through the link
        r = company.get(link)
        assert r.status_code == 200 and 'id="clarification-form"' in r.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            r = company.post(link, {"answered_by_name": "Budi, HRD", "answer": "Gaji sudah kami transfer hari ini."})
        assert 'id="clarification-answered"' in r.content.decode()
        complaint.refresh_from_db()
        assert complaint.status == "in_progress"
        assert company.post(link, {"answered_by_name": "X", "answer": "Sekali lagi jawaban."}).status_code == 200
        assert complaint.clarifications.get().answer == "Gaji sudah kami transfer hari ini."

        # 5. resolution; the resolution SMS fails once at the gateway and goes out on the retry
        urlopen.side_effect = [urllib.error.URLError("gateway down")]
        with django_capture_on_commit_callbacks(execute=True):
            staff.post(
                f"/crisis/complaints/{reference}/act/resolve/",
                {"outcome": "wages_recovered", "amount": "15000000", "note": "Gaji 4 bulan dibayar."},
            )
        complaint.refresh_from_db()
        assert complaint.status == "resolved" and complaint.resolution_amount == 15000000
        resolved = Message.objects.get(ref=f"complaint:{reference}", template="complaint_resolved")
        assert resolved.state == "failed" and resolved.attempts == 1
        urlopen.side_effect = gateway
        with django_capture_on_commit_callbacks(execute=True):
            assert notify_services.messages_retry_due() == 1
        resolved.refresh_from_db()
        assert resolved.state == "sent" and resolved.attempts == 2
        assert "15.000.000" in resolved.body

    # 6. every message was queued once and delivered once; running every delivery task again sends nothing
    messages = list(Message.objects.filter(ref=f"complaint:{reference}").order_by("id"))
    assert [m.template for m in messages] == [
        "complaint_received",
        "complaint_status",
        "complaint_status",
        "clarification_request",
        "complaint_status",
        "complaint_resolved",
    ]
    assert all(m.state == "sent" for m in messages)
    sms = [m for m in messages if m.channel == "sms"]
    assert all(m.recipient == "+6281234567890" for m in sms)
    assert len(sms_sent) == len(sms)  # one successful gateway call per SMS
    for m in messages:
        notify_tasks.deliver.call(m.pk)
    assert len(sms_sent) == len(sms) and len(mail.outbox) == 1
    assert notify_services.messages_retry_due() == 0

    # 7. the complainant sees each stage (and nothing internal)
    with django_capture_on_commit_callbacks(execute=True):
        r = public.post("/crisis/status/", {"reference": reference.lower(), "secret": secret.replace("-", " ")})
    page = r.content.decode()
    stages = re.findall(r'<li data-kind="([a-z_]+)"', page)
    assert stages == ["registered", "respond", "ask_clarification", "clarification_answered", "resolve"]
    assert "Rp15.000.000" in page
    assert 'data-status="resolved"' in page
    assert "match_confirmed" not in page and agent.username not in page
    with django_capture_on_commit_callbacks(execute=True):
        r = public.post("/crisis/status/", {"reference": reference, "secret": "WRONG-CODE1"})
    assert 'id="status-stages"' not in r.content.decode() and "salah" in r.content.decode()
