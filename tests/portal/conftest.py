from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from satuatap.journey import services as journey_services
from tests import factories

AGENCIES = ("DISNAKER", "DINKES", "POLRI", "IMIGRASI", "BPJSTK", "BP3MI", "BANK")
BIRTH_DATE = dt.date(1996, 5, 17)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    # the lookup limiter counts in the (process-wide) cache: every test starts with a clean slate
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desks(db):
    officers = {code: factories.officer("LTSA-IDM", code) for code in AGENCIES}
    officers["HEAD"] = factories.head("LTSA-IDM")
    return officers


@pytest.fixture
def worker(db):
    return factories.worker("32.12", birth_date=BIRTH_DATE)


@pytest.fixture
def case(desks, worker):
    return journey_services.case_open(
        job_order_number=factories.job_order().number,
        actor=desks["DISNAKER"],
        worker=worker,
        office_code="LTSA-IDM",
        scheme="P2P",
        destination_country="HK",
    )


def do(desks, case, code: str) -> None:
    step = case.steps.select_related("definition").get(code=code)
    actor = desks[step.agency_id]
    journey_services.step_start(actor=actor, case_number=case.number, step_code=code)
    journey_services.step_complete(
        actor=actor, case_number=case.number, step_code=code, outcome=factories.outcome(step.definition.outcome_type)
    )
