"""The audit log: entries keep who/when/where/why, can never be changed or deleted, and are searchable."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import RequestFactory

from satuatap.accounts import selectors, services
from satuatap.accounts.models import AuditEntry, AuditLogIsAppendOnly, Role
from satuatap.reference.models import Region
from tests import factories

pytestmark = pytest.mark.django_db


def _entry(**kw):
    user = kw.pop("actor", None) or factories.officer("LTSA-IDM", "DISNAKER")
    request = RequestFactory().get("/api/v1/workers/7", REMOTE_ADDR="10.1.2.3")
    return services.audit_record(actor=user, request=request, action=kw.pop("action", "read"),
                                 object_type=kw.pop("object_type", "worker"), object_id=kw.pop("object_id", 7),
                                 subject_worker_id=kw.pop("subject_worker_id", 7), **kw)


def test_entry_copies_the_actor_and_the_request():
    user = factories.officer("LTSA-IDM", "DUKCAPIL")
    e = _entry(actor=user, reason="koreksi NIK")
    assert (e.username, e.role, e.office_id, e.agency_id) == (user.username, "desk_officer", "LTSA-IDM", "DUKCAPIL")
    assert (e.client_address, e.method, e.path, e.reason) == ("10.1.2.3", "GET", "/api/v1/workers/7", "koreksi NIK")
    # The entry keeps its meaning after the user moves office.
    user.office_id = "LTSA-SBY"
    user.save()
    e.refresh_from_db()
    assert e.office_id == "LTSA-IDM"


def test_entries_cannot_be_changed_or_deleted():
    e = _entry()
    e.reason = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        e.save()
    with pytest.raises(AuditLogIsAppendOnly):
        e.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=e.pk).update(reason="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=e.pk).delete()
    assert AuditEntry.objects.get(pk=e.pk).reason == ""


def test_unknown_action_is_refused():
    with pytest.raises(ValueError):
        _entry(action="peek")


@pytest.mark.postgres
def test_postgres_refuses_raw_update_and_delete():
    e = _entry()
    for sql in ("UPDATE accounts_auditentry SET reason = 'x' WHERE id = %s",
                "DELETE FROM accounts_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [e.pk])
    assert AuditEntry.objects.filter(pk=e.pk, reason="").exists()


def test_search_by_user_worker_action_and_dates():
    a = factories.officer("LTSA-IDM", "DISNAKER")
    b = factories.officer("LTSA-IDM", "DINKES")
    _entry(actor=a, subject_worker_id=1, object_id=1)
    _entry(actor=b, subject_worker_id=2, object_id=2, action="export")
    assert [e.username for e in selectors.audit_entries(username=a.username)] == [a.username]
    assert selectors.audit_entries(worker_id=2).get().username == b.username
    assert selectors.audit_entries(action="export").count() == 1
    today = dt.date.today()
    assert selectors.audit_entries(date_from=today - dt.timedelta(days=1), date_to=today + dt.timedelta(days=1)
                                   ).count() == 2
    assert selectors.audit_entries(date_to=today - dt.timedelta(days=3)).count() == 0


def test_csv_export_neutralises_formulas():
    _entry(reason="=HYPERLINK(\"http://evil\")")
    text = "".join(selectors.audit_csv_rows(selectors.audit_entries()))
    header, row = text.splitlines()[:2]
    assert header.startswith("id,at,username")
    assert "'=HYPERLINK" in row


def test_who_reads_the_audit_log_and_who_must_give_a_reason():
    auditor = services.user_create(username="aud", password=None, role=Role.AUDITOR)
    admin = services.user_create(username="adm", password=None, role=Role.ADMIN)
    desk = factories.officer("LTSA-IDM", "DISNAKER")
    head = factories.head("LTSA-IDM")
    mon = factories.monitor(Region.objects.get(code="32").code)
    assert selectors.user_reads_audit(auditor) and selectors.user_reads_audit(admin)
    assert not any(selectors.user_reads_audit(u) for u in (desk, head, mon))
    needs = selectors.full_record_read_needs_reason
    assert not needs(desk, office_id="LTSA-IDM", active=False)
    assert not needs(head, office_id="LTSA-IDM", active=True)
    assert needs(head, office_id="LTSA-IDM", active=False)       # a closed case is no longer daily work
    assert not needs(head, office_id=None, active=True)          # a worker's record as such
    assert not needs(desk, office_id=None, active=True)
    assert needs(desk, office_id="LTSA-SBY", active=True)
    assert needs(mon, office_id="LTSA-IDM", active=True)
    assert needs(admin, office_id="LTSA-IDM", active=True)


def test_admin_changes_and_worker_views_are_audited(client):
    admin_user = services.user_create(username="root1", password=None, role=Role.ADMIN)
    factories.otp_login(client, admin_user)
    desk = factories.officer("LTSA-IDM", "DISNAKER")
    r = client.post(f"/admin/accounts/user/{desk.pk}/change/", {
        "username": desk.username, "role": "desk_officer", "office": "LTSA-IDM", "agency": "DUKCAPIL",
        "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
    })
    assert r.status_code == 302, r.content[:2000]
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(desk.pk))
    assert entry.action == "update" and entry.username == "root1"
    w = factories.worker()
    # an admin's opening of a full record needs a reason (tests/registry/test_admin_reason.py: the form)
    assert client.get(f"/admin/registry/worker/{w.pk}/change/",
                      headers={"X-Access-Reason": "Pemeriksaan data untuk audit"}).status_code == 200
    assert AuditEntry.objects.filter(action="read", object_type="worker", subject_worker_id=w.pk,
                                     reason="Pemeriksaan data untuk audit").exists()
    # the audit log itself cannot be edited through the admin
    assert client.get(f"/admin/accounts/auditentry/{entry.pk}/delete/").status_code == 403
