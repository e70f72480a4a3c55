"""Risk signals: explained flags for the anti-trafficking desk, scoped to the viewer's region."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from satuatap.core.errors import PermissionDenied
from satuatap.placement import selectors, services
from satuatap.placement.models import Decision
from satuatap.registry.models import Worker
from tests import factories
from tests.placement.builders import evaluate, make_job_order

pytestmark = pytest.mark.usefixtures("placement_ref")


def _link_workers(n: int, jo, officer, regency="32.12"):
    for _ in range(n):
        worker = factories.worker(regency)
        services.job_order_link(job_order=jo, case_ref=f"CL-{worker.pk}", actor=officer, worker=worker)


def test_many_candidates_from_one_area_to_one_company(officer, head):
    jo = make_job_order(positions=50)
    _link_workers(4, jo, officer)
    assert not selectors.risk_signals(user=head, kind="village_cluster")
    _link_workers(1, jo, officer)
    signals = selectors.risk_signals(user=head, kind="village_cluster")
    assert len(signals) == 1 and signals[0].count == 5 and signals[0].company_id == jo.company_id
    assert "5 calon PMI" in signals[0].explanation_id and jo.company.name in signals[0].explanation_id
    # Scoped: the head of another regency's office does not see Indramayu's cluster; a national monitor does.
    assert not selectors.risk_signals(user=factories.head("LTSA-SBY"), kind="village_cluster")
    assert selectors.risk_signals(user=factories.monitor(), kind="village_cluster")
    assert selectors.risk_signals(user=factories.monitor("32"), kind="village_cluster")


def test_birth_date_inconsistent_with_nik_near_the_age_limit(head):
    on = dt.date.today()
    nik_birth = dt.date(on.year - 16, 3, 10)
    worker = factories.worker("32.12", birth_date=nik_birth)
    declared = dt.date(on.year - 19, 3, 10) if (on.month, on.day) < (3, 10) else dt.date(on.year - 18, 3, 10)
    Worker.objects.filter(pk=worker.pk).update(birth_date=declared)  # the declared date forged to reach 18
    worker.refresh_from_db()
    evaluate(worker=worker, job_order=make_job_order(), on=on)
    signals = selectors.risk_signals(user=head, kind="nik_age", on=on)
    assert [s.worker_id for s in signals] == [worker.pk]
    assert "NIK" in signals[0].explanation_id and signals[0].details["nik_age"] < 18


def test_consistent_birth_date_raises_no_signal(head):
    on = dt.date.today()
    worker = factories.worker("32.12", birth_date=dt.date(on.year - 18, 1, 2) if on >= dt.date(on.year, 1, 2)
                              else dt.date(on.year - 19, 1, 2))
    evaluate(worker=worker, job_order=make_job_order(), on=on)
    assert not selectors.risk_signals(user=head, kind="nik_age", on=on)


def test_repeated_failed_departures(head):
    worker = factories.worker("32.12")
    jo = make_job_order()
    for day in (dt.date(2026, 6, 1), dt.date(2026, 6, 1), dt.date(2026, 6, 8)):
        evaluate(stage="departure", worker=worker, job_order=jo, visa_type="tourist", on=day, case_ref="C-DEP")
    assert Decision.objects.filter(stage="departure", verdict="blocked").count() == 3
    signals = selectors.risk_signals(user=head, kind="failed_departures")
    assert len(signals) == 1 and signals[0].count == 2 and signals[0].worker_id == worker.pk


def test_one_failed_departure_is_not_a_signal(head):
    evaluate(stage="departure", job_order=make_job_order(), visa_type="umrah", on=dt.date(2026, 6, 1))
    assert not selectors.risk_signals(user=head, kind="failed_departures")


def _complaint_about(company, *, registered_at: dt.datetime) -> None:
    """A Crisis Center complaint naming the company by its licence number (linked at registration)."""
    from satuatap.crisis import services as crisis_services

    crisis_services.complaint_register(channel="web_form", now=registered_at, data=crisis_services.ComplaintInput(
        complainant_type="worker", complainant_name="Siti Aminah", worker_name="Siti Aminah",
        complainant_phone="0812-3456-7890", category="wages_unpaid", company=company.licence_number,
        description="Gaji belum dibayar selama empat bulan oleh majikan.",
    ))


def test_company_whose_candidates_complain_often(head):
    company = make_job_order().company
    quiet = make_job_order().company
    now = timezone.now()
    on = timezone.localdate()
    _complaint_about(quiet, registered_at=now)
    _complaint_about(company, registered_at=now - dt.timedelta(days=200))  # outside the 180-day window
    for days in (1, 10, 50, 100):
        _complaint_about(company, registered_at=now - dt.timedelta(days=days))
    since = on - dt.timedelta(days=180)
    assert selectors.company_complaint_count(company_id=company.pk, since=since) == 4
    assert selectors.company_complaint_count(company_id=company.pk, since=dt.date(2020, 1, 1)) == 5
    assert not selectors.risk_signals(user=head, kind="company_complaints", on=on)  # 4 < threshold 5

    _complaint_about(company, registered_at=now)
    signals = selectors.risk_signals(user=head, kind="company_complaints", on=on)
    assert [(s.company_id, s.count) for s in signals] == [(company.pk, 5)]
    assert company.name in signals[0].explanation_id and "ambang 5" in signals[0].explanation_id
    assert signals[0].details == {"threshold": 5, "since": since.isoformat()}


def test_complaint_count_starts_at_the_local_day(db):
    company = make_job_order().company
    day = dt.date(2026, 3, 2)
    wib = zoneinfo.ZoneInfo("Asia/Jakarta")
    _complaint_about(company, registered_at=dt.datetime(2026, 3, 1, 23, 59, tzinfo=wib))
    _complaint_about(company, registered_at=dt.datetime(2026, 3, 2, 0, 0, tzinfo=wib))  # 1 March 17:00 UTC
    assert selectors.company_complaint_count(company_id=company.pk, since=day) == 1


def test_desk_officers_do_not_see_signals(officer):
    with pytest.raises(PermissionDenied):
        selectors.risk_signals(user=officer)
