"""The auditor's pages and API: search by user, worker, case and dates; CSV export (itself audited); nobody but
auditors and admins gets in; reading a case outside normal work asks for a reason that lands in the log."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from satuatap.accounts import services as account_services
from satuatap.accounts.models import AuditEntry
from satuatap.accounts.services import api_token_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(db):
    return account_services.user_create(username="auditor1", password=None, role="auditor")


def _otp_client(user) -> Client:
    client = Client()
    factories.otp_login(client, user)
    return client


def _read_case(desks, case):
    client = Client()
    client.force_login(desks["DINKES"])
    assert client.get(f"/cases/{case.number}/").status_code == 200


def test_case_page_read_is_audited_and_found_by_the_auditor(desks, case, auditor):
    _read_case(desks, case)
    entry = AuditEntry.objects.get(object_type="case", object_id=case.number)
    assert entry.username == desks["DINKES"].username and entry.subject_worker_id == case.worker_id
    client = _otp_client(auditor)
    r = client.get("/audit/", {"object_id": case.number})
    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-entry="{entry.pk}"' in html and desks["DINKES"].username in html
    r = client.get("/audit/", {"username": "nobody"})
    assert 'id="audit-table"' not in r.content.decode()
    r = client.get("/audit/", {"worker_id": case.worker_id, "action": "read"})
    assert f'data-entry="{entry.pk}"' in r.content.decode()


def test_csv_export_lists_the_entries_and_is_itself_audited(desks, case, auditor):
    _read_case(desks, case)
    r = _otp_client(auditor).get("/audit/export.csv", {"object_id": case.number})
    assert r.status_code == 200 and r["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert [row["object_id"] for row in rows] == [case.number]
    assert AuditEntry.objects.filter(action="export", object_type="audit_log", username="auditor1").exists()


def test_only_auditors_and_admins_see_the_audit_log(desks, auditor):
    for user in (desks["DISNAKER"], factories.monitor("32")):
        client = Client()
        client.force_login(user)
        assert client.get("/audit/").status_code == 403
    head = _otp_client(desks["HEAD"])
    assert head.get("/audit/").status_code == 403
    admin = account_services.user_create(username="adm1", password=None, role="admin")
    assert _otp_client(admin).get("/audit/").status_code == 200
    # an auditor has no business on the officers' pages
    assert _otp_client(auditor).get("/cases/").status_code == 403


def test_auditor_needs_the_second_factor(auditor):
    client = Client()
    client.force_login(auditor)
    r = client.get("/audit/")
    assert r.status_code == 302 and "/accounts/otp/" in r["Location"]


def test_audit_api_search_and_csv(desks, case, auditor):
    _read_case(desks, case)
    _, secret = api_token_create(user=auditor, name="audit-tool")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    r = Client().get("/api/v1/audit/entries", {"object_id": case.number}, **auth)
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["items"][0]["username"] == desks["DINKES"].username
    r = Client().get("/api/v1/audit/entries.csv", {"action": "read"}, **auth)
    assert r.status_code == 200 and case.number in b"".join(r.streaming_content).decode()
    _, other = api_token_create(user=desks["DISNAKER"], name="x")
    r = Client().get("/api/v1/audit/entries", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert r.status_code == 403 and r.json()["code"] == "forbidden_role"


def test_head_opening_an_old_closed_case_gives_a_reason_that_is_recorded(desks, case):
    from django.utils import timezone

    from satuatap.journey import services as journey_services
    from satuatap.journey.models import Case

    journey_services.case_cancel(actor=desks["HEAD"], case_number=case.number, reason="mundur")
    client = _otp_client(desks["HEAD"])
    assert 'id="journey-dag"' in client.get(f"/cases/{case.number}/").content.decode()  # recently closed: daily work
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timezone.timedelta(days=90))
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'id="reason-form"' in html and 'id="journey-dag"' not in html
    assert client.post(f"/cases/{case.number}/reason/", {"reason": "singkat"}).status_code == 422
    r = client.post(f"/cases/{case.number}/reason/", {"reason": "Pengaduan keluarga tentang gaji 2025"})
    assert r.status_code == 302
    assert 'id="journey-dag"' in client.get(f"/cases/{case.number}/").content.decode()
    latest = AuditEntry.objects.filter(object_id=case.number).first()
    assert latest.reason == "Pengaduan keluarga tentang gaji 2025" and latest.role == "office_head"


def test_company_user_with_a_monitor_role_sees_no_cases(case):
    from satuatap.placement.models import CompanyMembership

    user = account_services.user_create(username="p3mi-x", password=None, role="monitor")
    CompanyMembership.objects.create(user=user, company=factories.job_order().company)
    client = Client()
    client.force_login(user)
    assert client.get("/cases/").status_code == 403
    assert client.get(f"/cases/{case.number}/").status_code == 403
    _, secret = api_token_create(user=user, name="x")
    assert Client().get(f"/api/v1/cases/{case.number}", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 403
    assert Client().get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 403
