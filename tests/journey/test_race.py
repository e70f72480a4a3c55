"""Concurrency on PostgreSQL: many desks pressing the same button at the same moment."""

from __future__ import annotations

import pytest
from django.test import Client

from satuatap.accounts import services as account_services
from satuatap.journey import services
from satuatap.journey.models import Event, Step
from tests import factories
from tests.concurrency import ensure_reference_data, hammer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference(db):
    ensure_reference_data()


def test_sixteen_concurrent_completions_one_wins(reference):
    disnaker = factories.officer("LTSA-IDM", "DISNAKER")
    case = services.case_open(
        job_order_number=factories.job_order().number,
        actor=disnaker,
        worker=factories.worker("32.12"),
        office_code="LTSA-IDM",
        scheme="P2P",
    )
    services.step_start(actor=disnaker, case_number=case.number, step_code="REG")
    _, secret = account_services.api_token_create(user=disnaker, name="race")
    url = f"/api/v1/cases/{case.number}/steps/REG/complete"
    body = {"outcome": factories.outcome("registration")}

    def complete(i: int) -> int:
        return (
            Client()
            .post(url, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
            .status_code
        )

    statuses = hammer(16, complete)
    assert sorted(statuses) == [200] + [409] * 15
    assert Event.objects.filter(case=case, kind="step_completed").count() == 1
    assert Step.objects.get(case=case, code="REG").state == "done"


def test_two_desks_finishing_both_prerequisites_at_once_unlock_the_dependent(reference):
    """SEL and MED done at the same moment by two desks: PA must become ready (no lost update)."""
    desks = {a: factories.officer("LTSA-IDM", a) for a in ("DISNAKER", "DINKES")}
    for _ in range(5):
        case = services.case_open(
            job_order_number=factories.job_order().number,
            actor=desks["DISNAKER"],
            worker=factories.worker("32.12"),
            office_code="LTSA-IDM",
            scheme="P2P",
        )
        services.step_complete(
            actor=desks["DISNAKER"], case_number=case.number, step_code="REG", outcome=factories.outcome("registration")
        )
        jobs = [("DISNAKER", "SEL", "selection"), ("DINKES", "MED", "medical")]

        def finish(i: int, case=case, jobs=jobs):
            agency, code, kind = jobs[i]
            services.step_complete(
                actor=desks[agency], case_number=case.number, step_code=code, outcome=factories.outcome(kind)
            )

        hammer(2, finish)
        assert Step.objects.get(case=case, code="PA").state == "ready"
