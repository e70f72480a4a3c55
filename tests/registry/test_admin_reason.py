"""An admin opening a worker in the Django admin gives the reason first (a small form, not a bare 428); the
opening is then in the audit log with that reason."""

from __future__ import annotations

import pytest
from django.test import Client

from satuatap.accounts.models import AuditEntry
from satuatap.registry import services
from tests import factories

pytestmark = pytest.mark.django_db

REASON = "Permintaan koreksi data dari BP3MI, tiket 4411"


def _change_url(worker) -> str:
    return f"/admin/registry/worker/{worker.pk}/change/"


def _reads(worker):
    return AuditEntry.objects.filter(action="read", object_type="worker", subject_worker_id=worker.pk)


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    factories.otp_login(client, admin_user)
    return client


def test_admin_is_asked_for_a_reason_and_then_sees_the_record(admin_client, disnaker, worker_data):
    worker = services.worker_register(actor=disnaker, **worker_data)
    page = admin_client.get(_change_url(worker))
    assert page.status_code == 200  # a form, not a bare 428
    html = page.content.decode()
    assert 'id="access-reason-form"' in html and 'name="access_reason"' in html
    assert "Alasan membuka data ini" in html and "Reason for opening this record" in html
    assert html.index("Alasan membuka data ini") < html.index("Reason for opening this record")
    assert worker.name not in html and worker.nik not in html and worker.phone not in html  # nothing shown yet
    assert not _reads(worker).exists()

    # a reason that says nothing is refused, the record still hidden
    short = admin_client.post(_change_url(worker), {"access_reason": "cek"})
    assert short.status_code == 422 and worker.name not in short.content.decode()
    assert not _reads(worker).exists()

    given = admin_client.post(_change_url(worker), {"access_reason": REASON})
    assert given.status_code == 302 and given["Location"] == _change_url(worker)
    shown = admin_client.get(given["Location"])
    assert shown.status_code == 200
    assert worker.name in shown.content.decode() and 'id="access-reason-form"' not in shown.content.decode()
    entry = _reads(worker).get()
    assert entry.reason == REASON and entry.username == "admin" and entry.details == {"via": "admin"}
    # the reason holds for this session; every opening is still recorded with it
    assert admin_client.get(_change_url(worker)).status_code == 200
    assert list(_reads(worker).values_list("reason", flat=True)) == [REASON, REASON]
    # the record is still read-only
    assert admin_client.post(_change_url(worker), {"name": "Lain"}).status_code == 403


def test_the_reason_header_of_the_api_is_accepted_too(admin_client, disnaker, worker_data):
    worker = services.worker_register(actor=disnaker, **worker_data)
    shown = admin_client.get(_change_url(worker), headers={"X-Access-Reason": REASON})
    assert shown.status_code == 200 and worker.name in shown.content.decode()
    assert _reads(worker).get().reason == REASON


def test_a_missing_worker_or_a_user_without_admin_access_is_not_asked(admin_client, admin_user, disnaker,
                                                                      worker_data):
    worker = services.worker_register(actor=disnaker, **worker_data)
    missing = admin_client.get("/admin/registry/worker/999999/change/")
    assert missing.status_code == 302 and 'id="access-reason-form"' not in missing.content.decode()
    assert admin_client.post("/admin/registry/worker/999999/change/", {"access_reason": REASON}).status_code == 403
    outsider = Client()
    factories.otp_login(outsider, disnaker)
    assert outsider.get(_change_url(worker)).status_code == 302  # to the admin login, no form
    assert outsider.post(_change_url(worker), {"access_reason": REASON}).status_code == 302
    assert not _reads(worker).exists()
