"""Concurrency on PostgreSQL: 20 desks linking 20 cases to the last 5 positions of one job order."""

from __future__ import annotations

import pytest

from satuatap.core.errors import Conflict
from satuatap.placement import services
from satuatap.placement.models import JobOrder, JobOrderLink
from tests.concurrency import ensure_reference_data, hammer
from tests.placement.builders import make_job_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference(db):
    ensure_reference_data()


def test_twenty_cases_race_for_the_last_five_positions(reference):
    jo = make_job_order(positions=25, positions_used=20)

    def link(i: int) -> str:
        try:
            services.job_order_link(job_order=jo, case_ref=f"RACE-{i:03d}", actor=None)
            return "linked"
        except Conflict as exc:
            return exc.code

    results = hammer(20, link)
    assert results.count("linked") == 5
    assert results.count("job_order_full") == 15
    jo.refresh_from_db()
    assert jo.positions_used == 25
    assert JobOrderLink.objects.filter(job_order=jo, released_at__isnull=True).count() == 5


def test_concurrent_releases_and_links_stay_within_bounds(reference):
    jo = make_job_order(positions=5)
    for i in range(5):
        services.job_order_link(job_order=jo, case_ref=f"HELD-{i}", actor=None)

    def act(i: int) -> str:
        try:
            if i < 10:  # ten desks cancel the same case at once: one position comes back, once
                return "released" if services.job_order_release(case_ref="HELD-0") else "none"
            services.job_order_link(job_order=jo, case_ref=f"NEW-{i}", actor=None)
            return "linked"
        except Conflict as exc:
            return exc.code

    results = hammer(20, act)
    assert results.count("released") == 1
    jo.refresh_from_db()
    active = JobOrderLink.objects.filter(job_order=jo, released_at__isnull=True).count()
    assert jo.positions_used == active <= 5
    assert results.count("linked") == active - 4
    assert JobOrder.objects.filter(pk=jo.pk, positions_used__lt=0).count() == 0
