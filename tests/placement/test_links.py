"""Linking a case to a job order takes one position; releasing gives it back; never below 0 or above quota."""

from __future__ import annotations

import pytest

from satuatap.core.errors import Conflict
from satuatap.placement import services
from satuatap.placement.models import JobOrder, JobOrderLink, PlacementEvent
from tests import factories
from tests.placement.builders import evaluate, make_job_order

pytestmark = pytest.mark.usefixtures("placement_ref")


def test_link_takes_a_position_and_release_gives_it_back(officer):
    jo = make_job_order(positions=2)
    worker = factories.worker("32.12")
    link = services.job_order_link(job_order=jo, case_ref="IDM-2026-000001", actor=officer, worker=worker)
    jo.refresh_from_db()
    assert jo.positions_used == 1 and link.worker_id == worker.pk and link.released_at is None
    released = services.job_order_release(case_ref="IDM-2026-000001", actor=officer, reason="cancelled")
    jo.refresh_from_db()
    assert released.released_at is not None and jo.positions_used == 0
    kinds = list(PlacementEvent.objects.filter(job_order=jo).values_list("kind", flat=True))
    assert kinds == ["job_order_linked", "job_order_released"]


def test_linking_twice_is_harmless_and_another_job_order_is_refused(officer):
    jo, other = make_job_order(positions=3), make_job_order()
    first = services.job_order_link(job_order=jo, case_ref="C-1", actor=officer)
    assert services.job_order_link(job_order=jo, case_ref="C-1", actor=officer).pk == first.pk
    jo.refresh_from_db()
    assert jo.positions_used == 1
    with pytest.raises(Conflict) as exc:
        services.job_order_link(job_order=other, case_ref="C-1", actor=officer)
    assert exc.value.code == "case_already_linked"


def test_full_or_inactive_job_order_refuses_a_link(officer):
    jo = make_job_order(positions=1)
    services.job_order_link(job_order=jo, case_ref="C-1", actor=officer)
    with pytest.raises(Conflict) as exc:
        services.job_order_link(job_order=jo, case_ref="C-2", actor=officer)
    assert exc.value.code == "job_order_full"
    jo.refresh_from_db()
    assert jo.positions_used == 1
    closed = make_job_order(status="closed")
    with pytest.raises(Conflict) as exc:
        services.job_order_link(job_order=closed, case_ref="C-3", actor=officer)
    assert exc.value.code == "job_order_not_active"


def test_release_twice_frees_one_position_and_never_goes_below_zero(officer):
    jo = make_job_order(positions=3)
    services.job_order_link(job_order=jo, case_ref="C-1", actor=officer)
    services.job_order_link(job_order=jo, case_ref="C-2", actor=officer)
    assert services.job_order_release(case_ref="C-1") is not None
    assert services.job_order_release(case_ref="C-1") is None
    assert services.job_order_release(case_ref="NEVER-LINKED") is None
    jo.refresh_from_db()
    assert jo.positions_used == 1
    JobOrder.objects.filter(pk=jo.pk).update(positions_used=0)  # an inconsistent row must still not go negative
    services.job_order_release(case_ref="C-2")
    jo.refresh_from_db()
    assert jo.positions_used == 0


def test_released_case_can_link_again(officer):
    jo = make_job_order(positions=1)
    services.job_order_link(job_order=jo, case_ref="C-1", actor=officer)
    services.job_order_release(case_ref="C-1")
    services.job_order_link(job_order=jo, case_ref="C-1", actor=officer)
    assert JobOrderLink.objects.filter(case_ref="C-1").count() == 2
    assert JobOrderLink.objects.filter(case_ref="C-1", released_at__isnull=True).count() == 1


def test_link_finds_the_worker_from_the_case_decision(officer):
    jo = make_job_order()
    worker = factories.worker("32.12")
    evaluate(job_order=jo, worker=worker, case_ref="C-DEC")
    link = services.job_order_link(job_order=jo, case_ref="C-DEC", actor=officer)
    assert link.worker_id == worker.pk
