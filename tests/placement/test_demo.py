"""The demo data shows each block and flag, and can be created twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from satuatap.placement import selectors
from satuatap.placement.demo import ensure_placement_demo
from satuatap.placement.models import Company, JobOrder
from tests import factories
from tests.placement.builders import evaluate

pytestmark = pytest.mark.django_db

EXPECTED = {
    "JO-DEMO-TW-001": ("ok", set()),
    "JO-DEMO-HK-001": ("ok", set()),
    "JO-DEMO-SPSK-001": ("ok", set()),
    "JO-DEMO-SUSP-001": ("blocked", {"COMPANY_LICENCE"}),
    "JO-DEMO-EXP-001": ("blocked", {"JOB_ORDER_VALID"}),
    "JO-DEMO-UNATT-001": ("blocked", {"JOB_ORDER_ATTESTED"}),
    "JO-DEMO-SA-IND-001": ("blocked", {"MIDDLE_EAST_MORATORIUM"}),
    "JO-DEMO-KH-001": ("blocked", {"NON_OFFICIAL_DESTINATION"}),
    "JO-DEMO-FULL-001": ("blocked", {"JOB_ORDER_QUOTA"}),
    "JO-DEMO-NTB-001": ("blocked", {"SIP2MI_REGION", "SIP2MI_OFFICE_REGION"}),
    "JO-DEMO-AE-001": ("flagged", {"PROBLEM_EMPLOYER", "COMPANY_SANCTIONED"}),
}


def test_demo_is_idempotent_and_shows_every_outcome():
    first = ensure_placement_demo()
    counts = (Company.objects.count(), JobOrder.objects.count())
    second = ensure_placement_demo()
    assert second.created == 0 and first.created > 0
    assert (Company.objects.count(), JobOrder.objects.count()) == counts
    today = timezone.localdate()
    worker = factories.worker("32.12", birth_date=dt.date(1998, 2, 3))
    for number, (verdict, fired) in EXPECTED.items():
        jo = JobOrder.objects.get(number=number)
        decision = evaluate(worker=worker, job_order=jo, on=today, office_regency_code="32.12")
        assert (decision.verdict, {f["code"] for f in decision.fired}) == (verdict, fired), number
        public = selectors.public_job_order_check(number=number)
        assert public.legal == (verdict != "blocked" or "SIP2MI_REGION" in fired), number
