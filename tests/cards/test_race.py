"""The same card shown at two checkpoints at the same moment: exactly one departure, the other is stopped."""

from __future__ import annotations

import pytest

from satuatap.cards import services as card_services
from satuatap.cards.models import Abroad, AttemptOutcome, Card, DepartureAttempt
from tests.cards.conftest import AGENCIES, checkpoint_officer, drive, new_case
from tests.concurrency import ensure_reference_data, hammer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_card_two_checkpoints_at_once():
    from tests import factories

    ensure_reference_data()
    card_services.checkpoints_load()
    desks = {code: factories.officer("LTSA-IDM", code) for code in AGENCIES}
    case = drive(desks, new_case(desks), "CARD")
    token = Card.objects.get(case=case).token
    officers = [checkpoint_officer("CGK"), checkpoint_officer("SUB")]
    results = hammer(2, lambda i: card_services.departure_record(
        actor=officers[i], checkpoint_code=("CGK", "SUB")[i], token=token, flight_or_vessel=f"GA{i}"))
    assert sorted(r.departed for r in results) == [False, True]
    assert [r.reason for r in results if not r.departed] == ["already_departed"]
    assert Abroad.objects.filter(case=case).count() == 1
    assert DepartureAttempt.objects.filter(outcome=AttemptOutcome.STOPPED, card__case=case).count() == 1
