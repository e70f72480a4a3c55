"""Risk signals: explained flags for the anti-trafficking desk, scoped to the viewer's region."""

from __future__ import annotations

import datetime as dt

import pytest

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


def test_company_complaints_hook_counts_nothing_until_crisis_records_complaints(head):
    company = make_job_order().company
    assert selectors.company_complaint_count(company_id=company.pk, since=dt.date(2020, 1, 1)) == 0
    assert not selectors.risk_signals(user=head, kind="company_complaints")


def test_desk_officers_do_not_see_signals(officer):
    with pytest.raises(PermissionDenied):
        selectors.risk_signals(user=officer)
