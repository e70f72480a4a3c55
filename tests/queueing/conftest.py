from __future__ import annotations

import pytest

from satuatap.reference import selectors as reference_selectors
from tests import factories

OFFICE = "LTSA-IDM"


@pytest.fixture
def disnaker():
    return factories.officer(OFFICE, "DISNAKER")


@pytest.fixture
def case_after_reg(disnaker):
    """An open case whose registration is done: SEL, MED, CERT, SKCK, BPJS, BANK are ready."""
    from satuatap.journey import services as journey_services

    case = factories.open_case(disnaker, factories.worker())
    journey_services.step_complete(actor=disnaker, case_number=case.number, step_code="REG",
                                   outcome=factories.outcome("registration"))
    return case


def complete(actor, case, code, outcome_type):
    from satuatap.journey import services as journey_services

    return journey_services.step_complete(actor=actor, case_number=case.number, step_code=code,
                                          outcome=factories.outcome(outcome_type))


def desks(office=OFFICE):
    return reference_selectors.office_info(office).desk_ids
